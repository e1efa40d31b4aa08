"""The one writer of a library in a long-running program (the app): a thread that owns the writing connection.

Every change, a user's edit as much as a job's step, is an *op* (``op(library) -> result``) run on this thread in
the order it arrived (Anki's one collection worker; Datasette's write thread). Nothing else in the process
writes, so a quick edit never waits on SQLite's busy timeout behind a job: it waits at most for the op in front
of it, and jobs keep their ops small (one file, one study, one swap-in of a finished build).

A job's ops run inside its undo group (``submit(op, group=...)``), so a whole import or claims run is one undo
step while the user's own edits, queued between them, stay steps of their own.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from litreview.store.commands import Changes
from litreview.store.library import Library

log = logging.getLogger(__name__)

T = TypeVar("T")
Write = Callable[[Callable[[Library], Any]], Any]
"""How a job writes: ``write(op)`` runs ``op(library)`` on the library's writer and returns its result."""


class Writer:
    """Runs ops on one thread that owns the library's writing connection. ``close()`` drains and stops it."""

    def __init__(self, folder: str | Path, *, keep_groups: int | None = None,
                 on_changes: Callable[[Changes], None] | None = None):
        """``on_changes`` is called on the writer thread after every op submitted with ``notify`` that changed
        something, with what it changed (the app turns a job's changes into a refresh of the affected views).
        Every future also carries its op's ``changes`` once it is done."""
        self.folder = Path(folder)
        self._on_changes = on_changes
        self._queue: queue.SimpleQueue[tuple[Callable[[Library], Any], int | None, bool, Future] | None] = \
            queue.SimpleQueue()
        self._ready: Future[None] = Future()
        self._keep = keep_groups
        self._thread = threading.Thread(target=self._run, name="litreview-writer", daemon=True)
        self._thread.start()
        self._ready.result()  # opening errors (a damaged library) surface here, in the caller's thread

    def submit(self, op: Callable[[Library], T], *, group: int | None = None, notify: bool = False) -> Future[T]:
        """Queue ``op``; its commands join undo ``group`` when given. The future holds its result or exception,
        and (attribute ``changes``) what it changed."""
        future: Future[T] = Future()
        if not self._thread.is_alive():
            future.set_exception(RuntimeError("the library writer is closed"))
            return future
        self._queue.put((op, group, notify, future))
        return future

    def call(self, op: Callable[[Library], T], *, group: int | None = None, notify: bool = False) -> T:
        """Run ``op`` on the writer and wait for its result (re-raising its exception here)."""
        if threading.current_thread() is self._thread:
            raise RuntimeError("an op may not wait for another op (it would wait for itself)")
        return self.submit(op, group=group, notify=notify).result()

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def _run(self) -> None:
        try:
            library = Library(self.folder)
        except BaseException as error:  # noqa: BLE001 (handed to the opener)
            self._ready.set_exception(error)
            return
        if self._keep is not None:
            library.keep_groups = self._keep
        self._ready.set_result(None)
        try:
            while (item := self._queue.get()) is not None:
                op, group, notify, future = item
                if not future.set_running_or_notify_cancel():
                    continue
                library.current_group = group
                try:
                    result = op(library)
                except BaseException as error:  # noqa: BLE001 (the submitter decides what it means)
                    future.changes = library.take_changes()  # type: ignore[attr-defined]
                    future.set_exception(error)
                else:
                    changes = future.changes = library.take_changes()  # type: ignore[attr-defined]
                    if notify and self._on_changes is not None and changes.tables:
                        self._on_changes(changes)
                    future.set_result(result)
                finally:
                    library.current_group = None
        finally:
            library.close()


def inline(library: Library) -> Write:
    """How a job writes when it owns its library (the CLI, tests): each op runs at once on that library."""
    return lambda op: op(library)


class WriteThrough:
    """Stands in for a library where a core function only *records* something (an engine logging its LLM calls)
    while its own library is read-only: the record goes through ``write``."""

    def __init__(self, write: Write):
        self.write = write

    def record_llm_run(self, **fields: Any) -> int:
        return self.write(lambda library: library.record_llm_run(**fields))
