"""Import PDFs: read them in reader processes, write each one as one op (one command) in the library's writer.

Readers (``reader_pool``) do the slow part, PyMuPDF parsing, each file under a deadline. Results are consumed
in input order, a few files ahead of the writer, so study ids and "which copy counts as the duplicate" do not
depend on timing. Each file is written by one op: one transaction that repeats the duplicate check under the
write lock (another import may have saved the same file a moment ago), copies the file into the store, writes
the study, its pages and its outcome. A crash or a kill mid-import leaves whole studies or nothing, and
running the import again skips what is already there (by sha256, checked before a file is even read).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from litreview.importing.dedup import DedupIndex, Match, normalise_doi
from litreview.importing.outcomes import ImportOutcome, study_label
from litreview.importing.pdf_reading import PdfReading
from litreview.importing.reader_pool import DEFAULT_TIMEOUT_S, ReaderPool
from litreview.importing.sources import Source, existing_source_id, record_source, recorded_source_id
from litreview.importing.study_rows import insert_pdf_content, insert_study, study_row
from litreview.jobs import CancelToken
from litreview.store import Library, sha256_file

CHANGED_MEANWHILE = "the study it matched was removed while this import ran; import the file again"


def default_workers(n_files: int) -> int:
    return max(1, min(os.cpu_count() or 1, n_files))


class PdfReadAhead:
    """Yields ``(path, sha256, reading)`` in input order while readers read the next files.

    ``reading`` is None for a file whose sha256 the library already holds: it is not parsed again. Use as a
    context manager; leaving it (normally, on cancel or on Ctrl+C) kills the readers without waiting for files
    that were read ahead. A cancel stops a wait for a reading at once (``Cancelled``).
    """

    def __init__(self, paths: list[Path], index: DedupIndex, workers: int, *,
                 timeout: float | None = DEFAULT_TIMEOUT_S, cancel: CancelToken | None = None):
        self.paths = paths
        self.index = index
        self.cancel = cancel
        self.pool = ReaderPool(workers, timeout)

    def __enter__(self) -> PdfReadAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.close()

    def __iter__(self) -> Iterator[tuple[Path, str | None, PdfReading | None]]:
        ahead = 2 * self.pool.size + 2  # enough that every reader still has a queued file while the parent writes
        known: dict[int, tuple[str | None, PdfReading | None, bool]] = {}  # position -> (sha, reading, sent)
        handed = 0
        for position, path in enumerate(self.paths):
            while handed < len(self.paths) and handed <= position + ahead:
                known[handed] = self._hand_out(handed, self.paths[handed])
                handed += 1
            sha, reading, sent = known.pop(position)
            if sent:
                reading = self.pool.wait(position, self.cancel)
            yield path, sha, reading

    def _hand_out(self, position: int, path: Path) -> tuple[str | None, PdfReading | None, bool]:
        try:
            sha = sha256_file(path)
        except OSError as error:
            return None, PdfReading(failure=f"cannot be read: {error.strerror or error}"), False
        if self.index.by_sha(sha) is not None:
            return sha, None, False
        self.pool.submit(position, path)
        return sha, None, True


def write_pdf(library: Library, index: DedupIndex, path: Path, sha: str | None, reading: PdfReading | None,
              *, link: bool, source: Source | None = None) -> tuple[ImportOutcome, int | None]:
    """Turn one reader result into library rows (one command) and an outcome; returns it with the source id.
    Runs inside the file's write transaction, after ``index.sync``, so the duplicate check holds until the commit.
    """
    name = str(path)
    source_id = recorded_source_id(library, source, path.name) if source else None
    if sha is not None:
        found = library.conn.execute("SELECT study_id FROM files WHERE sha256 = ?", (sha,)).fetchone()
        if found is not None:
            return _skipped(library, path, Match(found[0], "same file"), source, source_id)
    if reading is None or reading.failure:
        reason = reading.failure if reading else CHANGED_MEANWHILE
        return ImportOutcome(name, "failed", reason), existing_source_id(library, source) if source else None
    assert sha is not None
    fields = dict(reading.metadata)
    fields["pages"] = len(reading.pages)
    fields["needs_ocr"] = reading.needs_ocr
    extra: dict[str, Any] = {"import_note": reading.note} if reading.note else {}
    titled = bool(fields.get("title"))
    if not titled:
        fields["title"] = path.stem  # something to show in lists; never used to find duplicates
        extra["title_from_file_name"] = True
    row = study_row(fields, source="pdf", source_ref=path.name, extra=extra, dedup_title=titled)
    match = index.find(row, same_record=False)
    if match is not None:
        has_file = library.conn.execute("SELECT 1 FROM files WHERE study_id = ?", (match.study_id,)).fetchone()
        if has_file or library.study(match.study_id) is None:
            return _skipped(library, path, match, source, source_id, title=row["title"] if titled else None)
        return _attach(library, index, path, sha, reading, match, link=link, source=source)
    stored = None if link else library.store_file(path, sha)
    with library.command(f"Import {path.name}") as cmd:
        row["source_id"] = record_source(cmd, source, path.name) if source else None
        study_id = insert_study(cmd, index, row)
        insert_pdf_content(cmd, index, study_id, path=path.resolve(), sha256=sha, stored_path=stored,
                           pages=reading.pages)
        cmd.feedback("import", study_id=study_id, source="pdf", file=path.name, needs_ocr=reading.needs_ocr)
    return ImportOutcome(name, "imported", reading.note, study_id, None, title=row["title"]), row["source_id"]


def _skipped(library: Library, path: Path, match: Match, source: Source | None, source_id: int | None,
             title: str | None = None) -> tuple[ImportOutcome, int | None]:
    """A duplicate that adds nothing; its source is still recorded (PRISMA counts it as identified there). Its
    title is its own when it was read, else (the same file, not read again) the matched study's."""
    outcome = ImportOutcome(str(path), "duplicate", match.reason(study_label(library, match.study_id)), None,
                            match.study_id, title=title or _title(library, match.study_id))
    return outcome, _source_only(library, path, source, source_id)


def _source_only(library: Library, path: Path, source: Source | None, source_id: int | None) -> int | None:
    """Record a new source (or a file's new source) in a command of its own when nothing else is written: a
    duplicate still counts as identified in that source."""
    if source is None or source_id is not None:
        return source_id
    with library.command(f"Import {path.name}") as cmd:
        return record_source(cmd, source, path.name)


def _attach(library: Library, index: DedupIndex, path: Path, sha: str, reading: PdfReading, match: Match,
            *, link: bool, source: Source | None) -> tuple[ImportOutcome, int | None]:
    """A PDF of a study that came from a reference export and has no file yet: the PDF and its text are attached
    to that study (nothing is lost, nothing is doubled)."""
    study = library.study(match.study_id)
    assert study is not None
    label = study_label(library, match.study_id)
    title = reading.metadata.get("title") or study["title"]
    stored = None if link else library.store_file(path, sha)
    changes: dict[str, Any] = {"n_pages": len(reading.pages), "needs_ocr": 1 if reading.needs_ocr else 0}
    for key in ("abstract", "venue"):
        if not study.get(key) and reading.metadata.get(key):
            changes[key] = reading.metadata[key]
    if not study.get("doi") and normalise_doi(reading.metadata.get("doi")):
        changes["doi"] = normalise_doi(reading.metadata["doi"])
    with library.command(f"Attach {path.name}") as cmd:
        source_id = record_source(cmd, source, path.name) if source else None
        cmd.update("studies", match.study_id, changes)
        insert_pdf_content(cmd, index, match.study_id, path=path.resolve(), sha256=sha, stored_path=stored,
                           pages=reading.pages)
        cmd.feedback("attach_pdf", study_id=match.study_id, file=path.name, matched_by=match.why)
    reason = f"{match.reason(label)}: its PDF and full text were added to that study"
    return ImportOutcome(str(path), "duplicate", reason, match.study_id, match.study_id, title=title), source_id


def _title(library: Library, study_id: int) -> str | None:
    row = library.conn.execute("SELECT title FROM studies WHERE id = ?", (study_id,)).fetchone()
    return row[0] if row else None
