"""File → Export → Taxonomy figure: choose an aspect, see the figure, save it as LaTeX (forest), SVG, PDF, PNG,
Mermaid or a Markdown outline.

The preview is the figure the app draws itself (the SVG/PDF/PNG export); the LaTeX snippet draws the same tree
in the paper's own fonts. Everything is computed by the core (``litreview.export``); this only chooses and shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from litreview.errors import LitreviewError
from litreview.export import build_taxonomy, draw_taxonomy, included_study_ids, write_taxonomy
from litreview.export import taxonomy_aspects as aspects

PREVIEW_DPI = 110
SAVE_FILTERS = {"tex": "LaTeX forest snippet (*.tex)", "svg": "SVG vector image (*.svg)", "pdf": "PDF, vector (*.pdf)",
                "png": "PNG image, 300 dpi (*.png)", "mermaid": "Mermaid mindmap (*.mmd)", "md": "Markdown outline (*.md)"}
SUFFIXES = {"tex": ".tex", "svg": ".svg", "pdf": ".pdf", "png": ".png", "mermaid": ".mmd", "md": ".md"}


class TaxonomyDialog(QDialog):
    saved = Signal(Path)

    def __init__(self, library: Any, hierarchy_id: int, parent: QWidget | None = None, *,
                 start_folder: str | None = None):
        super().__init__(parent)
        self.library, self.hierarchy_id = library, hierarchy_id
        self.start_folder = start_folder or str(Path.home())
        self.setWindowTitle("Taxonomy figure")
        self.aspect = QComboBox()
        for aspect_id, name in aspects(library, hierarchy_id):
            self.aspect.addItem(name, aspect_id)
        self.included_only = QCheckBox("Included studies only")
        # A figure for the paper shows the included studies (the PRISMA diagram's last box) once there are any.
        self.included_only.setChecked(bool(included_study_ids(library)))
        self.counts = QCheckBox("Show (n = …) on each category")
        self.counts.setChecked(True)
        self.summary = QLabel()
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea()
        scroll.setWidget(self.picture)
        scroll.setWidgetResizable(True)
        self.save_button = QPushButton("Save as…")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.save_button.clicked.connect(self._ask_and_save)
        choices = QHBoxLayout()
        choices.addWidget(QLabel("Aspect:"))
        choices.addWidget(self.aspect, 1)
        choices.addWidget(self.included_only)
        choices.addWidget(self.counts)
        layout = QVBoxLayout(self)
        layout.addLayout(choices)
        layout.addWidget(self.summary)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        for signal in (self.aspect.currentIndexChanged, self.included_only.toggled, self.counts.toggled):
            signal.connect(self.refresh)
        self.save_button.setEnabled(self.aspect.count() > 0)
        self.refresh()
        self.resize(1000, 640)

    def refresh(self) -> None:
        if self.aspect.count() == 0:
            self.summary.setText("This hierarchy has no aspects yet.")
            return
        taxonomy = build_taxonomy(self.library, self.hierarchy_id, self.aspect.currentData(),
                                  included_only=self.included_only.isChecked())
        canvas = draw_taxonomy(taxonomy, counts=self.counts.isChecked())
        pixmap = QPixmap()
        pixmap.loadFromData(canvas.to_png(PREVIEW_DPI), "PNG")
        self.picture.setPixmap(pixmap)
        self.summary.setText(f"{len(taxonomy.walk()) - 1} categories, {taxonomy.root.count} studies "
                             f"({len(taxonomy.studies)} cited in the figure)")

    def save(self, path: Path, fmt: str | None = None) -> Path:
        write_taxonomy(self.library, path, self.aspect.currentData(), fmt, hierarchy_id=self.hierarchy_id,
                       included_only=self.included_only.isChecked(), counts=self.counts.isChecked())
        self.saved.emit(path)
        return path

    def _ask_and_save(self) -> None:
        name = "".join(c if c.isalnum() else "-" for c in self.aspect.currentText()).strip("-").lower() or "taxonomy"
        chosen, selected = QFileDialog.getSaveFileName(self, "Save the taxonomy figure",
                                                       str(Path(self.start_folder) / f"taxonomy-{name}.tex"),
                                                       ";;".join(SAVE_FILTERS.values()))
        if not chosen:
            return
        fmt = next((f for f, text in SAVE_FILTERS.items() if text == selected), None)
        path = Path(chosen)
        if fmt is not None and path.suffix.lower() != SUFFIXES[fmt]:
            path = path.with_name(path.name + SUFFIXES[fmt])
        try:
            self.save(path, fmt)
        except (LitreviewError, OSError) as error:
            QMessageBox.warning(self, "Could not save the taxonomy", str(error))
