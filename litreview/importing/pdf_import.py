"""Import PDFs: read them in a process pool, write each one in the parent as one command.

Workers (``pdf_reader.read_pdf``) do the slow part, PyMuPDF parsing, in separate processes: PyMuPDF is not
thread-safe, a damaged file may crash its process, and two cores read twice as fast. Results are consumed in
input order, a few files ahead of the writer, so study ids and "which copy counts as the duplicate" do not
depend on timing. Only the parent writes SQLite, one ``library.command`` per file: a crash or a kill
mid-import leaves whole studies or nothing, and running the import again skips what is already there (by
sha256, checked before a file is even sent to a worker).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from litreview.importing.dedup import DedupIndex, Match, normalise_doi
from litreview.importing.outcomes import ImportOutcome
from litreview.importing.pdf_reading import PdfReading
from litreview.importing.study_rows import insert_pdf_content, insert_study, study_row
from litreview.store import Library, sha256_file

CRASHED = "the PDF reader crashed on this file (damaged PDF?); nothing was imported from it"


def _init_worker() -> None:
    from litreview.importing.pdf_worker import init_worker

    init_worker()


def _read_pdf(path: str) -> PdfReading:
    """Runs in a worker. The parent refers to the reader only through these two functions, so it never imports
    PyMuPDF itself (seconds of start-up for the CLI); the workers have it preloaded."""
    from litreview.importing.pdf_worker import read_pdf

    return read_pdf(path)


def default_workers(n_files: int) -> int:
    return max(1, min(os.cpu_count() or 1, n_files))


def _pool_context() -> multiprocessing.context.BaseContext:
    """forkserver where the OS has it (workers fork from a clean server that has PyMuPDF loaded, so they start
    fast and never inherit the app's threads or open SQLite handles), else spawn (Windows, macOS default)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["litreview.importing.pdf_worker"])
        return context
    return multiprocessing.get_context("spawn")


class PdfReadAhead:
    """Yields ``(path, sha256, reading)`` in input order while workers read the next files.

    ``reading`` is None for a file whose sha256 the library already holds: it is not parsed again. Use as a
    context manager; leaving it (normally, on cancel or on Ctrl+C) stops the workers without waiting for
    files that were read ahead.
    """

    def __init__(self, paths: list[Path], index: DedupIndex, workers: int):
        self.paths = paths
        self.index = index
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> PdfReadAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self._close_pool()

    def _close_pool(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None

    def _submit(self, path: Path, retry: bool = True) -> Future:
        if self.pool is None:
            self.pool = ProcessPoolExecutor(self.workers, mp_context=_pool_context(), initializer=_init_worker)
        try:
            return self.pool.submit(_read_pdf, str(path))
        except BrokenProcessPool:
            if not retry:
                raise
            # A worker died since the last file was handed out: start a fresh pool for this one. The files the
            # dead pool still held fail when their turn comes and are read again then (``_after_crash``).
            self._close_pool()
            return self._submit(path, retry=False)

    def __iter__(self) -> Iterator[tuple[Path, str | None, PdfReading | None]]:
        todo = deque(self.paths)
        window: deque[tuple[Path, str | None, Future | None]] = deque()
        ahead = 2 * self.workers + 2  # enough that every worker still has a queued file while the parent writes
        while todo or window:
            while todo and len(window) < ahead:
                path = todo.popleft()
                try:
                    sha = sha256_file(path)
                except OSError as error:
                    window.append((path, None, _failed_future(f"cannot be read: {error.strerror or error}")))
                    continue
                known = self.index.by_sha(sha) is not None
                window.append((path, sha, None if known else self._submit(path)))
            path, sha, future = window.popleft()
            if future is None:
                yield path, sha, None
                continue
            try:
                reading = future.result()
            except BrokenProcessPool:
                reading = self._after_crash(path, window)
            yield path, sha, reading

    def _after_crash(self, path: Path, window: deque) -> PdfReading:
        """A worker died. Read this file again alone to learn whether it is the culprit, then resubmit the
        files that were in flight to a fresh pool."""
        self._close_pool()
        with ProcessPoolExecutor(1, mp_context=_pool_context(), initializer=_init_worker) as lone:
            try:
                reading = lone.submit(_read_pdf, str(path)).result()
            except BrokenProcessPool:
                reading = PdfReading(failure=CRASHED)
        for position, (other, sha, future) in enumerate(window):
            finished = future is not None and future.done() and not future.cancelled() and future.exception() is None
            if future is not None and not finished:
                window[position] = (other, sha, self._submit(other))
        return reading


def _failed_future(reason: str) -> Future:
    future: Future = Future()
    future.set_result(PdfReading(failure=reason))
    return future


def write_pdf(library: Library, index: DedupIndex, path: Path, sha: str | None, reading: PdfReading | None,
              *, link: bool) -> ImportOutcome:
    """Turn one worker result into library rows (one command) and an outcome."""
    name = str(path)
    if sha is not None and (match := index.by_sha(sha)) is not None:
        return ImportOutcome(name, "duplicate", match.reason(), None, match.study_id)
    if reading is None or reading.failure:
        return ImportOutcome(name, "failed", reading.failure if reading else "cannot be read")
    fields = dict(reading.metadata)
    fields["pages"] = len(reading.pages)
    fields["needs_ocr"] = reading.needs_ocr
    extra = {"import_note": reading.note} if reading.note else {}
    titled = bool(fields.get("title"))
    if not titled:
        fields["title"] = path.stem  # something to show in lists; never used to find duplicates
        extra["title_from_file_name"] = True
    row = study_row(fields, source="pdf", source_ref=path.name, extra=extra, dedup_title=titled)
    match = index.find(row, same_record=False)
    if match is not None:
        return _duplicate_pdf(library, index, path, sha, reading, match, link=link)
    stored = None if link else library.store_file(path, sha)
    with index.pending(), library.command(f"Import {path.name}") as cmd:
        study_id = insert_study(cmd, index, row)
        insert_pdf_content(cmd, index, study_id, path=path.resolve(), sha256=sha, stored_path=stored,
                           pages=reading.pages)
        cmd.feedback("import", study_id=study_id, source="pdf", file=path.name, needs_ocr=reading.needs_ocr)
    return ImportOutcome(name, "imported", reading.note, study_id, None)


def _duplicate_pdf(library: Library, index: DedupIndex, path: Path, sha: str, reading: PdfReading, match: Match,
                   *, link: bool) -> ImportOutcome:
    """A PDF of a study already in the library. If that study came from a reference export and has no file yet,
    the PDF and its text are attached to it (nothing is lost, nothing is doubled); otherwise it is skipped."""
    has_file = library.conn.execute("SELECT 1 FROM files WHERE study_id = ?", (match.study_id,)).fetchone()
    if has_file:
        return ImportOutcome(str(path), "duplicate", match.reason(), None, match.study_id)
    stored = None if link else library.store_file(path, sha)
    study = library.study(match.study_id)
    changes = {"n_pages": len(reading.pages), "needs_ocr": 1 if reading.needs_ocr else 0}
    for key in ("abstract", "venue"):
        if not study.get(key) and reading.metadata.get(key):
            changes[key] = reading.metadata[key]
    if not study.get("doi") and normalise_doi(reading.metadata.get("doi")):
        changes["doi"] = normalise_doi(reading.metadata["doi"])
    with index.pending(), library.command(f"Attach {path.name}") as cmd:
        cmd.update("studies", match.study_id, changes)
        insert_pdf_content(cmd, index, match.study_id, path=path.resolve(), sha256=sha, stored_path=stored,
                           pages=reading.pages)
        cmd.feedback("attach_pdf", study_id=match.study_id, file=path.name, matched_by=match.why)
    reason = f"{match.reason()}: its PDF and full text were added to that study"
    return ImportOutcome(str(path), "duplicate", reason, match.study_id, match.study_id)
