"""Import one reference export (RIS, BibTeX, CSV/TSV) as one command: every new record, or nothing.

The file is parsed completely first; a malformed file becomes a single failed outcome naming the line, and the
library is not touched. Each record is then checked for duplicates, against the library and against the records
before it in the same file, and gets its own outcome.
"""

from __future__ import annotations

from pathlib import Path

from litreview.importing.dedup import DedupIndex
from litreview.importing.outcomes import ImportOutcome
from litreview.importing.references import ReferenceFormatError, read_references
from litreview.importing.study_rows import insert_study, study_row
from litreview.store import Library

EMPTY_RECORD = "empty record: no title, abstract, DOI or identifier"


class _NothingNew(Exception):
    """Every record was a duplicate or empty: roll back so the undo stack gets no empty command."""


def import_reference_file(library: Library, index: DedupIndex, path: Path, kind: str) -> list[ImportOutcome]:
    name = str(path)
    try:
        references = read_references(path)
    except ReferenceFormatError as error:
        return [ImportOutcome(name, "failed", f"{_KIND_NAMES[kind]} file not imported: {error}")]
    outcomes: list[ImportOutcome] = []
    try:
        with index.pending(), library.command(f"Import {path.name} ({len(references)} records)") as cmd:
            for ref in references:
                if ref.is_empty():
                    outcomes.append(ImportOutcome(name, "failed", EMPTY_RECORD, record=ref.number))
                    continue
                row = study_row(ref.fields, source=kind, source_ref=f"{path.name}#{ref.number}", extra=ref.extra)
                match = index.find(row)
                if match is not None:
                    outcomes.append(ImportOutcome(name, "duplicate", match.reason(), None, match.study_id,
                                                  record=ref.number))
                    continue
                study_id = insert_study(cmd, index, row)
                cmd.feedback("import", study_id=study_id, source=kind, file=path.name, record=ref.number)
                outcomes.append(ImportOutcome(name, "imported", None, study_id, None, record=ref.number))
            if not any(o.status == "imported" for o in outcomes):
                raise _NothingNew()
    except _NothingNew:
        pass
    return outcomes


_KIND_NAMES = {"ris": "RIS", "bibtex": "BibTeX", "csv": "CSV"}
