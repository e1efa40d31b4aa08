"""One import batch: any mix of PDFs, reference exports and folders, each input ending in an outcome.

Folders are walked (sorted, hidden files skipped) for the formats litreview reads; a file named explicitly in
an unknown format is reported, a stray file in a folder is not. Inputs are handled in order; PDFs are read
ahead in reader processes (``pdf_import``), reference exports are parsed here, and each file is written by one
*op* (``write(op)`` runs ``op(library)``: at once on this library by default, on the app's writer thread there),
which repeats the duplicate check inside its write transaction and records the file's outcomes with it; the
batch's commands form one undo step. This library is only read (the duplicate index, settings, sources). The
cancel token is checked between files and while waiting for a reader, so a cancel or Ctrl+C never splits a
file's write and never waits for a slow file.

A library that cannot take a write (a full disk, a read-only folder) stops the batch cleanly: what was written
stays, the report says why it stopped (``ImportReport.stopped``), and nothing raises.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from litreview.errors import NO_SPACE, LibraryError
from litreview.importing.dedup import DedupIndex
from litreview.importing.outcomes import ImportOutcome, ImportReport, new_batch_id, record_outcomes
from litreview.importing.pdf_import import PdfReadAhead, default_workers, write_pdf
from litreview.importing.reference_import import parse_reference_file, write_references
from litreview.importing.references import reference_kind
from litreview.importing.settings import check_timeout, reader_timeout
from litreview.importing.sources import Source, SourceChoice, existing_source_id, source_for
from litreview.jobs import Cancelled, CancelToken, ProgressCallback, ProgressEvent, no_progress
from litreview.store import Library, Write, inline

log = logging.getLogger(__name__)

STAGE = "import"
UNKNOWN_FORMAT = "not a format litreview imports (PDF, RIS, BibTeX, CSV/TSV)"

FileWrite = Callable[[Library], tuple[list[ImportOutcome], int | None]]


def import_paths(library: Library, paths: Sequence[Path | str] | Path | str, *, link: bool = False,
                 progress: ProgressCallback = no_progress, cancel: CancelToken | None = None,
                 workers: int | None = None, write: Write | None = None,
                 source: SourceChoice | dict[str, SourceChoice] | None = None,
                 timeout: float | None = None) -> ImportReport:
    """Import files and folders into ``library``; return one outcome per file and per reference record.

    ``source`` names where the records come from (``("PubMed", "database")``; one for every file, or a dict
    keyed by file name); files without one take the source remembered for their name. ``timeout`` is the
    seconds a reader may spend on one PDF (default: the library's setting, 60 s). ``write`` runs each file's
    op (default: at once on ``library``). Each progress event carries the outcomes of the file just finished in
    ``event.data["outcomes"]`` (dicts). When ``cancel`` fires, the batch stops before the next file and returns
    what was done; every file finished so far stays imported.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]  # one path, not the characters of a string
    write = write or inline(library)
    inputs = collect_inputs([Path(p).expanduser() for p in paths])
    sources = {path: source_for(path, source, library) for path, _ in inputs}  # a bad source fails before any work
    seconds = reader_timeout(library) if timeout is None else check_timeout(timeout)
    report = ImportReport(new_batch_id())
    index = DedupIndex.load(library)
    pdfs = [path for path, kind in inputs if kind == "pdf"]
    progress(ProgressEvent(STAGE, 0, len(inputs), "starting", {"batch": report.batch, "outcomes": []}))
    # One undo step for the batch (one input's command is a step of its own, with its own words)
    step = _step(write, f"Import {len(inputs)} files") if len(inputs) > 1 else contextlib.nullcontext()
    try:
        with step as group, PdfReadAhead(pdfs, index, workers or default_workers(len(pdfs)), timeout=seconds,
                                cancel=cancel) as reader:
            readings = iter(reader)
            for done, (path, kind) in enumerate(inputs, start=1):
                if cancel is not None and cancel.cancelled:
                    break
                try:
                    body = _file_write(index, path, kind, readings, link=link, source=sources[path])
                except Cancelled:
                    break
                try:
                    found = write(_op(index, report.batch, path, body, group))
                except LibraryError as error:  # the library takes no more writes: stop, keep what is saved
                    report.append(ImportOutcome(str(path), "failed", f"not saved: {error}"))
                    report.stopped = str(error)
                    progress(ProgressEvent(STAGE, done, len(inputs), path.name,
                                           {"batch": report.batch, "outcomes": [report[-1].as_dict()],
                                            "stopped": report.stopped}))
                    break
                report.extend(found)
                progress(ProgressEvent(STAGE, done, len(inputs), path.name,
                                       {"batch": report.batch, "outcomes": [o.as_dict() for o in found]}))
    except LibraryError as error:  # opening or closing the batch's undo step failed the same way
        report.stopped = report.stopped or str(error)
    return report


def _file_write(index: DedupIndex, path: Path, kind: str | None, readings, *, link: bool,
                source: Source | None) -> FileWrite:
    """What one input writes, prepared outside the write lock (reading a PDF, parsing an export)."""
    if kind == "pdf":
        _, sha, reading = next(readings)
        return lambda lib: _one(write_pdf(lib, index, path, sha, reading, link=link, source=source))
    if kind is None:
        failed = ImportOutcome(str(path), "failed", _missing_or_unknown(path))
        return lambda lib: ([failed], existing_source_id(lib, source) if source else None)
    parsed = parse_reference_file(path, kind)
    if isinstance(parsed, ImportOutcome):
        return lambda lib: ([parsed], existing_source_id(lib, source) if source else None)
    return lambda lib: write_references(lib, index, path, kind, parsed, source=source)


def _one(result: tuple[ImportOutcome, int | None]) -> tuple[list[ImportOutcome], int | None]:
    return [result[0]], result[1]


@contextlib.contextmanager
def _step(write: Write, label: str) -> Iterator[int | None]:
    """``Library.step`` through ``write``: the batch's commands form one undo step (a group opened by an op),
    unless the ops already run inside a group (the app's writer running a larger job). Yields the group id."""
    if write(lambda lib: lib.current_group) is not None:
        yield None
        return
    group = write(lambda lib: lib.open_group(label))
    try:
        yield group
    finally:
        write(lambda lib: lib.close_group(group))


def _op(index: DedupIndex, batch: str, path: Path, body: FileWrite, group: int | None
        ) -> Callable[[Library], list[ImportOutcome]]:
    """One file's op: the duplicate index brought up to date under the write lock, the file's command (in the
    batch's undo step) and its outcomes, all in one transaction. A file that cannot be saved fails alone; a
    library that takes no more writes raises ``LibraryError`` (the batch stops)."""

    def op(lib: Library) -> list[ImportOutcome]:
        joined = lib.current_group is None and group is not None
        if joined:
            lib.current_group = group
        try:
            return _write_file(lib)
        finally:
            if joined:
                lib.current_group = None

    def _write_file(lib: Library) -> list[ImportOutcome]:
        try:
            with index.pending(), lib.atomic():
                index.sync(lib)
                outcomes, source_id = body(lib)
                record_outcomes(lib, batch, outcomes, source_id)
            return outcomes
        except OSError as error:
            if error.errno in NO_SPACE:
                raise LibraryError(f"no space left to store {path.name} in {lib.folder} ({error.strerror}): free "
                                   "some space and run the same import again to finish") from error
            reason = f"could not be saved in the library: {error.strerror or error}"
        except sqlite3.Error as error:  # its transaction rolled back; the batch goes on
            log.warning("could not save %s: %s", path, error, exc_info=log.isEnabledFor(logging.DEBUG))
            reason = f"could not be saved in the library: {error}"
        failed = [ImportOutcome(str(path), "failed", reason)]
        record_outcomes(lib, batch, failed)
        return failed

    return op


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
