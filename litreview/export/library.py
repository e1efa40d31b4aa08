"""Export the library's studies as RIS, BibTeX or CSV, the formats reference managers and spreadsheets read.

Each writer produces text that litreview's own importer reads back to the same studies (the tests round-trip
them). CSV cells that a spreadsheet would run as a formula (starting with = + - @, tab or carriage return) get a
leading apostrophe (OWASP's advice against CSV injection: PDF text is untrusted); the importer removes it again.
Files are written to a temporary name and renamed, so a failed export never leaves half a file behind.
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import bibtexparser
import rispy
from bibtexparser.model import Entry, Field

from litreview.store import Library

CSV_COLUMNS = ["id", "title", "authors", "year", "doi", "venue", "abstract", "pages", "source", "needs_ocr",
               "decision"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_ris(library: Library, path: str | Path) -> Path:
    references = []
    for study in library.studies():
        entry: dict[str, Any] = {"type_of_reference": study["extra"].get("type_of_reference") or "JOUR"}
        _put(entry, "title", study["title"])
        if study["authors"]:
            entry["authors"] = [_name_family_first(a) for a in study["authors"]]
        _put(entry, "year", study["year"])
        _put(entry, "doi", study["doi"])
        _put(entry, "abstract", study["abstract"])
        _put(entry, "secondary_title", study["venue"])
        references.append(entry)
    with _atomic_text(path) as out:
        out.write(rispy.dumps(references))
    return Path(path)


def write_bibtex(library: Library, path: str | Path) -> Path:
    bib = bibtexparser.Library()
    keys: set[str] = set()
    for study in library.studies():
        fields = []
        for name, value in (("title", study["title"]),
                            ("author", " and ".join(_name_family_first(a) for a in study["authors"])),
                            ("year", study["year"]), ("doi", study["doi"]), ("journal", study["venue"]),
                            ("abstract", study["abstract"])):
            if value not in (None, ""):
                fields.append(Field(name, _bibtex_escape(_one_line(str(value)))))
        entry_type = study["extra"].get("entry_type") or "article"
        bib.add(Entry(entry_type, _unique_key(study, keys), fields))
    with _atomic_text(path) as out:
        out.write(bibtexparser.write_string(bib))
    return Path(path)


def write_csv(library: Library, path: str | Path) -> Path:
    decisions = dict(library.conn.execute("SELECT study_id, decision FROM decisions").fetchall())
    with _atomic_text(path, encoding="utf-8-sig") as out:  # the BOM makes Excel read UTF-8 correctly
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for study in library.studies():
            writer.writerow([_cell(v) for v in (
                study["id"], study["title"], "; ".join(_name_family_first(a) for a in study["authors"]),
                study["year"], study["doi"], study["venue"], study["abstract"], study["n_pages"], study["source"],
                study["needs_ocr"], decisions.get(study["id"]),
            )])
    return Path(path)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _put(entry: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, ""):
        entry[key] = _one_line(str(value))


# BibTeX/LaTeX specials, escaped so a value always parses (balanced braces) and decodes back to the same text.
# Letters outside ASCII stay UTF-8, which biber, modern BibTeX and every reference manager read.
_BIBTEX_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
                    "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}"}


def _bibtex_escape(text: str) -> str:
    return "".join(_BIBTEX_SPECIALS.get(char, char) for char in text)


def _one_line(text: str) -> str:
    """RIS and BibTeX values are one logical line; a line break in an abstract must not end the field."""
    return " ".join(text.split())


def _name_family_first(author: dict[str, str]) -> str:
    family, given = author.get("family") or "", author.get("given") or ""
    return f"{family}, {given}" if family and given else family or given


def _unique_key(study: dict[str, Any], keys: set[str]) -> str:
    """Citation key like ``smith2019nudging``; a/b/c suffixes keep keys unique within the file."""
    family = study["authors"][0].get("family", "") if study["authors"] else ""
    words = [w for w in re.findall(r"\w+", _ascii(study["title"] or "")) if len(w) > 3]
    base = (_ascii(family).replace(" ", "") + str(study["year"] or "") + (words[0] if words else "")).lower()
    base = re.sub(r"[^a-z0-9]", "", base) or f"study{study['id']}"
    key, suffix = base, 0
    while key in keys:
        suffix += 1
        key = base + chr(ord("a") + (suffix - 1) % 26) + ("" if suffix <= 26 else str(suffix))
    keys.add(key)
    return key


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


@contextlib.contextmanager
def _atomic_text(path: str | Path, encoding: str = "utf-8") -> Iterator[TextIO]:
    path = Path(path)
    partial = path.with_name(path.name + ".part")
    try:
        with open(partial, "w", encoding=encoding, newline="") as out:
            yield out
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
