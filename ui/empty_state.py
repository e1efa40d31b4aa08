"""What a first start shows: one big drop target, one line of help, and a way to try the app on a demo corpus."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

HELP = "Drop PDFs, folders or RIS / BibTeX / CSV exports anywhere on this window — or use File → Import."


class EmptyState(QWidget):
    open_demo = Signal()
    import_files = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        frame = QFrame()
        frame.setObjectName("dropTarget")
        frame.setStyleSheet(
            "#dropTarget { border: 3px dashed #8a99b0; border-radius: 18px; background: #f6f8fb; }"
        )
        title = QLabel("Your library is empty")
        title.setStyleSheet("font-size: 20pt; color: #34435a;")
        self.help_line = help_line = QLabel(HELP)
        help_line.setWordWrap(True)
        help_line.setStyleSheet("font-size: 12pt; color: #4c5b70;")
        for label in (title, help_line):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.demo_button = QPushButton("Open demo corpus")
        self.demo_button.clicked.connect(self.open_demo)
        self.import_button = QPushButton("Import files…")
        self.import_button.clicked.connect(self.import_files)
        inner = QVBoxLayout(frame)
        inner.addStretch(2)
        inner.addWidget(title)
        inner.addWidget(help_line)
        inner.addSpacing(16)
        for button in (self.demo_button, self.import_button):
            button.setMinimumWidth(220)
            inner.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        inner.addStretch(3)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 40, 40, 40)
        outer.addWidget(frame)
