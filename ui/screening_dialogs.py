"""Dialogs of the screening screen: a note (with a reason) before deciding, the review protocol, the methods text.

Each dialog only collects what the user typed and hands it back; the view writes it through the core.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

DECISION_TEXT = {"include": "Include", "exclude": "Exclude", "maybe": "Maybe", "not_retrieved": "Not retrieved"}


class NoteDialog(QDialog):
    """N: a note and, if wanted, a reason (from the review's list or typed), then the decision they go with."""

    decided = Signal(str, str, str)  # decision, note, reason

    def __init__(self, choices: tuple[str, ...], reasons: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Note")
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText("Why? (kept with the decision)")
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.addItems(["", *reasons])
        self.reason.setToolTip("A reason from the review's list, or type your own")
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        form = QFormLayout()
        form.addRow("Reason", self.reason)
        layout.addLayout(form)
        row = QHBoxLayout()
        for decision in choices:
            button = QPushButton(DECISION_TEXT[decision])
            button.clicked.connect(lambda _=False, d=decision: self._choose(d))
            row.addWidget(button)
        layout.addLayout(row)

    def _choose(self, decision: str) -> None:
        self.decided.emit(decision, self.text.toPlainText().strip(), self.reason.currentText().strip())
        self.accept()


class ProtocolDialog(QDialog):
    def __init__(self, protocol: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Review question and criteria")
        self.question = QPlainTextEdit(protocol["question"])
        self.inclusion = QPlainTextEdit(protocol["inclusion"])
        self.exclusion = QPlainTextEdit(protocol["exclusion"])
        form = QFormLayout(self)
        form.addRow("Question", self.question)
        form.addRow("Include when", self.inclusion)
        form.addRow("Exclude when", self.exclusion)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(560, 420)

    def values(self) -> dict[str, str]:
        return {"question": self.question.toPlainText().strip(), "inclusion": self.inclusion.toPlainText().strip(),
                "exclusion": self.exclusion.toPlainText().strip()}


class MethodsDialog(QDialog):
    """The methods paragraph the core writes, to read and copy into the review's write-up."""

    def __init__(self, text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Screening methods")
        self.text = text
        intro = QLabel("For the methods section of your review (PRISMA 2020 item 8). It states only what this "
                       "library recorded.")
        intro.setWordWrap(True)
        self.view = QTextBrowser()
        self.view.setPlainText(text)
        copy = QPushButton("Copy")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.text))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(640, 380)
