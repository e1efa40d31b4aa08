"""Bibliographic metadata of a PDF from its own printed page 1: title, authors, year, DOI, abstract, venue.

Works offline and from layout alone (PyMuPDF spans with size, flags and position), because the embedded /Title is
junk in most real files (file names, "Microsoft Word - draft3.doc", empty). The title is the largest-type text in
the upper part of page 1; the authors are the rows of personal names just below it; the abstract is the text under
an "Abstract"/"Summary" heading (or a structured abstract's first label such as "Background."); the DOI is one
printed on page 1 (or a labelled one on page 2), never a guess; the year is the one a cue ties to this paper.
Each field is None (authors: []) when the page does not show it, so the user sees a gap rather than a wrong value.

Cost: one ``get_text("dict")`` of page 1 (or the caller's TextPage of it); page 2 is read only when page 1 prints
no DOI (its plain text) or when the author list runs off page 1.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymupdf

from litreview.errors import InputError
from litreview.importing.meta_dates import preprint_year, publication_year
from litreview.importing.meta_doi import find_dois
from litreview.importing.meta_layout import TEXT_FLAGS, Line, body_size, join_lines, page_lines, rows
from litreview.importing.meta_names import NOT_NAME_WORDS, author_line_names, parse_name
from litreview.importing.meta_venue import printed_venue


class PdfMetadataError(InputError):
    """The file cannot be read as a PDF with text; the message says why in terms a researcher understands."""


# Labels printed above a title in the same large type ("Research Article") and banners that are not titles.
_ARTICLE_TYPE = re.compile(
    r"^(research|review|original|short|brief|technical|case|clinical|systematic|invited|special)?\s*"
    r"(article|paper|report|review|communication|letter|note|study|commentary|editorial|perspective|"
    r"research)s?\s*$|^open access$|^(review|research|article|methodology|software)$",
    re.I,
)
_NOT_TITLE = re.compile(
    r"^(abstract|summary|contents|introduction|keywords|a r t i c l e|article info)\b|\b10\.\d{4,9}/|https?://|"
    r"www\.|©|\bissn\b|\bvol(ume)?\.? \d|journal homepage|^page \d|^\d+$",
    re.I,
)
_ABSTRACT_HEADING = re.compile(r"^(abstract|summary|a\s?b\s?s\s?t\s?r\s?a\s?c\s?t)\b\s*[:.—–-]?\s*(.*)$", re.I)
_ABSTRACT_END = re.compile(r"^(\d+\.?|[IVX]+\.)?\s*(introduction|background)\s*$|^(key\s*words?|index terms)\b",
                           re.I)
_FRONT_MATTER = re.compile(r"univers|department|institut|correspond|e-?mail|@|received|accepted|keywords|©|"
                           r"copyright|edited by|reviewed by|citation", re.I)
_STRUCTURED_START = re.compile(
    r"^(background|objectives?|purpose|aims?|context|introduction|motivation|importance|rationale)\s*[.:]\s+\S", re.I
)
# What ends an abstract: the next heading (numbered, or "Introduction"/"Background" alone on its line, so that a
# structured abstract's "Background:" label does not) or the front matter printed after it.
_SECTION_STOP = re.compile(
    r"^(?:\d+\.?\s+[A-Z]|[IVX]+\.\s+[A-Z]|(?i:(?:introduction|background)\s*$|key\s*words?|index terms|subjects|"
    r"references|acknowledg|citation:|received|correspondence|©|copyright))"
)
# A DOI in a sentence like "data are available at https://doi.org/..." names a data set or code, not the paper.
# (Journal names such as "Journal of Statistical Software" or "Scientific Data" must not trip it.)
_POINTS_ELSEWHERE = re.compile(r"\b((?:available|accessible|archived|deposited|hosted) (?:at|from|in|on|via)|"
                               r"data ?sets? (?:is|are)|data (?:is|are)|supplementa\w+|see|cf\.)(?=\W)", re.I)
_WRAPPED_DOI = re.compile(r"\b10\.\d{4,9}/\S*[./_-]$")
_REFERENCES = re.compile(r"^(\d+\.?\s*)?(references|bibliography|literature cited|works cited)\s*$", re.I)
_THREE_LETTERS = re.compile(r"[^\W\d_](?:.*?[^\W\d_]){2}")
_NAME_MARKS = re.compile(r"(?<=[^\W\d_.])\s?\d+(?:\s*,\s*\d+)*[*∗†‡§]*")
_MARKER_ONLY = re.compile(r"[\d,\s]+")  # a line that is only affiliation numbers, set apart from its name
_JUNK_EMBEDDED_TITLE = re.compile(r"^(untitled|microsoft\s|paper\.dvi)|\.(docx?|pdf|dvi|tex|indd|qxd|ps)\b|^\S+$",
                                  re.I)


# MuPDF prefixes its messages with an internal error code ("code=7: Invalid number of pages").
MUPDF_CODE = re.compile(r"^code=\d+:\s*")


def extract_metadata(doc: pymupdf.Document, textpage: pymupdf.TextPage | None = None) -> dict[str, Any]:
    """Metadata of an opened, decrypted PDF with at least one page.

    Returns {"title", "authors": [{"given", "family"}], "year", "doi", "abstract", "venue", "pages"}; each field is
    None (authors: []) when it is not printed in a recognisable way. ``textpage``: page 1's TextPage made with
    ``TEXT_FLAGS`` by a caller that also extracts page 1's plain text from it (saves a second extraction).
    """
    page = doc[0]
    height = page.rect.height or 792.0
    every_line = page_lines(page, textpage)
    lines = [l for l in every_line if not l.vertical]
    body = body_size(lines)
    title_lines, authors, authors_bottom = _title_and_authors(doc, lines, height, body)
    title_bottom = max((l.y1 for l in title_lines), default=0.0)
    heading = _abstract_heading(lines, body, below=title_bottom)
    title = _clean_title(join_lines([l.text for l in title_lines])) if title_lines else None
    if title is None:
        title = _verified_embedded_title(doc, lines)
    return {
        "title": title,
        "authors": authors,
        "year": publication_year(lines, height, body) or preprint_year([l.text for l in every_line]),
        "doi": _doc_doi(doc, lines, height, body),
        "abstract": _abstract(lines, heading, title_lines, authors_bottom, body),
        "venue": printed_venue(lines, height, title),
        "pages": doc.page_count,
    }


def read_pdf_metadata(path: str | Path) -> dict[str, Any]:
    """Open ``path`` and extract its metadata; raises PdfMetadataError with a plain reason for unusable files."""
    path = Path(path)
    if not path.is_file():
        raise PdfMetadataError(f"{path}: no such file")
    with path.open("rb") as handle:
        head = handle.read(1024)
    if not head:
        raise PdfMetadataError(f"{path}: the file is empty (0 bytes)")
    if b"%PDF-" not in head:
        raise PdfMetadataError(f"{path}: not a PDF (no %PDF- header; perhaps a web page saved with a .pdf name)")
    try:
        doc = pymupdf.open(path)
    except Exception as exc:  # PyMuPDF raises several types for damaged files
        raise PdfMetadataError(f"{path}: the PDF is damaged and cannot be opened ({exc}); download it again"
                               ) from exc
    try:
        with doc:
            return _document_metadata(path, doc)
    except PdfMetadataError:
        raise
    except Exception as exc:  # every PyMuPDF call can meet a broken structure (a page tree with /Count -1)
        detail = MUPDF_CODE.sub("", str(exc).strip()) or type(exc).__name__
        raise PdfMetadataError(f"{path}: the PDF is damaged and cannot be read ({detail}); download it again"
                               ) from exc


def _document_metadata(path: Path, doc: pymupdf.Document) -> dict[str, Any]:
    if not doc.is_pdf:
        raise PdfMetadataError(f"{path}: not a PDF")
    if doc.needs_pass:
        raise PdfMetadataError(
            f"{path}: the PDF is password-protected; open it with its password and save an unprotected copy")
    if doc.page_count == 0:
        raise PdfMetadataError(f"{path}: the PDF is truncated or damaged (no pages); download it again")
    return extract_metadata(doc)


# --- title -------------------------------------------------------------------------------------------------------

def _title_and_authors(doc: pymupdf.Document, lines: list[Line], height: float, body: float
                       ) -> tuple[list[Line], list[dict[str, str]], float]:
    """The title's lines, the authors under them and where the author block ends.

    The title is the largest type in the upper part of page 1, unless a running header or masthead is set even
    larger: of the few largest candidates, the one that page 1 confirms wins (the embedded /Title printed there),
    else the largest one with a row of personal names under it, else simply the largest.
    """
    groups = _title_groups(lines, height, body)
    if not groups:
        return [], [], 0.0

    def with_authors(group: list[Line]) -> tuple[list[Line], list[dict[str, str]], float]:
        bottom = max(l.y1 for l in group)
        heading = _abstract_heading(lines, body, below=bottom)
        authors, authors_bottom = _authors(doc, lines, group, height, heading[0].y0 if heading else None)
        return group, authors, authors_bottom

    embedded = _usable_embedded_title(doc)
    if embedded:
        embedded = _squash(embedded)
        for group in groups:
            if _squash(join_lines([l.text for l in group])) == embedded:
                return with_authors(group)
    for group in groups:
        found = with_authors(group)
        if found[1]:
            return found
    return groups[0], [], max(l.y1 for l in groups[0])


def _title_groups(lines: list[Line], height: float, body: float) -> list[list[Line]]:
    """Title candidates, largest type first: runs of same-size lines in the upper 60 % of page 1 set larger than
    the body text, at most three, none under 0.75x the largest."""
    candidates = [
        l for l in lines
        if l.size > 1.05 * body and l.y0 < 0.6 * height and _THREE_LETTERS.search(l.text)
        and not _NOT_TITLE.search(l.text)
    ]
    groups: list[list[Line]] = []
    largest = max((l.size for l in candidates), default=0.0)
    while candidates and len(groups) < 3:
        top = max(l.size for l in candidates)
        if top < 0.75 * largest:
            break
        same = [l for l in candidates if abs(l.size - top) < 0.6]
        seed = min(same, key=lambda l: (l.y0, l.x0))
        group = _subtitle(_grow(seed, same), candidates)
        taken = {id(l) for l in group}
        while group and _ARTICLE_TYPE.match(group[0].text.strip(" .:")):
            group = group[1:]
        words = sum(len(l.text.split()) for l in group)
        if group and (words >= 2 or len(group[0].text) >= 8):
            groups.append(group)
        candidates = [l for l in candidates if id(l) not in taken]
    return groups


def _grow(seed: Line, same_size: list[Line]) -> list[Line]:
    """The seed and the same-size lines directly below it (line spacing at most ~1.6x the type size)."""
    group = [seed]
    for line in sorted(same_size, key=lambda l: l.y0):
        last = group[-1]
        if line is seed or line.y0 < last.y0 - 0.5:
            continue
        if line.bold != seed.bold:  # an author line in the title's size but not its weight ends the title
            continue
        same_row = abs(line.y0 - last.y0) < 0.5 * last.height and line.x0 > last.x1
        below = -0.5 * last.height <= line.y0 - last.y1 < 0.9 * last.size and line.overlaps_x(last.x0, last.x1, 40)
        if same_row or below:
            group.append(line)
    # a label in the title's size but its own style ("Research Article" in italics) sits on top: drop it
    if len(group) > 1 and len(group[0].text.split()) <= 3 and group[0].font != group[1].font \
            and all(l.font == group[1].font for l in group[1:]):
        group = group[1:]
    return group


def _subtitle(group: list[Line], candidates: list[Line]) -> list[Line]:
    """A title ending in a colon goes on in the lines set just below it in smaller (still display) type."""
    while group[-1].text.rstrip().endswith(":"):
        last = group[-1]
        nxt = min((l for l in candidates if -0.5 * last.height <= l.y0 - last.y1 < 0.9 * last.size and l not in group
                   and l.overlaps_x(last.x0, last.x1, 40)), key=lambda l: l.y0, default=None)
        if nxt is None:
            break
        group = group + [l for l in candidates if abs(l.y0 - nxt.y0) < 0.5 * nxt.height and l not in group]
        group += _grow(nxt, [l for l in candidates if abs(l.size - nxt.size) < 0.6])[1:]
    return group


def _clean_title(text: str) -> str | None:
    text = re.sub(r"\s+", " ", text).strip(" .,;:*")
    return text or None


def _usable_embedded_title(doc: pymupdf.Document) -> str | None:
    """The embedded /Title unless it is empty or a file or program name ("Microsoft Word - draft3.doc")."""
    embedded = ((doc.metadata or {}).get("title") or "").strip()
    return None if len(embedded) < 8 or _JUNK_EMBEDDED_TITLE.search(embedded) else embedded


def _verified_embedded_title(doc: pymupdf.Document, lines: list[Line]) -> str | None:
    """The embedded /Title, but only when it is usable and page 1 actually prints it."""
    embedded = _usable_embedded_title(doc)
    if embedded is None:
        return None
    return embedded if _squash(embedded) in _squash(" ".join(l.text for l in lines)) else None


# --- authors -----------------------------------------------------------------------------------------------------

def _authors(doc: pymupdf.Document, lines: list[Line], title_lines: list[Line], height: float,
             header_end: float | None) -> tuple[list[dict[str, str]], float]:
    """Names on the rows just below the title, in the title's horizontal band, and the y where they end.

    The block starts at the first row that is a list of names and goes on over rows in the same type size and
    weight (long author lists wrap, sometimes inside a name: "Daniel R." / "Witte"), stopping at a row with
    affiliation words, digits or a different style. A list that runs into page 1's footer goes on at the top of
    page 2 (consortium papers with a hundred authors and more). Conference grids print names, affiliations, then
    more names: when ``header_end`` (the abstract heading) is known, later rows above it in the names' own style
    that are lists of names are authors too.
    """
    x0 = min(l.x0 for l in title_lines)
    x1 = max(l.x1 for l in title_lines)
    bottom = max(l.y1 for l in title_lines)
    title_ids = {id(l) for l in title_lines}
    below = [l for l in lines if id(l) not in title_ids and l.y0 >= bottom - 1 and l.overlaps_x(x0, x1, 30)]
    block: list[list[Line]] = []
    more: list[list[Line]] = []
    skipped = 0
    for row in _name_rows(below):
        if more or (block and not _continues(block, row)):
            if header_end is None or row[0].y0 >= header_end:
                break
            if _same_style(block[0][0], row[0]) and author_line_names(", ".join(l.text for l in row)):
                more.append(row)
        elif block:
            block.append(row)
        elif row[0].y0 > bottom + 0.3 * height:
            break
        elif author_line_names(", ".join(l.text for l in row)):
            block.append(row)
        elif skipped >= 1:
            break
        else:
            skipped += 1
    rows_on_page_1 = more or block
    end = max(l.y1 for l in rows_on_page_1[-1]) if rows_on_page_1 else bottom
    if block and not more and doc.page_count > 1 and _runs_off_page(block, below, height):
        page = doc[1]
        top_rows = [l for l in page_lines(page) if l.overlaps_x(x0, x1, 30) and l.y0 < 0.5 * page.rect.height]
        for row in _name_rows(top_rows):
            if not _continues(block, row, gap_checked=False):
                break
            block.append(row)
    names = author_line_names(_block_text(block)) if block else None
    for row in more:
        names = (names or []) + (author_line_names(", ".join(l.text for l in row)) or [])
    if not names:
        return [], bottom
    return [parse_name(n) for n in names], end


def _block_text(block: list[list[Line]]) -> str:
    """An author block's rows as one line, joined inside a wrapped name or between two names as appropriate."""
    with_markers = any(l.raw != l.text for row in block for l in row)
    text = previous_raw = ""
    for row in block:
        if text:
            text += ", " if _ends_with_full_name(text, previous_raw, with_markers) else " "
        text += ", ".join(l.text for l in row)
        previous_raw = row[-1].raw
    return text


def _same_style(a: Line, b: Line) -> bool:
    return abs(a.size - b.size) < 0.5 and a.bold == b.bold


def _name_rows(lines: list[Line]) -> Iterator[list[Line]]:
    """Visual rows, without the lines that are only affiliation numbers set apart from their name."""
    return ([l for l in row if not _MARKER_ONLY.fullmatch(l.text)] or row for row in rows(lines))


def _continues(block: list[list[Line]], row: list[Line], gap_checked: bool = True) -> bool:
    """Whether ``row`` goes on with the author block: same size and weight, close below, no affiliation text."""
    last = block[-1][0]
    text = ", ".join(l.text for l in row)
    if not _same_style(block[0][0], row[0]):
        return False
    if gap_checked and row[0].y0 - max(l.y1 for l in block[-1]) >= 1.2 * last.size:
        return False
    text = _NAME_MARKS.sub("", text)  # affiliation numbers printed in the names' own size ("Holm 1, 2")
    return not (any(c.isdigit() for c in text) or NOT_NAME_WORDS.search(text))


def _runs_off_page(block: list[list[Line]], below: list[Line], height: float) -> bool:
    """The author block reaches the foot of the page with nothing but the footer after it."""
    end = max(l.y1 for l in block[-1])
    return end > 0.75 * height and all(l.y0 > 0.88 * height for l in below if l.y0 > end)


def _ends_with_full_name(text: str, raw: str, with_markers: bool) -> bool:
    """Whether an author row ends after a complete name, so the next row starts a new one.

    Where names carry affiliation markers ("Nguyen1"), a row ending without one breaks inside a name ("Vy Kim" /
    "Nguyen1"); without markers, a row ending in an initial or a lone given name does.
    """
    if re.search(r"(,|;|\band|&)\s*$", text):
        return False  # the separator is already there
    if with_markers:
        return bool(re.search(r"[\d*∗†‡§¶#)]\s*$", raw))
    tail = re.split(r",|;|\band\b|&", text)[-1].split()
    return len(tail) >= 2 and not re.fullmatch(r"[A-Z]\.?(-[A-Z]\.?)?", tail[-1])


# --- abstract ----------------------------------------------------------------------------------------------------

def _abstract_heading(lines: list[Line], body: float, below: float) -> tuple[Line, str] | None:
    """The first "Abstract"/"Summary" heading under y=``below``, with any text that follows it on its line."""
    for line in lines:
        m = _ABSTRACT_HEADING.match(line.text)
        if not m or line.y0 < below:
            continue
        rest = m.group(2).strip()
        styled = line.bold or line.size > 1.05 * body or line.text.split()[0].isupper()
        if not rest and not (styled or line.text.lower().startswith("abstract")):
            continue
        if rest and not (styled or re.match(r"^\w+\s*[:.—–-]", line.text)):
            continue  # "Summary statistics were..." is a sentence, not a heading
        return line, rest
    return None


def _abstract(lines: list[Line], heading: tuple[Line, str] | None, title_lines: list[Line],
              authors_bottom: float, body: float) -> str | None:
    """The abstract's text: under an Abstract/Summary heading, or from a structured abstract's first label
    ("Background.", "Objectives:"), or the one paragraph set between the authors and the Introduction heading."""
    if heading is not None:
        return _collect(lines, heading[0], first=heading[1])
    title_bottom = max((l.y1 for l in title_lines), default=0.0)
    for line in lines:
        if line.y0 > title_bottom and _STRUCTURED_START.match(line.text):
            return _collect(lines, line, first=line.text)
    return _paragraph_before_introduction(lines, title_lines, authors_bottom)


def _paragraph_before_introduction(lines: list[Line], title_lines: list[Line], authors_bottom: float
                                   ) -> str | None:
    """Layouts that print no abstract heading (Frontiers, Nature, APA journals) set the abstract as the first long
    paragraph between the author block and the Introduction heading or the keywords line; it is taken only when
    such an end mark is on page 1, so the first paragraph of a paper without an abstract is never passed off."""
    if not title_lines:
        return None
    intro = min((l.y0 for l in lines if _ABSTRACT_END.match(l.text) and l.y0 > authors_bottom), default=None)
    if intro is None:
        return None
    x0 = min(l.x0 for l in title_lines)
    x1 = max(l.x1 for l in title_lines)
    blocks: dict[int, list[Line]] = {}
    for line in lines:
        if authors_bottom < line.y0 < intro and line.overlaps_x(x0, x1):
            blocks.setdefault(line.block, []).append(line)
    paragraphs = [
        b for b in blocks.values()
        if len(b) >= 3 and sum(len(l.text.split()) for l in b) >= 40 and not _FRONT_MATTER.search(b[0].text)
    ]
    if not paragraphs:
        return None
    chosen = min(paragraphs, key=lambda b: b[0].y0)
    return join_lines([l.text for l in sorted(chosen, key=lambda l: (l.y0, l.x0))]) or None


def _collect(lines: list[Line], start: Line, first: str) -> str | None:
    """Lines below ``start`` in its column until a heading, a change of type size or a wide gap."""
    beside = None if first else min(
        (l for l in lines if 0 < l.x0 - start.x1 < 150 and abs(l.y0 - start.y0) < 0.6 * start.height),
        key=lambda l: l.x0, default=None)
    under = any(l.overlaps_x(start.x0, start.x1) and 0 <= l.y0 - start.y1 < 2 * start.height for l in lines)
    if beside is not None and not under:  # a side heading: "ABSTRACT" in a margin column, the text to its right
        start, first = beside, beside.text
    below = sorted((l for l in lines if l.y0 > start.y0 + 0.5 * start.height), key=lambda l: (l.y0, l.x0))
    if first:
        x0, x1 = start.x0, start.x1
    else:  # a centred heading ("Abstract" over an ACL column): the column is the first text line under it
        anchor = next((l for l in below if l.overlaps_x(start.x0, start.x1)), None)
        if anchor is None:
            return None
        x0, x1 = anchor.x0, anchor.x1
    column = [l for l in below if l.overlaps_x(x0, x1)]
    texts = [first] if first else []
    length = len(first)
    size = None
    last_y1 = start.y1
    for line in column:
        if texts and (line.y0 - last_y1) > 1.6 * max(line.height, 8.0):
            break
        if (texts and _SECTION_STOP.match(line.text)) or (line.bold and len(line.text.split()) <= 6 and texts and size
                                               and line.size >= size and not line.text.endswith(".")):
            break
        if size is None:
            size = line.size
        elif abs(line.size - size) > 1.0:
            break
        texts.append(line.text)
        last_y1 = line.y1
        length += len(line.text)
        if length > 4000:  # an abstract is shorter; a missed end must not swallow the page
            break
    text = join_lines(texts)
    return text or None


# --- DOI ---------------------------------------------------------------------------------------------------------

def _doc_doi(doc: pymupdf.Document, lines: list[Line], height: float, body: float) -> str | None:
    """The paper's DOI as printed on page 1, else a labelled one in page 2's header or footer, else None.

    On page 1 a DOI counts when it is labelled ("doi:", "DOI", a doi.org link) or set apart from the running text
    (header, footer, side bar, small type); a bare DOI inside body text cites another work, and one in a line that
    points to data or code ("available at", "deposited in") names that. Labelled and marginal DOIs rank first,
    then the one nearest the top; nothing after a "References" heading is taken.
    """
    references_y = min((l.y0 for l in lines if _REFERENCES.match(l.text)), default=None)
    ordered = sorted(lines, key=lambda l: (l.y0, l.x0))
    candidates: list[tuple[float, str]] = []
    for order, line in enumerate(ordered):
        if "10." not in line.raw or (references_y is not None and line.y0 > references_y):
            continue
        if _POINTS_ELSEWHERE.search(line.text):
            continue
        in_margin = line.y1 < 0.15 * height or line.y0 > 0.85 * height
        set_apart = in_margin or line.size < 0.95 * body or len(line.text) < 60
        for doi, labelled in find_dois(_unwrapped(line, ordered[order + 1 :])):
            if labelled or set_apart:
                candidates.append((2.0 * labelled + 1.0 * in_margin + 0.5 * set_apart - order * 0.001, doi))
    # the same DOI also found cut short elsewhere ("10.21105/jose." at a line end): keep only the longest form
    whole = [c for c in candidates if not any(o[1] != c[1] and o[1].startswith(c[1]) for o in candidates)]
    if whole:
        return max(whole)[1]
    if doc.page_count > 1:
        page = doc[1]
        h2 = page.rect.height or height
        for block in page.get_text("blocks", flags=TEXT_FLAGS):
            if block[3] < 0.12 * h2 or block[1] > 0.88 * h2:
                for doi, labelled in find_dois(block[4]):
                    if labelled:
                        return doi
    return None


def _unwrapped(line: Line, after: list[Line]) -> str:
    """The line's text, with the start of the next line of its block appended when a DOI is wrapped at the line
    end ("https://doi.org/10.21105/jose." / "00037")."""
    if not _WRAPPED_DOI.search(line.raw):
        return line.raw
    below = next((l for l in after if l.block == line.block and l.y0 >= line.y1 - 1), None)
    if below is None or not (m := re.match(r"[\w./()-]+", below.raw)):
        return line.raw
    return line.raw + m.group(0)


def _squash(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^0-9a-z]", "", text.lower())
