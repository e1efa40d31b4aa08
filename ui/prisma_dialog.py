"""File → Export → PRISMA flow diagram: a preview of the diagram, the records behind each box, and Save as.

The preview is the exported picture itself (the core draws it; MuPDF renders it), so what the user sees is what
the SVG, PDF and PNG contain. Clicking a box lists the records that make its number (studies, and the import
outcomes behind duplicates and removed records); double-clicking a study asks the main window to show it
(``studyActivated``). What the core says is not final yet (records without a decision) is shown above the preview.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from litreview.errors import LitreviewError
from litreview.export import BOX_KEYS, PrismaFlow, draw_prisma, prisma_flow, records_behind, write_prisma

PREVIEW_DPI = 150
SAVE_FILTERS = {"svg": "SVG vector image (*.svg)", "pdf": "PDF, vector (*.pdf)", "png": "PNG image, 300 dpi (*.png)",
                "csv": "PRISMA2020 R package / Shiny app CSV (*.csv)"}


class FlowPreview(QWidget):
    """The diagram scaled to fit; a click on a box emits its key (``BOX_KEYS``)."""

    boxClicked = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.pixmap = QPixmap()
        self.canvas_size = (1.0, 1.0)
        self.hotspots: dict[str, tuple[float, float, float, float]] = {}
        self.selected: str | None = None
        self.setMouseTracking(True)
        self.setMinimumSize(360, 280)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_figure(self, png: bytes, size: tuple[float, float], hotspots: dict[str, tuple[float, float, float, float]]) -> None:
        self.pixmap.loadFromData(png, "PNG")
        self.canvas_size, self.hotspots = size, dict(hotspots)
        if self.selected not in self.hotspots:
            self.selected = None
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt name)
        return QSize(760, 560)

    def _frame(self) -> QRectF:
        """Where the diagram is drawn: scaled to fit, centred, aspect kept."""
        width, height = self.canvas_size
        scale = min(self.width() / width, self.height() / height)
        return QRectF((self.width() - width * scale) / 2, (self.height() - height * scale) / 2,
                      width * scale, height * scale)

    def box_rect(self, key: str) -> QRectF:
        """A box's rectangle in widget coordinates."""
        frame = self._frame()
        scale = frame.width() / self.canvas_size[0]
        x, y, w, h = self.hotspots[key]
        return QRectF(frame.left() + x * scale, frame.top() + y * scale, w * scale, h * scale)

    def box_at(self, point: QPointF) -> str | None:
        return next((key for key in self.hotspots if self.box_rect(key).contains(point)), None)

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        if self.pixmap.isNull():
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawPixmap(self._frame(), self.pixmap, QRectF(self.pixmap.rect()))
        if self.selected is not None:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(QColor("#1f6fd1"), 2.5))
            painter.setBrush(QColor(31, 111, 209, 28))
            painter.drawRect(self.box_rect(self.selected).adjusted(-2, -2, 2, 2))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt name)
        over = self.box_at(event.position()) is not None
        self.setCursor(Qt.CursorShape.PointingHandCursor if over else Qt.CursorShape.ArrowCursor)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt name)
        key = self.box_at(event.position())
        if key is not None and event.button() == Qt.MouseButton.LeftButton:
            self.selected = key
            self.update()
            self.boxClicked.emit(key)


class PrismaDialog(QDialog):
    """The PRISMA 2020 flow diagram of ``library`` with its records; Save as writes SVG, PDF, PNG or CSV."""

    studyActivated = Signal(int)
    saved = Signal(Path)

    def __init__(self, library: Any, parent: QWidget | None = None, *, start_folder: str | None = None):
        super().__init__(parent)
        self.library = library
        self.start_folder = start_folder or str(Path.home())
        self.flow: PrismaFlow | None = None
        self.setWindowTitle("PRISMA 2020 flow diagram")
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet("color: #8a5a00;")
        self.other_arm = QCheckBox("Show the “other methods” arm (websites, organisations, citation searching)")
        self.preview = FlowPreview()
        self.box_title = QLabel("Click a box to see the records behind its number.")
        self.box_title.setWordWrap(True)
        self.records = QListWidget()
        self.records.setAlternatingRowColors(True)
        self.records.setWordWrap(True)
        self.records.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        panel = QWidget()
        side = QVBoxLayout(panel)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.box_title)
        side.addWidget(self.records, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.preview)
        splitter.addWidget(panel)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([780, 320])
        self.save_button = QPushButton("Save as…")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.save_button.clicked.connect(self._ask_and_save)
        top = QHBoxLayout()
        top.addWidget(self.other_arm)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.notes)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.preview.boxClicked.connect(self.show_box)
        self.records.itemActivated.connect(self._activated)
        self.refresh(other_methods=None)
        self.other_arm.toggled.connect(lambda on: self.refresh(other_methods=on))
        self.resize(1180, 700)

    # -- content ------------------------------------------------------------------------------------------
    def refresh(self, other_methods: bool | None) -> None:
        """Recount from the library and redraw (``other_methods`` None: the arm only when it has records)."""
        self.flow = prisma_flow(self.library, other_methods)
        canvas = draw_prisma(self.flow)
        self.preview.set_figure(canvas.to_png(PREVIEW_DPI), (canvas.width, canvas.height),
                                {name.removeprefix("prisma-"): rect for name, rect in canvas.hotspots.items()})
        self.other_arm.blockSignals(True)
        self.other_arm.setChecked(self.flow.other_arm)
        self.other_arm.blockSignals(False)
        self.notes.setText("\n".join(self.flow.warnings))
        self.notes.setVisible(bool(self.flow.warnings))
        if self.preview.selected is not None:
            self.show_box(self.preview.selected)

    def show_box(self, key: str) -> None:
        """List the records behind the numbers of one drawn box."""
        assert self.flow is not None
        self.preview.selected = key
        self.preview.update()
        self.records.clear()
        boxes = [self.flow.boxes[k] for k in BOX_KEYS[key] if k in self.flow.boxes]
        self.box_title.setText("; ".join(f"{b.label}: {b.count:,}" for b in boxes))
        for box in boxes:
            groups = box.parts or [box]
            for group in groups:
                header = QListWidgetItem(f"{group.label} ({group.count:,})" if box.parts else f"{box.label} ({box.count:,})")
                font = header.font()
                font.setBold(True)
                header.setFont(font)
                header.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.records.addItem(header)
                for line in records_behind(self.library, group):
                    item = QListWidgetItem(("   " if line.kind == "study" else "   ↳ ") + line.text)
                    item.setData(Qt.ItemDataRole.UserRole, line.study_id)
                    item.setToolTip(line.text)
                    self.records.addItem(item)

    def _activated(self, item: QListWidgetItem) -> None:
        study_id = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(study_id, int):
            self.studyActivated.emit(study_id)

    # -- saving -------------------------------------------------------------------------------------------
    def save(self, path: Path, fmt: str | None = None) -> Path:
        """Write the diagram (as previewed, other-methods arm included or not) to ``path``."""
        assert self.flow is not None
        write_prisma(self.library, path, fmt, other_methods=self.flow.other_arm)
        self.saved.emit(path)
        return path

    def _ask_and_save(self) -> None:
        start = str(Path(self.start_folder) / "prisma-flow-diagram.svg")
        chosen, selected = QFileDialog.getSaveFileName(self, "Save the PRISMA flow diagram", start,
                                                       ";;".join(SAVE_FILTERS.values()))
        if not chosen:
            return
        fmt = next((f for f, text in SAVE_FILTERS.items() if text == selected), None)
        path = Path(chosen)
        if fmt is not None and path.suffix.lower() != f".{fmt}":
            path = path.with_name(path.name + f".{fmt}")
        try:
            self.save(path, fmt)
        except (LitreviewError, OSError) as error:
            QMessageBox.warning(self, "Could not save the diagram", str(error))
