"""Background work: long core calls run off the GUI thread with progress and cancel, and screening re-ranks.

Each job reads through its own read-only ``Library`` on the same folder (sqlite3 connections belong to the
thread that opened them; WAL lets everyone read while the writer writes) and writes only through ``write``: its
ops run on the app's one writer, inside the job's undo group, so the whole job is one undo step and the user's
own edits stay steps of their own. A job is a plain core call ``fn(library, progress, cancel, write) ->
result``; its ``ProgressEvent``s and its result travel back to the GUI thread as queued Qt signals, so slots may
touch widgets. The "pipeline" slot runs one user-started job at a time (import, claims, build) and refuses a
second one politely.

Re-ranking for screening is not a job: the screening view's own worker (``ui/screening_worker.py``) keeps the
core's ``Ranker`` between decisions.
"""

from __future__ import annotations

import importlib
import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from litreview.errors import LitreviewError, report_bug
from litreview.jobs import Cancelled, CancelToken, ProgressEvent
from litreview.store import Library, Write
from ui.ops import Ops

log = logging.getLogger(__name__)

JobFn = Callable[[Library, Callable[[ProgressEvent], None], CancelToken, Write], Any]


class _JobSignals(QObject):
    """Emitted from the worker thread; received by the runner on the GUI thread (queued connections)."""

    progress = Signal(str, object)  # slot, ProgressEvent
    finished = Signal(str, object)  # slot, the job's result
    failed = Signal(str, str)  # slot, one readable line
    cancelled = Signal(str, object)  # slot, whatever the job returned before it stopped (or None)


class _Job(QRunnable):
    def __init__(self, slot: str, name: str, ops: Ops, group: int, fn: JobFn):
        super().__init__()
        self.setAutoDelete(False)  # the runner drops it once its signals have been delivered
        self.slot = slot
        self.name = name
        self.ops = ops
        self.group = group
        self.fn = fn
        self.token = CancelToken()
        self.signals = _JobSignals()
        self.returned = False  # set as run() ends; only then may the runner drop its reference

    def run(self) -> None:
        try:
            self._run()
        finally:
            self.returned = True

    def _emit(self, signal: Signal, *args: Any) -> None:
        """Emit unless the window is already gone (closing while a job finishes must not crash the worker)."""
        try:
            signal.emit(self.slot, *args)
        except RuntimeError:
            log.debug("job signal dropped: its receiver no longer exists")

    def _run(self) -> None:
        write = self.ops.job_write(self.group)
        try:
            with Library(self.ops.writer.folder, read_only=True) as library:
                library.current_group = self.group  # a core call's own ``library.step`` joins the job's group
                result = self.fn(library, lambda event: self._emit(self.signals.progress, event), self.token, write)
        except Cancelled:
            self._close_group()
            self._emit(self.signals.cancelled, None)
        except LitreviewError as error:  # a message for the user
            self._close_group()
            self._emit(self.signals.failed, str(error))
        except Exception as error:  # a bug: logged with its traceback; never let a worker die silently
            self._close_group()
            self._emit(self.signals.failed, report_bug(error, self.name.lower()))
        else:
            self._close_group()
            # Some core calls stop early on cancel and return what they did instead of raising.
            self._emit(self.signals.cancelled if self.token.cancelled else self.signals.finished, result)

    def _close_group(self) -> None:
        """What the job committed becomes one undo step (nothing, when it wrote nothing)."""
        try:
            self.ops.writer.call(lambda library: library.close_group(self.group))
        except Exception:  # the library is closing: the group is closed as stale when it next opens
            log.warning("could not close the undo group of %s", self.name, exc_info=True)


@dataclass
class RunningJob:
    name: str
    job: _Job
    on_done: Callable[[Any], None] | None = None
    last: ProgressEvent | None = None


class JobRunner(QObject):
    """Starts core calls in a thread pool; the window listens to these signals (all on the GUI thread)."""

    started = Signal(str, str)  # slot, name
    progress = Signal(str, str, object)  # slot, name, ProgressEvent
    finished = Signal(str, str, object)  # slot, name, result
    failed = Signal(str, str, str)  # slot, name, message
    cancelled = Signal(str, str, object)  # slot, name, partial result

    def __init__(self, ops: Ops, parent: QObject | None = None):
        super().__init__(parent)
        self.ops = ops
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)  # one pipeline job at a time (each slot holds at most one anyway)
        self.running: dict[str, RunningJob] = {}
        self._retired: list[_Job] = []  # finished jobs kept alive until their thread has left run()

    def busy(self, slot: str = "pipeline") -> str | None:
        """The name of the job running in ``slot``, or None."""
        entry = self.running.get(slot)
        return entry.name if entry else None

    def start(self, slot: str, name: str, fn: JobFn, on_done: Callable[[Any], None] | None = None,
              label: str | None = None) -> bool:
        """Run ``fn`` in ``slot``; False (nothing started) when that slot is already busy. ``label`` names the
        job's undo step (default: its name)."""
        if slot in self.running:
            return False
        self._retired = [job for job in self._retired if not job.returned]
        group = self.ops.call(lambda library: library.open_group(label or name))
        job = _Job(slot, name, self.ops, group, fn)
        self.running[slot] = RunningJob(name, job, on_done)
        job.signals.progress.connect(self._on_progress)
        job.signals.finished.connect(self._on_finished)
        job.signals.failed.connect(self._on_failed)
        job.signals.cancelled.connect(self._on_cancelled)
        self.started.emit(slot, name)
        self.pool.start(job)
        return True

    def cancel(self, slot: str = "pipeline") -> None:
        entry = self.running.get(slot)
        if entry is not None:
            entry.job.token.cancel()

    def last_progress(self, slot: str = "pipeline") -> ProgressEvent | None:
        entry = self.running.get(slot)
        return entry.last if entry else None

    def shutdown(self, timeout_ms: int = 30000) -> bool:
        """Cancel everything and wait for the workers to stop at their next item boundary."""
        for entry in self.running.values():
            entry.job.token.cancel()
        return self.pool.waitForDone(timeout_ms)

    def _retire(self, slot: str) -> RunningJob | None:
        entry = self.running.pop(slot, None)
        if entry is not None:
            self._retired.append(entry.job)
        return entry

    @Slot(str, object)
    def _on_progress(self, slot: str, event: ProgressEvent) -> None:
        entry = self.running.get(slot)
        if entry is not None:
            entry.last = event
            self.progress.emit(slot, entry.name, event)

    @Slot(str, object)
    def _on_finished(self, slot: str, result: Any) -> None:
        entry = self._retire(slot)
        if entry is None:
            return
        if entry.on_done is not None:
            entry.on_done(result)
        self.finished.emit(slot, entry.name, result)

    @Slot(str, str)
    def _on_failed(self, slot: str, message: str) -> None:
        entry = self._retire(slot)
        if entry is not None:
            self.failed.emit(slot, entry.name, message)

    @Slot(str, object)
    def _on_cancelled(self, slot: str, result: Any) -> None:
        entry = self._retire(slot)
        if entry is not None:
            self.cancelled.emit(slot, entry.name, result)


# The core modules behind the pipeline pull in PyMuPDF, onnxruntime, scikit-learn and llama.cpp. Loading a C
# extension holds the GIL for up to a few hundred ms, which would freeze the window if it first happened when the
# user drops files; so they are loaded once, in the background, right after the window first appears.
WARM_MODULES = ("litreview.importing", "litreview.screening", "litreview.claims", "litreview.hierarchy.build",
                "litreview.export.library", "litreview.llm.local")


class WarmUp:
    """A daemon thread: closing the window waits for it only briefly (see MainWindow.closeEvent)."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.failed: list[str] = []
        self.thread = threading.Thread(target=self._run, name="litreview-warm-up", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        try:
            for name in WARM_MODULES:
                try:
                    importlib.import_module(name)
                except Exception:  # a broken optional part shows up (with its message) when it is used
                    log.warning("could not preload %s:\n%s", name, traceback.format_exc())
                    self.failed.append(name)
        finally:
            self.done.set()

    def wait(self, timeout_s: float) -> bool:
        if self.thread.is_alive():
            self.thread.join(timeout_s)
        return self.done.is_set()
