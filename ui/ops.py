"""The app's side of the one writer: every change the user makes is an op run there, and what it changed comes
back as a ``Changes`` the views refresh from (Anki's ``CollectionOp`` and ``OpChanges``).

A user's edit usually finishes in a few milliseconds, so ``run`` waits for it briefly and then refreshes at
once (the view under the user's hand never shows a stale state). If a job's op is ahead of it in the queue and
the wait runs out, the edit completes in the background and its refresh follows as a queued signal: the window
never freezes behind a job. A job's own writes (``job_write``) refresh through the same signal, coalesced.

Messages: a ``LitreviewError`` is shown as it is (it is meant for the user); anything else is a bug, logged with
its traceback, and the user is told where the log is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from litreview.errors import LitreviewError, report_bug
from litreview.store import Changes, Library, Write, Writer

log = logging.getLogger(__name__)

QUICK_WAIT_S = 0.25  # how long a user's edit may hold the GUI thread before it finishes in the background
COALESCE_MS = 300  # a running job's changes are redrawn at most this often


def user_message(error: BaseException, context: str) -> str:
    """The one line a user sees for a failure: the message of a user error, or the bug line (logged)."""
    if isinstance(error, LitreviewError):
        return str(error)
    return report_bug(error, context)


class Ops(QObject):
    changed = Signal(object)  # Changes, on the GUI thread, after the op (or a batch of a job's ops)
    error = Signal(str)  # one line for the user
    _finished = Signal(object, object, str)  # future, done callback, context (queued from the writer thread)
    _job_changed = Signal(object)  # Changes of a job's op (queued from the writer thread)

    def __init__(self, folder: Path, parent: QObject | None = None):
        super().__init__(parent)
        self._finished.connect(self._deliver)
        self._job_changed.connect(self._collect)
        self._pending = Changes()
        self._coalesce = QTimer(self, singleShot=True, interval=COALESCE_MS)
        self._coalesce.timeout.connect(self._flush_job_changes)
        self.writer = Writer(folder, on_changes=self._job_changed.emit)

    # -- the user's edits ---------------------------------------------------------------------------------
    def run(self, op: Callable[[Library], Any], *, context: str = "saving a change",
            done: Callable[[Any], None] | None = None) -> Future:
        """Run ``op`` on the writer; when it is done, call ``done(result)`` and announce what changed. A refused
        edit or a failure becomes an ``error`` line, never an exception in the GUI."""
        future = self.writer.submit(op)
        try:
            future.result(timeout=QUICK_WAIT_S)
        except FutureTimeout:
            future.add_done_callback(lambda f: self._finished.emit(f, done, context))
            return future
        except BaseException:  # noqa: BLE001 (delivered below, as a message)
            pass
        self._deliver(future, done, context)
        return future

    def call(self, op: Callable[[Library], Any]) -> Any:
        """Run ``op`` and return its result, re-raising its error (for dialogs that must know, and tests)."""
        future = self.writer.submit(op)
        result = future.result()
        self._announce(future.changes)  # type: ignore[attr-defined]
        return result

    @Slot(object, object, str)
    def _deliver(self, future: Future, done: Callable[[Any], None] | None, context: str) -> None:
        error = future.exception()
        self._announce(getattr(future, "changes", Changes()))
        if error is not None:
            self.error.emit(user_message(error, context))
        elif done is not None:
            done(future.result())

    def _announce(self, changes: Changes) -> None:
        if changes.tables:
            self.changed.emit(changes)

    # -- jobs --------------------------------------------------------------------------------------------------
    def job_write(self, group: int) -> Write:
        """How a job writes from its worker thread: each op runs on the writer inside the job's undo group, and its
        changes reach the views (coalesced) while the job runs."""
        return lambda op: self.writer.call(op, group=group, notify=True)

    @Slot(object)
    def _collect(self, changes: Changes) -> None:
        self._pending.merge(changes)
        if not self._coalesce.isActive():
            self._coalesce.start()

    def _flush_job_changes(self) -> None:
        pending, self._pending = self._pending, Changes()
        self._announce(pending)

    def flush(self) -> None:
        """Deliver a job's pending changes now (before a view needs to be exact, e.g. when the job ends)."""
        self._coalesce.stop()
        self._flush_job_changes()

    def close(self) -> None:
        self._coalesce.stop()
        self.writer.close()
