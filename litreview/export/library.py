"""Export the library's studies as RIS, BibTeX or CSV, the formats reference managers and spreadsheets read.

Each writer produces text that litreview's own importer reads back to the same studies (the tests round-trip
them). The CSV goes through the shared formula guard (``csv_safe``: PDF text is untrusted); the importer removes
the guard again. BibTeX keys come from ``citekeys``, which every other export that cites uses too. Files are
written to a temporary name and renamed (``files``), so a failed export never leaves half a file behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import bibtexparser
import rispy
from bibtexparser.model import Entry, Field

from litreview.export import csv_safe
from litreview.export.citekeys import citation_keys
from litreview.export.files import atomic_text
from litreview.store import Library

CSV_COLUMNS = ["id", "title", "authors", "year", "doi", "venue", "abstract", "pages", "source", "needs_ocr",
               "decision"]


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
    with atomic_text(path) as out:
        out.write(rispy.dumps(references))
    return Path(path)


def write_bibtex(library: Library, path: str | Path) -> Path:
    bib = bibtexparser.Library()
    studies = library.studies()
    keys = citation_keys(studies)
    for study in studies:
        fields = []
        for name, value in (("title", study["title"]),
                            ("author", " and ".join(_name_family_first(a) for a in study["authors"])),
                            ("year", study["year"]), ("doi", study["doi"]), ("journal", study["venue"]),
                            ("abstract", study["abstract"])):
            if value not in (None, ""):
                fields.append(Field(name, _bibtex_escape(_one_line(str(value)))))
        entry_type = study["extra"].get("entry_type") or "article"
        bib.add(Entry(entry_type, keys[study["id"]], fields))
    with atomic_text(path) as out:
        out.write(bibtexparser.write_string(bib))
    return Path(path)


def write_csv(library: Library, path: str | Path) -> Path:
    """One row per study; ``decision`` is the latest stage's decision (full text once there is one)."""
    decisions = dict(library.conn.execute(
        "SELECT study_id, decision FROM decisions ORDER BY study_id, stage = 'full_text'").fetchall())
    with atomic_text(path, encoding="utf-8-sig") as out:  # the BOM makes Excel read UTF-8 correctly
        writer = csv_safe.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for study in library.studies():
            writer.writerow((
                study["id"], study["title"], "; ".join(_name_family_first(a) for a in study["authors"]),
                study["year"], study["doi"], study["venue"], study["abstract"], study["n_pages"], study["source"],
                study["needs_ocr"], decisions.get(study["id"]),
            ))
    return Path(path)


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
