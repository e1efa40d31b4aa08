"""Import one reference export (RIS, BibTeX, CSV/TSV) as one command: every new record, or nothing.

The file is parsed completely first (``parse_reference_file``, in the job's thread); a malformed file becomes a
single failed outcome naming the line, and the library is not touched. The records are then written by one op
(``write_references``) inside the write transaction: each is checked for duplicates against the library as it is
*now* (another import of the same export may have finished a moment ago) and against the records before it in the
same file, and gets its own outcome. A BibTeX entry that is malformed on its own fails alone, with its line.
"""

from __future__ import annotations

from pathlib import Path

from litreview.importing.dedup import DedupIndex
from litreview.importing.outcomes import ImportOutcome, study_label
from litreview.importing.references import Reference, ReferenceFormatError, read_references
from litreview.importing.sources import Source, record_source, recorded_source_id
from litreview.importing.study_rows import insert_study, study_row
from litreview.store import Library

EMPTY_RECORD = "empty record: no title, abstract, DOI or identifier"
KIND_NAMES = {"ris": "RIS", "bibtex": "BibTeX", "csv": "CSV"}


class _NothingNew(Exception):
    """Every record was a duplicate or empty: roll back so the undo stack gets no empty command."""


def parse_reference_file(path: Path, kind: str) -> list[Reference] | ImportOutcome:
    """The file's records, or the one failed outcome that says why the file cannot be read."""
    try:
        return read_references(path)
    except ReferenceFormatError as error:
        return ImportOutcome(str(path), "failed", f"{KIND_NAMES[kind]} file not imported: {error}")


def write_references(library: Library, index: DedupIndex, path: Path, kind: str, references: list[Reference], *,
                     source: Source | None = None) -> tuple[list[ImportOutcome], int | None]:
    """Write the new records of one parsed export as one command; returns an outcome per record and the source
    id. Runs inside the file's write transaction, after ``index.sync``."""
    name = str(path)
    outcomes: list[ImportOutcome] = []
    source_id = recorded_source_id(library, source, path.name) if source else None
    try:
        with library.command(f"Import {path.name} ({len(references)} records)") as cmd:
            if source is not None:
                source_id = record_source(cmd, source, path.name)
            for ref in references:
                title = ref.fields.get("title") or None
                if ref.problem:
                    outcomes.append(ImportOutcome(name, "failed", ref.problem, record=ref.number, title=title))
                    continue
                if ref.is_empty():
                    outcomes.append(ImportOutcome(name, "failed", EMPTY_RECORD, record=ref.number))
                    continue
                row = study_row(ref.fields, source=kind, source_ref=f"{path.name}#{ref.number}", extra=ref.extra)
                row["source_id"] = source_id
                match = index.find(row)
                if match is not None:
                    outcomes.append(ImportOutcome(name, "duplicate", match.reason(study_label(library, match.study_id)),
                                                  None, match.study_id, record=ref.number, title=row["title"]))
                    continue
                study_id = insert_study(cmd, index, row)
                cmd.feedback("import", study_id=study_id, source=kind, file=path.name, record=ref.number)
                outcomes.append(ImportOutcome(name, "imported", None, study_id, None, record=ref.number,
                                              title=row["title"]))
            if not cmd.changes.tables:
                raise _NothingNew()
    except _NothingNew:
        pass
    return outcomes, source_id
