"""Validate and read one PDF: the work done inside an import worker process.

PyMuPDF is not thread-safe and a damaged file can take its process down, so each PDF is read in a worker
process and only plain data comes back (``PdfReading``); the parent alone writes to the library. Every way a
file can be unusable is turned here into one sentence a researcher can act on.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pymupdf

from litreview.importing.meta_layout import TEXT_FLAGS
from litreview.importing.pdf_metadata import MUPDF_CODE, extract_metadata
from litreview.importing.pdf_reading import PdfReading

# The PDF spec lets the header start anywhere in the first 1024 bytes.
HEADER_WINDOW = 1024
# A page with fewer visible characters than this is an image (a scan), not text.
MIN_CHARS_PER_PAGE = 50

EMPTY = "empty file (0 bytes)"
NOT_PDF_HTML = "not a PDF: it is a web page saved with a .pdf name (often a login or paywall page); download the PDF itself"
NOT_PDF = "not a PDF: the file does not start like one"
PASSWORD = "password-protected: open it with its password and save an unprotected copy, then import that"
DAMAGED = "damaged or truncated PDF: it has no readable pages (download it again)"
UNREADABLE = "damaged PDF: it cannot be read ({detail}); download it again"
NEEDS_OCR = "no text layer (a scan): imported and flagged as needing OCR; the file is kept"
NEEDS_OCR_SOME = "no text layer on {blank} of {pages} pages (a scan?): imported and flagged as needing OCR; the file is kept"


def read_pdf(path: str | os.PathLike) -> PdfReading:
    """Check that ``path`` is a readable PDF; return its metadata and the text of every page."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(HEADER_WINDOW)
    except OSError as error:
        return PdfReading(failure=f"cannot be read: {error.strerror or error}")
    if not head:
        return PdfReading(failure=EMPTY)
    if b"%PDF-" not in head:
        return PdfReading(failure=NOT_PDF_HTML if _looks_like_html(head) else NOT_PDF)
    try:
        doc = pymupdf.open(path, filetype="pdf")
    except pymupdf.EmptyFileError:
        return PdfReading(failure=EMPTY)
    except Exception as error:  # MuPDF raises plain RuntimeError/FileDataError for broken structure
        return PdfReading(failure=UNREADABLE.format(detail=_short(error)))
    try:
        with doc:
            return _read_document(doc)
    except Exception as error:  # every PyMuPDF call can meet a broken structure (a page tree with /Count -1)
        return PdfReading(failure=UNREADABLE.format(detail=_short(error)))


def _read_document(doc: pymupdf.Document) -> PdfReading:
    if doc.needs_pass:
        return PdfReading(failure=PASSWORD)
    if not doc.is_pdf:
        return PdfReading(failure=NOT_PDF)
    if doc.page_count == 0:
        return PdfReading(failure=DAMAGED)
    first_page = _textpage(doc)
    read = [_page_text(doc, number, first_page) for number in range(doc.page_count)]
    if all(text is None for text in read):
        return PdfReading(failure=DAMAGED)
    pages = [text or "" for text in read]
    blank = sum(1 for text in pages if len("".join(text.split())) < MIN_CHARS_PER_PAGE)
    needs_ocr = blank * 2 > len(pages)  # mostly scans (a typed cover page on a scanned article counts too)
    metadata, note = _metadata(doc, first_page)
    if needs_ocr:
        note = NEEDS_OCR if blank == len(pages) else NEEDS_OCR_SOME.format(blank=blank, pages=len(pages))
    return PdfReading(metadata=metadata, pages=pages, needs_ocr=needs_ocr, note=note)


def _metadata(doc: pymupdf.Document, first_page: pymupdf.TextPage | None) -> tuple[dict[str, Any], str | None]:
    """The header heuristics (another module); a bug there must not cost the user the file's text."""
    try:
        return extract_metadata(doc, first_page), None
    except Exception as error:
        return {}, f"title, authors and year could not be read ({_short(error)}); the text was imported"


def _textpage(doc: pymupdf.Document) -> pymupdf.TextPage | None:
    """Page 1's text layout, extracted once for both its plain text and the header heuristics (the extraction
    is most of the cost of reading a page)."""
    try:
        return doc[0].get_textpage(flags=TEXT_FLAGS)
    except Exception:
        return None


def _page_text(doc: pymupdf.Document, number: int, first_page: pymupdf.TextPage | None) -> str | None:
    """The page's text, or None when the page cannot be read (one broken page must not lose the others).
    TEXT_FLAGS (as the metadata uses) spell ligatures out ("ﬁ" -> "fi"), so search and quotes match typed text."""
    try:
        if number == 0 and first_page is not None:
            return first_page.extractText()
        return doc[number].get_text("text", flags=TEXT_FLAGS)
    except Exception:
        return None


def _looks_like_html(head: bytes) -> bool:
    start = head.lstrip().lower()
    return start.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")) or b"<html" in start


def _short(error: Exception) -> str:
    text = MUPDF_CODE.sub("", str(error).strip()) or type(error).__name__
    return text if len(text) <= 120 else text[:117] + "..."
