"""One import batch: any mix of PDFs, reference exports and folders, each input ending in an outcome.

Folders are walked (sorted, hidden files skipped) for the formats litreview reads; a file named explicitly in
an unknown format is reported, a stray file in a folder is not. Inputs are handled in order; PDFs are read
ahead in worker processes (``pdf_import``), reference exports are parsed here, and each file is written as one
command. The cancel token is checked between files, so a cancel or Ctrl+C never splits a file's write.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from pathlib import Path

from litreview.importing.dedup import DedupIndex
from litreview.importing.outcomes import ImportOutcome, new_batch_id, record_outcomes
from litreview.importing.pdf_import import PdfReadAhead, default_workers, write_pdf
from litreview.importing.reference_import import import_reference_file
from litreview.importing.references import reference_kind
from litreview.jobs import CancelToken, ProgressCallback, ProgressEvent, no_progress
from litreview.store import Library, inline
from litreview.store.writer import Write

log = logging.getLogger(__name__)

STAGE = "import"
UNKNOWN_FORMAT = "not a format litreview imports (PDF, RIS, BibTeX, CSV/TSV)"


def import_paths(library: Library, paths: list[Path | str] | Path | str, *, link: bool = False,
                 progress: ProgressCallback = no_progress, cancel: CancelToken | None = None,
                 workers: int | None = None, write: Write | None = None) -> list[ImportOutcome]:
    """Import files and folders into ``library``; return one outcome per file and per reference record.

    Each progress event carries the outcomes of the file just finished in ``event.data["outcomes"]``
    (dicts), so a caller can show them as they come. When ``cancel`` fires, the batch stops before the next
    file and returns what was done; every file finished so far stays imported. ``write`` runs each file's
    write (the app's one writer); by default it runs on ``library``.
    """
    write = write or inline(library)
    if isinstance(paths, (str, Path)):
        paths = [paths]  # one path, not the characters of a string
    inputs = collect_inputs([Path(p).expanduser() for p in paths])
    batch = new_batch_id()
    index = DedupIndex.load(library)
    pdfs = [path for path, kind in inputs if kind == "pdf"]
    outcomes: list[ImportOutcome] = []
    progress(ProgressEvent(STAGE, 0, len(inputs), "starting", {"batch": batch, "outcomes": []}))
    # One undo step for the batch (one input's command is a step of its own, with its own words)
    step = library.step(f"Import {len(inputs)} files") if len(inputs) > 1 else contextlib.nullcontext()
    with step, PdfReadAhead(pdfs, index, workers or default_workers(len(pdfs))) as reader:
        readings = iter(reader)
        for done, (path, kind) in enumerate(inputs, start=1):
            if cancel is not None and cancel.cancelled:
                break
            try:
                if kind == "pdf":
                    _, sha, reading = next(readings)
                    found = [write(lambda lib, p=path, s=sha, r=reading: write_pdf(lib, index, p, s, r, link=link))]
                elif kind is None:
                    found = [ImportOutcome(str(path), "failed", _missing_or_unknown(path))]
                else:
                    found = write(lambda lib, p=path, k=kind: import_reference_file(lib, index, p, k))
            except (sqlite3.Error, OSError) as error:  # its command rolled back; the batch goes on
                log.warning("could not save %s: %s", path, error, exc_info=log.isEnabledFor(logging.DEBUG))
                found = [ImportOutcome(str(path), "failed", f"could not be saved in the library: {error}")]
            write(lambda lib, f=found: record_outcomes(lib, batch, f))
            outcomes.extend(found)
            progress(ProgressEvent(STAGE, done, len(inputs), path.name,
                                   {"batch": batch, "outcomes": [o.as_dict() for o in found]}))
    return outcomes


def collect_inputs(paths: list[Path]) -> list[tuple[Path, str | None]]:
    """(file, kind) for every input: kind is "pdf", "ris", "bibtex", "csv", or None (missing or unknown)."""
    inputs: list[tuple[Path, str | None]] = []
    seen: set[Path] = set()

    def add(path: Path, kind: str | None) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            inputs.append((path, kind))

    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                    kind = file_kind(child)
                    if kind and not (child.suffix.lower() == ".txt" and not _looks_like_ris(child)):
                        add(child, kind)
        else:
            add(path, file_kind(path) if path.is_file() else None)
    return inputs


def file_kind(path: Path) -> str | None:
    if path.suffix.lower() == ".pdf":
        return "pdf"
    return reference_kind(path)


def _looks_like_ris(path: Path) -> bool:
    """A .txt in a folder is imported only if it is a RIS export (notes and READMEs are left alone)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return b"TY  - " in head


def _missing_or_unknown(path: Path) -> str:
    if not path.exists():
        return "file not found"
    if not path.is_file():
        return "not a file"
    return UNKNOWN_FORMAT
