"""The screening screen's background thread: ranking and status together, once per request, off the GUI thread.

At 10,000 studies and 1,000 decisions a re-rank costs a few hundred milliseconds and a full status tens; computed
on the GUI thread (three statuses per key, as before) they held the window for 1.8 s. Here one long-lived thread
owns its own read-only ``Library`` and the core's ``Ranker`` and answers each request with one
``litreview.screening.snapshot`` (queue, status, recall curve). Requests made while it works collapse into one more
run, so the screen never waits for it and never queues stale work; the GUI paints the next record from the queue
it already holds.
"""

from __future__ import annotations

import logging
import traceback
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, Signal, Slot

from litreview.errors import LitreviewError, report_bug
from litreview.store import Library

log = logging.getLogger("litreview")


class _Worker(QObject):
    """Lives in the screening thread; its Library and Ranker are created and closed there."""

    ready = Signal(object)  # litreview.screening.ScreeningSnapshot
    failed = Signal(str)

    def __init__(self, folder: Path):
        super().__init__()
        self.folder = folder
        self.library: Library | None = None
        self.ranker: Any = None

    @Slot(str)
    def compute(self, stage: str) -> None:
        try:
            import litreview.screening as screening  # (``snapshot`` is also a module's name: ask the package)

            if self.library is None:
                self.library = Library(self.folder, read_only=True)
                self.ranker = screening.Ranker(self.library)
            self.ready.emit(screening.snapshot(self.library, self.ranker, stage))
        except LitreviewError as error:
            self.failed.emit(str(error))
        except Exception as error:  # a bug: logged with its traceback, one line for the user
            log.debug("screening snapshot failed:\n%s", traceback.format_exc())
            self.failed.emit(report_bug(error, "ranking the records for screening"))

    @Slot()
    def close(self) -> None:
        if self.library is not None:
            self.library.close()
            self.library = self.ranker = None


class ScreeningWorker(QObject):
    """``request(stage)`` never blocks; ``ready`` brings the snapshot, ``failed`` a message for the user."""

    ready = Signal(object)
    failed = Signal(str)
    _compute = Signal(str)

    def __init__(self, folder: Path, parent: QObject | None = None):
        super().__init__(parent)
        self.thread = QThread()
        self.thread.setObjectName("litreview-screening")
        self.worker = _Worker(folder)
        self.worker.moveToThread(self.thread)
        self._compute.connect(self.worker.compute)
        self.worker.ready.connect(self._on_ready)
        self.worker.failed.connect(self._on_failed)
        self.running = False
        self.pending: str | None = None
        self.computed = 0  # snapshots delivered (a test and the bench count them)
        self.thread.start()

    def request(self, stage: str) -> None:
        if self.running:
            self.pending = stage
            return
        self.running = True
        self._compute.emit(stage)

    def _next(self) -> None:
        self.running = False
        if self.pending is not None:
            stage, self.pending = self.pending, None
            self.request(stage)

    @Slot(object)
    def _on_ready(self, snapshot: Any) -> None:
        self.computed += 1
        stale = self.pending is not None
        self._next()
        if not stale:  # a newer request is already on its way: its answer is the one worth painting
            self.ready.emit(snapshot)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._next()
        self.failed.emit(message)

    def stop(self) -> None:
        """Close the thread's library in its own thread, then end the thread (waits for a run in progress)."""
        if not self.thread.isRunning():
            return
        self.pending = None
        QMetaObject.invokeMethod(self.worker, "close", Qt.ConnectionType.BlockingQueuedConnection)
        self.thread.quit()
        self.thread.wait()
