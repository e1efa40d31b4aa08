"""Read reference exports (RIS, BibTeX, CSV/TSV) into plain records, or refuse a damaged file with the line.

Parsing is done by well-kept libraries (rispy, bibtexparser 2); this module maps their output onto the study
fields and adds the structural checks they skip: rispy silently drops a record with no ``ER`` line, so a RIS or
CSV file with such damage is refused as a whole, naming the line, because importing "most" of an export leaves
the user unsure what is missing. BibTeX entries are self-delimiting, so a malformed entry fails alone, with its
line (``bibtex``). Titles, abstracts and venues lose the HTML tags exports leave in them (``markup``).

CSV/TSV covers PubMed/Scopus/Web of Science style columns and the ASReview/SYNERGY screening layout
(``record_id``, ``title``, ``abstract``, ``label_included``...); columns that are not study fields are kept
verbatim in the study's ``extra``.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from pathlib import Path
from typing import Any

import rispy

from litreview.importing.bibtex import parse_bibtex
from litreview.importing.reference_records import Reference, ReferenceFormatError, clean_text_fields, plain, split_name

REFERENCE_SUFFIXES = (".ris", ".txt", ".bib", ".bibtex", ".csv", ".tsv", ".csv.gz", ".tsv.gz")


def reference_kind(path: Path) -> str | None:
    """"ris", "bibtex" or "csv" for a reference export's file name, else None."""
    name = path.name.lower()
    if name.endswith((".ris", ".txt")):
        return "ris"
    if name.endswith((".bib", ".bibtex")):
        return "bibtex"
    if name.endswith((".csv", ".tsv", ".csv.gz", ".tsv.gz")):
        return "csv"
    return None


def read_references(path: Path) -> list[Reference]:
    kind = reference_kind(path)
    text = _read_text(path)
    if kind == "ris":
        return parse_ris(text)
    if kind == "bibtex":
        return parse_bibtex(text)
    if kind == "csv":
        delimiter = "\t" if ".tsv" in path.name.lower() else None
        return parse_csv(text, delimiter=delimiter)
    raise ReferenceFormatError(f"not a reference export litreview reads ({', '.join(REFERENCE_SUFFIXES)})")


def _read_text(path: Path) -> str:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            data = handle.read()
    except (OSError, EOFError) as error:
        raise ReferenceFormatError(f"cannot be read: {error}") from None
    if not data.strip():
        raise ReferenceFormatError("empty file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ReferenceFormatError(f"line {line}: not UTF-8 text; export it again as UTF-8") from None


# -- RIS ------------------------------------------------------------------------------------------------
_RIS_TAG = re.compile(r"^([A-Z][A-Z0-9])  -( |$)")
_RIS_COUNTER = re.compile(r"^\d+\.?\s*$")  # "1." lines some tools (and rispy) write between records


def parse_ris(text: str) -> list[Reference]:
    _check_ris_structure(text)
    try:
        entries = rispy.loads(text, skip_unknown_tags=False)
    except Exception as error:
        raise ReferenceFormatError(f"malformed RIS: {error}") from None
    return [_ris_reference(number, entry) for number, entry in enumerate(entries, start=1)]


def _check_ris_structure(text: str) -> None:
    """Every record runs from a ``TY  -`` line to an ``ER  -`` line; anything else is damage, named by line."""
    open_record: int | None = None  # line number of the current record's TY
    records = 0
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.rstrip("\r")
        match = _RIS_TAG.match(line)
        tag = match.group(1) if match else None
        if tag == "TY":
            if open_record is not None:
                raise ReferenceFormatError(
                    f"line {number}: record {records + 1} starts before record {records} (line {open_record}) "
                    "ended with 'ER  -'"
                )
            records += 1
            open_record = number
        elif tag == "ER":
            if open_record is None:
                raise ReferenceFormatError(f"line {number}: 'ER  -' without a record started by 'TY  -'")
            open_record = None
        elif line.strip() and open_record is None and records and not _RIS_COUNTER.match(line.strip()):
            # (lines before the first record are a preamble, as JSTOR writes "Provider: ..." there)
            raise ReferenceFormatError(f"line {number}: text between records (RIS records start with 'TY  -')")
    if open_record is not None:
        raise ReferenceFormatError(f"record {records} (line {open_record}) has no end line 'ER  -': the file is cut off")
    if records == 0:
        raise ReferenceFormatError("no RIS records found (they start with a line like 'TY  - JOUR')")


def _ris_reference(number: int, entry: dict[str, Any]) -> Reference:
    authors = entry.get("first_authors") or entry.get("authors") or []
    venue = entry.get("secondary_title") or entry.get("journal_name") or entry.get("alternate_title3") \
        or entry.get("alternate_title1") or entry.get("alternate_title2")
    fields = {
        "title": entry.get("primary_title") or entry.get("title"),
        "authors": [split_name(a) for a in authors],
        "year": entry.get("year") or entry.get("publication_year") or entry.get("date"),
        "doi": entry.get("doi"),
        "abstract": entry.get("abstract") or entry.get("notes_abstract"),
        "venue": venue,
    }
    used = {"first_authors", "authors", "primary_title", "title", "year", "publication_year", "doi", "abstract",
            "notes_abstract", "secondary_title", "journal_name", "alternate_title1", "alternate_title2",
            "alternate_title3"}
    extra = {k: plain(v) for k, v in entry.items() if k not in used}
    return Reference(number, clean_text_fields(fields), extra)


# -- CSV / TSV ------------------------------------------------------------------------------------------
# Column names (compared lower-case, spaces and dashes as "_") for each study field, in order of preference.
CSV_COLUMNS = {
    "title": ("title", "primary_title", "article_title", "document_title", "ti"),
    "abstract": ("abstract", "ab", "notes_abstract"),
    "authors": ("authors", "author", "author_full_names", "au", "af", "first_authors"),
    "year": ("year", "publication_year", "py", "pubyear", "date"),
    "doi": ("doi", "di"),
    "venue": ("venue", "journal", "source_title", "journal_name", "secondary_title", "so", "publication_title"),
}
# An export of a spreadsheet may put these first to stop formula injection; our own CSV export does.
FORMULA_GUARD = re.compile(r"^'(?=[=+\-@\t\r])")


def parse_csv(text: str, delimiter: str | None = None) -> list[Reference]:
    if delimiter is None:  # comma, or the semicolon a European-locale spreadsheet writes, or tab
        first_line = text.split("\n", 1)[0]
        delimiter = max((",", ";", "\t"), key=first_line.count)
    csv.field_size_limit(1 << 28)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as error:
        raise ReferenceFormatError(f"line 1: no header row ({error})") from None
    names = [_column(name) for name in header]
    mapping = {}
    for field_name, aliases in CSV_COLUMNS.items():
        for alias in aliases:
            if alias in names:
                mapping[field_name] = names.index(alias)
                break
    if "title" not in mapping and "abstract" not in mapping:
        found = ", ".join(h for h in header if h.strip()) or "none"
        raise ReferenceFormatError(f"line 1: no 'title' or 'abstract' column (columns found: {found[:200]})")
    used = set(mapping.values())
    references: list[Reference] = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise ReferenceFormatError(
                    f"line {reader.line_num}: record {len(references) + 1} has {len(row)} fields, the header has "
                    f"{len(header)} (a stray quote or {_DELIMITER_NAMES[delimiter]}?)"
                )
            cells = [FORMULA_GUARD.sub("", cell) for cell in row]
            fields: dict[str, Any] = {name: cells[index] for name, index in mapping.items()}
            fields["authors"] = [split_name(a) for a in _split_authors(fields.get("authors") or "")]
            extra = {header[i]: _number(cells[i]) for i in range(len(header)) if i not in used and cells[i] != ""}
            references.append(Reference(len(references) + 1, clean_text_fields(fields), extra))
    except csv.Error as error:
        raise ReferenceFormatError(f"line {reader.line_num}: malformed CSV ({error})") from None
    if not references:
        raise ReferenceFormatError("no records below the header row")
    return references


_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def _column(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _split_authors(value: str) -> list[str]:
    value = value.strip()
    if not value:
        return []
    if ";" in value:
        parts = value.split(";")
    elif " and " in value:
        parts = value.split(" and ")
    else:
        parts = [value]
    return [p.strip() for p in parts if p.strip()]


def _number(value: str) -> Any:
    """Screening labels and ids come back as numbers ("1" -> 1) so consumers need not guess."""
    return int(value) if re.fullmatch(r"-?(?:0|[1-9]\d{0,17})", value) else value  # "00123" stays text


__all__ = ["REFERENCE_SUFFIXES", "Reference", "ReferenceFormatError", "parse_bibtex", "parse_csv", "parse_ris",
           "read_references", "reference_kind", "split_name"]
