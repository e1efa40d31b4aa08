"""PDF reader processes: each reads one file at a time, under a deadline, and can be stopped on its own.

PyMuPDF is not thread-safe and a damaged file may crash its process, so PDFs are read in separate processes.
A standard process pool cannot stop one task, and a hostile file (a page whose drawing never ends) keeps MuPDF
busy for half an hour with the GIL held. Owning the processes gives three things a pool does not:

* a per-file deadline: the reader still busy when it passes is killed and replaced, and the file gets a
  "took too long" outcome; the batch goes on;
* the exact culprit of a crash: a reader that dies held one known file. It is read once more by a fresh reader
  (a reader killed from outside, say for memory, must not cost a good file); a second death is its outcome;
* a prompt stop: readers hold nothing worth saving, so a cancel, Ctrl+C or the end of the batch kills them
  instead of waiting for the file they are on.

Readers fork from multiprocessing's fork server where the OS has one (they start in milliseconds with PyMuPDF
already loaded, and never inherit the app's threads or SQLite handles), else they are spawned. They die with the
program (``lifeline``). The parent never imports PyMuPDF itself (seconds of start-up for the CLI).
"""

from __future__ import annotations

import multiprocessing
import time
from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path

from litreview.importing.pdf_reading import PdfReading
from litreview.jobs import Cancelled, CancelToken

DEFAULT_TIMEOUT_S = 60.0
TOO_SLOW = ("took too long to read (more than {seconds:g} s; a page of it may be built never to finish): nothing "
            "was imported from it. A longer reader timeout may let it through")
CRASHED = "the PDF reader crashed on this file (damaged PDF?); nothing was imported from it"
# How often a wait looks at the cancel token and the deadlines when no reader has finished.
TICK_S = 0.2
# A reader that dies is replaced and its file read once more; a file that kills two readers is the culprit.
ATTEMPTS = 2


def _serve(conn: Connection) -> None:
    """A reader's entry point. It imports the reader module only in the child, so the parent never loads PyMuPDF
    (pickling a function from that module would import it here)."""
    from litreview.importing.pdf_worker import serve

    serve(conn)


def pool_context() -> multiprocessing.context.BaseContext:
    """The fork server where the OS has one, else spawn (Windows, macOS by default)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["litreview.importing.reader_server"])
        return context
    return multiprocessing.get_context("spawn")


@dataclass
class _Reader:
    process: BaseProcess
    conn: Connection
    task: tuple[Hashable, str, int] | None = None  # (key, path, attempt)
    deadline: float = float("inf")


class ReaderPool:
    """Up to ``size`` reader processes. ``submit`` queues a file under a key; ``wait(key)`` returns its
    ``PdfReading`` (a failure with the reason when it took too long or crashed its readers). Use as a context
    manager: leaving it kills the readers at once."""

    def __init__(self, size: int, timeout: float | None = DEFAULT_TIMEOUT_S):
        self.size = max(1, size)
        self.timeout = timeout if timeout and timeout > 0 else None
        self.readers: list[_Reader] = []
        self.queue: deque[tuple[Hashable, str, int]] = deque()
        self.done: dict[Hashable, PdfReading] = {}
        self._context = pool_context()

    def __enter__(self) -> ReaderPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, key: Hashable, path: Path | str) -> None:
        self.queue.append((key, str(path), 1))
        self._dispatch()

    def wait(self, key: Hashable, cancel: CancelToken | None = None) -> PdfReading:
        """The reading of ``key`` (submitted before); raises ``Cancelled`` as soon as ``cancel`` fires."""
        while key not in self.done:
            if cancel is not None and cancel.cancelled:
                raise Cancelled()
            self._dispatch()
            if not self.queue and all(r.task is None for r in self.readers):
                raise KeyError(f"{key!r} was never submitted")
            self._collect()
        return self.done.pop(key)

    def close(self) -> None:
        """Kill every reader (they hold only what they are reading) and reap them."""
        readers, self.readers = self.readers, []
        for reader in readers:
            if reader.process.is_alive():
                reader.process.kill()
        for reader in readers:
            self._reap(reader)
        self.queue.clear()

    # -- inside ------------------------------------------------------------------------------------------
    def _dispatch(self) -> None:
        """Hand queued files to idle readers, starting readers up to ``size``."""
        while self.queue:
            reader = next((r for r in self.readers if r.task is None), None)
            if reader is None:
                if len(self.readers) >= self.size:
                    return
                reader = self._start()
            key, path, attempt = self.queue.popleft()
            try:
                reader.conn.send(path)
            except OSError:  # it died while idle: drop it, the file goes back to the front
                self._retire(reader)
                self.queue.appendleft((key, path, attempt))
                continue
            reader.task = (key, path, attempt)
            reader.deadline = time.monotonic() + self.timeout if self.timeout else float("inf")

    def _start(self) -> _Reader:
        parent_end, child_end = self._context.Pipe(duplex=True)
        process = self._context.Process(target=_serve, args=(child_end,), name="litreview-pdf-reader", daemon=True)
        process.start()
        child_end.close()  # the child's end lives only in the child, so its death reads as end-of-file here
        reader = _Reader(process, parent_end)
        self.readers.append(reader)
        return reader

    def _collect(self) -> None:
        """Wait briefly for any busy reader; take in results, crashes and missed deadlines."""
        busy = [r for r in self.readers if r.task is not None]
        if not busy:
            return
        now = time.monotonic()
        pause = max(0.0, min(TICK_S, min(r.deadline for r in busy) - now))
        ready = set(wait([r.conn for r in busy], timeout=pause))
        for reader in busy:
            if reader.conn in ready:
                self._receive(reader)
        now = time.monotonic()
        for reader in busy:
            if reader.task is not None and now >= reader.deadline:
                key = reader.task[0]
                self._retire(reader)
                self.done[key] = PdfReading(failure=TOO_SLOW.format(seconds=self.timeout))

    def _receive(self, reader: _Reader) -> None:
        assert reader.task is not None
        key, path, attempt = reader.task
        try:
            reading = reader.conn.recv()
        except (EOFError, OSError):  # the reader died on this file
            self._retire(reader)
            if attempt < ATTEMPTS:
                self.queue.appendleft((key, path, attempt + 1))
            else:
                self.done[key] = PdfReading(failure=CRASHED)
            return
        reader.task = None
        reader.deadline = float("inf")
        self.done[key] = reading

    def _retire(self, reader: _Reader) -> None:
        """Kill a reader (stuck, dead or broken) and forget it; a new one starts when a file needs it."""
        if reader.process.is_alive():
            reader.process.kill()
        self._reap(reader)
        if reader in self.readers:
            self.readers.remove(reader)

    @staticmethod
    def _reap(reader: _Reader) -> None:
        reader.process.join(timeout=5)
        reader.conn.close()
        if reader.process.exitcode is not None:
            reader.process.close()
