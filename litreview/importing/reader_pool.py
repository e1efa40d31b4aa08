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

To keep a pool's throughput, a reader never waits for the parent: besides the file it reads it holds the next one
(the parent may be busy writing, or waiting for a core on a loaded machine), and says when it starts each file
(which is when that file's deadline starts). Files are read oldest first, as the import consumes them: a reader
that runs dry takes the oldest file not yet started, even one another reader holds (that reader is told to drop
it), so one slow file never leaves a reader idle while the file the import waits for sits behind it.

Readers fork from multiprocessing's fork server where the OS has one (they start in milliseconds with PyMuPDF
already loaded, and never inherit the app's threads or SQLite handles), else they are spawned. They die with the
program (``lifeline``). The parent never imports PyMuPDF itself (seconds of start-up for the CLI).
"""

from __future__ import annotations

import itertools
import multiprocessing
import time
from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass, field
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
# The order of a file a reader had begun when it was given to another reader: that other reader answers for it.
TAKEN_BACK = -1


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


@dataclass(frozen=True)
class _Task:
    order: int  # submission order: files are read oldest first
    key: Hashable
    path: str
    attempt: int = 1


@dataclass
class _Reader:
    process: BaseProcess
    conn: Connection
    current: _Task | None = None  # the file it said it started
    held: deque[_Task] = field(default_factory=deque)  # sent, not started yet (at most one)
    deadline: float = float("inf")  # for ``current``


class ReaderPool:
    """Up to ``size`` reader processes. ``submit`` queues a file under a key; ``wait(key)`` returns its
    ``PdfReading`` (a failure with the reason when it took too long or crashed its readers). Use as a context
    manager: leaving it kills the readers at once."""

    def __init__(self, size: int, timeout: float | None = DEFAULT_TIMEOUT_S):
        self.size = max(1, size)
        self.timeout = timeout if timeout and timeout > 0 else None
        self.readers: list[_Reader] = []
        self.queue: deque[_Task] = deque()
        self.done: dict[Hashable, PdfReading] = {}
        self._finished: set[Hashable] = set()
        self._order = itertools.count()
        self._context = pool_context()

    def __enter__(self) -> ReaderPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, key: Hashable, path: Path | str) -> None:
        self.queue.append(_Task(next(self._order), key, str(path)))
        self._dispatch()

    def wait(self, key: Hashable, cancel: CancelToken | None = None) -> PdfReading:
        """The reading of ``key`` (submitted before); raises ``Cancelled`` as soon as ``cancel`` fires."""
        while key not in self.done:
            if cancel is not None and cancel.cancelled:
                raise Cancelled()
            self._dispatch()
            if not self.queue and not any(r.current or r.held for r in self.readers):
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

    # -- handing files out ---------------------------------------------------------------------------------
    def _dispatch(self) -> None:
        """Idle readers (new ones up to ``size``) take the oldest file not started; then each busy reader that
        holds nothing takes the next queued file."""
        while True:
            idle = next((r for r in self.readers if r.current is None and not r.held), None)
            if idle is None and len(self.readers) < self.size and self.queue:
                idle = self._start()
            if idle is not None:
                task = self._oldest_unstarted()
                if task is None or not self._send(idle, task):
                    return
                continue
            spare = next((r for r in self.readers if not r.held), None)
            if spare is None or not self.queue or not self._send(spare, self.queue.popleft()):
                return

    def _oldest_unstarted(self) -> _Task | None:
        """The oldest file nobody reads yet: from the queue, or taken back from a busy reader that holds it."""
        holder = min((r for r in self.readers if r.current is not None and r.held), key=lambda r: r.held[0].order,
                     default=None)
        if holder is not None and (not self.queue or holder.held[0].order < self.queue[0].order):
            task = holder.held.popleft()
            try:
                holder.conn.send(("drop", task.key, None))
            except OSError:
                self._lost(holder)
            return task
        return self.queue.popleft() if self.queue else None

    def _send(self, reader: _Reader, task: _Task) -> bool:
        try:
            reader.conn.send(("read", task.key, task.path))
        except OSError:  # it died: the file goes back to the front of the queue
            self.queue.appendleft(task)
            self._lost(reader)
            return False
        reader.held.append(task)
        return True

    def _start(self) -> _Reader:
        parent_end, child_end = self._context.Pipe(duplex=True)
        process = self._context.Process(  # type: ignore[attr-defined]  # every concrete context has Process
            target=_serve, args=(child_end,), name="litreview-pdf-reader", daemon=True)
        process.start()
        child_end.close()  # the child's end lives only in the child, so its death reads as end-of-file here
        reader = _Reader(process, parent_end)
        self.readers.append(reader)
        return reader

    # -- taking results in ----------------------------------------------------------------------------------
    def _collect(self) -> None:
        """Wait briefly for any busy reader; take in starts, results, crashes and missed deadlines."""
        busy = [r for r in self.readers if r.current or r.held]
        if not busy:
            return
        pause = max(0.0, min(TICK_S, min(r.deadline for r in busy) - time.monotonic()))
        ready = set(wait([r.conn for r in busy], timeout=pause))
        for reader in busy:
            if reader.conn in ready:
                self._receive(reader)
        now = time.monotonic()
        for reader in busy:
            if reader in self.readers and reader.current is not None and now >= reader.deadline:
                if reader.current.order != TAKEN_BACK:
                    self._finish(reader.current, PdfReading(failure=TOO_SLOW.format(seconds=self.timeout)))
                reader.current = None
                self._lost(reader)

    def _receive(self, reader: _Reader) -> None:
        try:
            while reader.conn.poll():
                kind, key, reading = reader.conn.recv()
                if kind == "start":
                    task = next((t for t in reader.held if t.key == key), None)
                    if task is not None:
                        reader.held.remove(task)
                    reader.current = task or _Task(TAKEN_BACK, key, "")  # it began before it heard of the drop
                    reader.deadline = time.monotonic() + self.timeout if self.timeout else float("inf")
                else:
                    self._finish(reader.current, reading)
                    reader.current, reader.deadline = None, float("inf")
        except (EOFError, OSError):  # the reader died, on the file it had started
            task, reader.current = reader.current, None
            if task is not None and task.order != TAKEN_BACK:  # (a file taken back is answered by its new reader)
                if task.attempt < ATTEMPTS:
                    self.queue.appendleft(_Task(task.order, task.key, task.path, task.attempt + 1))
                else:
                    self._finish(task, PdfReading(failure=CRASHED))
            self._lost(reader)

    def _finish(self, task: _Task | None, reading: PdfReading) -> None:
        """A file's reading counts once: the first one (a file taken back may be read twice)."""
        if task is not None and task.key not in self._finished:
            self._finished.add(task.key)
            self.done[task.key] = reading

    def _lost(self, reader: _Reader) -> None:
        """Kill a reader (stuck, dead or broken) and forget it; the files it held but had not started go back to
        the front of the queue, and a new reader starts when a file needs one."""
        self.queue.extendleft(reversed(reader.held))
        reader.held.clear()
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
