"""Settings: which model (a GGUF file or a server URL), where its weights go, context size and threads.

Saved per user through the core's ``LlmSettings`` (``settings.toml`` in the config folder), so the CLI and the
app read the same settings.
"""

from __future__ import annotations

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

from litreview.llm import PLACEMENT_MODES, LlmSettings, physical_cores

PLACEMENT_LABELS = {
    "auto": "Automatic (fit what the GPU holds)",
    "gpu": "Everything on the GPU",
    "cpu-moe": "Experts on the CPU (MoE models)",
    "n-cpu-moe": "Experts of the first N layers on the CPU",
}


class SettingsDialog(QDialog):
    def __init__(self, settings: LlmSettings, parent: QWidget | None = None):
        super().__init__(parent)
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
        self.server_url.setPlaceholderText("http://localhost:8080/v1 — an OpenAI-compatible server instead of a file")
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
        form.addRow("Or server URL", self.server_url)
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
        """Save, or say why not (the dialog stays open)."""
        try:
            settings = self.edited()
            settings.save()
        except (ValueError, OSError) as error:
            self.error.setText(str(error))
            return
        self.settings = settings
        super().accept()
