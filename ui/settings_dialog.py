"""Settings: which model (a GGUF file or a server URL), where its weights go, context size and threads.

Saved per user through the core's ``LlmSettings`` (``settings.toml`` in the config folder), so the CLI and the
app read the same settings. A server URL is checked before it is saved (and on "Test connection"), in a
thread so the dialog stays responsive: a wrong URL is found here, not half-way through a claims run.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from litreview.errors import LitreviewError
from litreview.llm import PLACEMENT_MODES, LlmSettings, physical_cores
from litreview.llm.server import ServerEngine

PLACEMENT_LABELS = {
    "auto": "Automatic (fit what the GPU holds)",
    "gpu": "Everything on the GPU",
    "cpu-moe": "Experts on the CPU (MoE models)",
    "n-cpu-moe": "Experts of the first N layers on the CPU",
}


class SettingsDialog(QDialog):
    checked = Signal(bool, str, bool)  # ok, one line, save when ok (emitted from the checking thread)

    def __init__(self, settings: LlmSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.checked.connect(self._on_checked)
        self.saved_server_url = settings.server_url
        self.setWindowTitle("Settings")
        self.settings = settings
        self.model_path = QLineEdit(settings.model_path or "")
        self.model_path.setPlaceholderText("empty = the small default model")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._choose_model)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model_path, 1)
        model_row.addWidget(browse)
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
        form.addRow("Or server URL", server_row)
        form.addRow("", self.server_status)
        form.addRow("Placement", self.placement)
        form.addRow("N (layers with experts on CPU)", self.n_cpu_moe)
        form.addRow("Context size (tokens)", self.n_ctx)
        form.addRow("Threads", self.threads)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._sync_enabled()

    def _sync_enabled(self) -> None:
        self.n_cpu_moe.setEnabled(self.placement.currentData() == "n-cpu-moe")

    def _choose_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a GGUF model", self.model_path.text(), "GGUF models (*.gguf)")
        if path:
            self.model_path.setText(path)

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
                self.checked.emit(True, engine.check(), save)
            except LitreviewError as error:
                self.checked.emit(False, str(error), save)

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
