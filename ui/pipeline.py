"""Long work the user starts (import, claims, hierarchy build): one job at a time, off the GUI thread, with
progress, cancel and a result the window reports.

A job reads through its own read-only library and writes through ``write`` (the one writer, inside the job's
undo group: the whole job is one Ctrl+Z). The language model is opened in the worker on first use and kept for
the next job (loading takes seconds); the status bar learns where its weights went. Failures never pass
silently: a job's summary that counts failed model calls is said in the status bar and in a message box that
offers to retry them.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QMessageBox, QProgressBar, QPushButton, QStatusBar, QWidget

from litreview.importing import collect_inputs
from litreview.jobs import CancelToken, ProgressEvent
from litreview.llm import Engine, LlmSettings
from litreview.store import Library, Write, WriteThrough
from ui.ops import Ops
from ui.workers import JobRunner

PIPELINE = "pipeline"
STAGE_WORDS = {"import": "Importing", "claims": "Extracting claims", "download": "Downloading",
               "hierarchy.embeddings": "Reading the studies", "hierarchy.structure": "Finding the topics",
               "hierarchy.name": "Naming the categories", "hierarchy.assign": "Placing the studies",
               "hierarchy.assign_new": "Placing new studies", "hierarchy.write": "Saving the hierarchy"}


def stage_words(stage: str) -> str:
    """A progress stage in words ("hierarchy.assign.clusters" → "Placing the studies"), never an internal name."""
    for known in sorted(STAGE_WORDS, key=len, reverse=True):
        if stage == known or stage.startswith(known + "."):
            return STAGE_WORDS[known]
    return stage.rsplit(".", 1)[-1].replace("_", " ").capitalize()
WRITES = {"Import": "studies", "Extract claims": "claims", "Build hierarchy": "hierarchy"}


def import_workers() -> int:
    """PDF reader processes for an import: every core but one, which stays free for the window (on a 2-core
    laptop two readers made the window miss its 100 ms turn; one reader kept it under)."""
    return max(1, (os.cpu_count() or 1) - 1)


class Pipeline(QObject):
    message = Signal(str)  # a line for the status bar
    refused = Signal(str)  # why a job could not start
    imported = Signal(list, bool)  # outcomes, cancelled
    ended = Signal(str)  # job name, after it finished, failed or was cancelled
    placement = Signal(str)  # where the model's weights went, once it is loaded

    def __init__(self, ops: Ops, status_bar: QStatusBar, parent: QWidget):
        super().__init__(parent)
        self.ops = ops
        self.window = parent
        self.runner = JobRunner(ops, self)
        self._engine: Engine | None = None
        self._engine_stale = False  # settings changed: reopen before the next job
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(260)
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.job_label = QLabel()
        for widget in (self.job_label, self.progress, self.cancel_button):
            widget.hide()
            status_bar.addPermanentWidget(widget)
        self.runner.started.connect(self._on_started)
        self.runner.progress.connect(self._on_progress)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.runner.cancelled.connect(self._on_cancelled)
        self.last_box: QMessageBox | None = None

    # -- starting ------------------------------------------------------------------------------------------------
    def busy(self) -> str | None:
        return self.runner.busy(PIPELINE)

    def writing(self) -> str | None:
        """The area the running job writes ("hierarchy", "claims", "studies"), or None."""
        running = self.busy()
        return WRITES.get(running) if running else None

    def start(self, name: str, fn: Callable[[Library, Any, CancelToken, Write], Any],
              on_done: Callable[[Any], None] | None = None, label: str | None = None) -> bool:
        """Start a job, or refuse politely while another one runs. ``label`` is what Undo will call it."""
        running = self.busy()
        if running is not None:
            self.refused.emit(f"{running} is still running — wait for it to finish or press Cancel.")
            return False
        return self.runner.start(PIPELINE, name, fn, on_done=on_done, label=label)

    def cancel(self) -> None:
        """Stop the running job at its next item boundary (what is finished stays saved)."""
        self.runner.cancel(PIPELINE)
        self.cancel_button.setEnabled(False)
        self.job_label.setText("Stopping after the current item…")

    def import_paths(self, paths: list[Path], source: dict[str, Any] | None = None) -> bool:
        def job(library: Library, progress, cancel: CancelToken, write: Write) -> Any:
            from litreview.importing import import_paths

            return import_paths(library, paths, progress=progress, cancel=cancel, workers=import_workers(),
                                write=write, source=source)

        count = len(collect_inputs([Path(p).expanduser() for p in paths]))
        return self.start("Import", job, on_done=lambda outcomes: self.imported.emit(outcomes, False),
                          label=f"Import {count} file{'s' if count != 1 else ''}")

    def open_demo_corpus(self) -> bool:
        def job(library: Library, progress, cancel: CancelToken, write: Write) -> Any:
            import tempfile

            from litreview.demo import write_demo_pdfs
            from litreview.importing import import_paths

            with tempfile.TemporaryDirectory(prefix="litreview-demo-") as folder:
                return import_paths(library, write_demo_pdfs(folder), progress=progress, cancel=cancel,
                                    workers=import_workers(), write=write)

        return self.start("Import", job, on_done=lambda outcomes: self.imported.emit(outcomes, False),
                          label="Import the demo corpus")

    def run_claims(self, study_ids: list[int] | None = None) -> bool:
        def job(library: Library, progress, cancel: CancelToken, write: Write) -> Any:
            from litreview.claims import extract_claims

            with self._engine_for(write, progress) as engine:
                return extract_claims(library, engine, study_ids, progress=progress, cancel=cancel, write=write)

        return self.start("Extract claims", job, on_done=self._claims_done)

    def run_build(self, scope: str | None = None) -> bool:
        """Build the hierarchy; ``scope`` "all" or "included" (None: what the current hierarchy was built on)."""
        def job(library: Library, progress, cancel: CancelToken, write: Write) -> Any:
            from litreview.hierarchy import build_hierarchy

            with self._engine_for(write, progress) as engine:
                # computed on the job's own connection; only the finished build is swapped in through the writer
                return build_hierarchy(library, engine, progress=progress, cancel=cancel, write=write, scope=scope)

        return self.start("Build hierarchy", job, on_done=self._build_done)

    # -- the model ---------------------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _engine_for(self, write: Write, progress) -> Iterator[Engine]:
        """The configured model, opened in the worker on first use and kept for the next job; its calls are
        recorded through the writer. Only pipeline jobs use it, one at a time."""
        from litreview.llm import open_engine

        if self._engine is None or self._engine_stale:
            self.close_engine()
            progress(ProgressEvent("Loading model", 0, None, "loading the language model…"))
            self._engine = open_engine()
            self._engine_stale = False
        engine = self._engine
        engine.record_to(WriteThrough(write))
        progress(ProgressEvent("Loading model", 1, 1, "", {"placement": engine.placement_summary()}))
        try:
            yield engine
        finally:
            engine.record_to(None)

    def settings_changed(self, _settings: LlmSettings) -> None:
        self._engine_stale = True  # a running job keeps its engine; the next one opens the new model

    def close_engine(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None

    # -- reporting ----------------------------------------------------------------------------------------------------
    def _build_done(self, report: Any) -> None:
        """The status bar says what the build stood on and what failed ("3 of 12 model calls failed")."""
        line = f"Build hierarchy: {len(report.aspects)} aspects for {report.studies} studies."
        self.message.emit(" ".join([line, *report.notes]))

    def _claims_done(self, summary: dict[str, Any]) -> None:
        failed = summary.get("model_calls_failed", 0)
        line = (f"Extract claims: {summary['claims']} claims for {summary['with_claims']} of "
                f"{summary['studies']} studies.")
        if not failed:
            self.message.emit(line)
            return
        detail = (f"{failed} of {summary['llm_calls']} model calls failed ({summary['last_model_error']}). "
                  f"{summary['fallback_studies']} studies got sentences chosen without the model; they are marked "
                  "as such in the study pane.")
        self.message.emit(f"{line} {failed} of {summary['llm_calls']} model calls failed.")
        box = QMessageBox(QMessageBox.Icon.Warning, "Extract claims: the model failed", detail,
                          QMessageBox.StandardButton.Close, self.window)
        retry = box.addButton("Retry failed studies", QMessageBox.ButtonRole.AcceptRole)
        retry.clicked.connect(lambda: self.run_claims())  # the next run redoes exactly the fallback studies
        box.open()
        self.last_box = box

    def _on_started(self, slot: str, name: str) -> None:
        if slot != PIPELINE:
            return
        self.job_label.setText(name + "…")
        self.progress.setRange(0, 0)
        for widget in (self.job_label, self.progress, self.cancel_button):
            widget.show()
        self.cancel_button.setEnabled(True)

    def _on_progress(self, slot: str, name: str, event: ProgressEvent) -> None:
        if "placement" in event.data:
            self.placement.emit(event.data["placement"])
        if slot != PIPELINE:
            return
        if event.total:
            self.progress.setRange(0, event.total)
            self.progress.setValue(min(event.done, event.total))
        else:
            self.progress.setRange(0, 0)
        if not self.cancel_button.isEnabled():
            return  # cancelling: keep saying so until the job stops
        stage = stage_words(event.stage) if event.stage else name
        self.job_label.setText(f"{stage}: {event.message}"[:80] if event.message else f"{stage}…")

    def _ended(self, slot: str) -> bool:
        if slot != PIPELINE:
            return False
        for widget in (self.job_label, self.progress, self.cancel_button):
            widget.hide()
        self.ops.flush()
        return True

    def _on_finished(self, slot: str, name: str, _result: Any) -> None:
        if self._ended(slot):
            if name not in ("Import", "Extract claims"):
                self.message.emit(f"{name}: done.")
            self.ended.emit(name)

    def _on_failed(self, slot: str, name: str, message: str) -> None:
        if self._ended(slot):
            self.message.emit(f"{name} failed: {message}")
            box = QMessageBox(QMessageBox.Icon.Warning, f"{name} failed", message, QMessageBox.StandardButton.Ok,
                              self.window)
            box.open()
            self.last_box = box
            self.ended.emit(name)

    def _on_cancelled(self, slot: str, name: str, result: Any) -> None:
        if self._ended(slot):
            if name == "Import" and isinstance(result, list):
                self.imported.emit(result, True)
            else:
                self.message.emit(f"{name} cancelled; everything finished before that is saved.")
            self.ended.emit(name)

    def shutdown(self) -> None:
        if self.runner.shutdown():
            self.close_engine()  # never under a job that is still running
