"""The rows an import writes for one study, through the open command (so undo and feedback come with them)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from litreview.importing.dedup import DedupIndex, author_key, normalise_doi, title_key
from litreview.store.commands import Command


def clean_authors(authors: Any) -> list[dict[str, str]]:
    """Keep only well-formed {"given", "family"} pairs with some name in them."""
    cleaned = []
    for author in authors or []:
        if not isinstance(author, dict):
            continue
        given = str(author.get("given") or "").strip()
        family = str(author.get("family") or "").strip()
        if given or family:
            cleaned.append({"given": given, "family": family})
    return cleaned


def study_row(fields: dict[str, Any], *, source: str, source_ref: str, extra: dict[str, Any] | None = None,
              dedup_title: bool = True) -> dict[str, Any]:
    """The ``studies`` row for imported metadata; ``fields`` uses the metadata keys (title, authors, year, doi,
    abstract, venue, pages, needs_ocr). ``dedup_title=False`` when the title is a stand-in (a file name),
    which must never make two studies look alike."""
    authors = clean_authors(fields.get("authors"))
    doi = normalise_doi(fields.get("doi"))
    row = {
        "title": _text(fields.get("title")),
        "authors": json.dumps(authors, ensure_ascii=False),
        "year": parse_year(fields.get("year")),
        "doi": doi,
        "abstract": _text(fields.get("abstract")),
        "venue": _text(fields.get("venue")),
        "n_pages": fields.get("pages"),
        "source": source,
        "source_ref": source_ref,
        "needs_ocr": 1 if fields.get("needs_ocr") else 0,
        "title_key": title_key(fields.get("title")) if dedup_title else None,
        "author_key": author_key(authors),
        "extra": json.dumps(extra or {}, ensure_ascii=False, sort_keys=True),
    }
    return row


def insert_study(cmd: Command, index: DedupIndex, row: dict[str, Any]) -> int:
    """Insert the row through the command and register it in the duplicate index."""
    study_id = cmd.insert("studies", row)
    index.add(study_id, row)
    return study_id


def insert_pdf_content(cmd: Command, index: DedupIndex, study_id: int, *, path: Path, sha256: str,
                       stored_path: str | None, pages: list[str]) -> None:
    """The file row and one row per page of text."""
    file_id = cmd.insert("files", {
        "study_id": study_id,
        "sha256": sha256,
        "original_path": str(path),
        "stored_path": stored_path,
        "size": path.stat().st_size,
    })
    index.add_file(file_id, sha256, study_id)
    for number, text in enumerate(pages, start=1):
        cmd.insert("pages", {"study_id": study_id, "page_no": number, "text": text})


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def parse_year(value: Any) -> int | None:
    """The year as a number from 2019, "2019", "2019///", "2019-05-01" or "May 2019"; None when there is none."""
    if isinstance(value, int):
        return value if 1000 <= value <= 2999 else None
    found = _YEAR.search(str(value or ""))
    return int(found.group(0)) if found else None


_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
