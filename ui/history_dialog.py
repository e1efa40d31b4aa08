"""The decision history: every decision (changed minds included), newest first, filtered by stage and decision and
searched by title, reason or note; a row opens its study in the library."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from litreview.screening import decision_history
from litreview.store import Library

STAGES = {"Both stages": None, "Title/abstract": "title_abstract", "Full text": "full_text"}
DECISIONS = {"Any decision": None, "Included": "include", "Excluded": "exclude", "Maybe": "maybe",
             "Not retrieved": "not_retrieved"}
COLUMNS = ("When", "Study", "Stage", "Decision", "Reason", "Note", "Who")


class HistoryDialog(QDialog):
    study_activated = Signal(int)

    def __init__(self, library: Library, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Decision history")
        self.library = library
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search titles, reasons and notes…")
        self.search.textChanged.connect(self.refresh)
        self.stage = QComboBox()
        self.stage.addItems(list(STAGES))
        self.stage.currentTextChanged.connect(self.refresh)
        self.decision = QComboBox()
        self.decision.addItems(list(DECISIONS))
        self.decision.currentTextChanged.connect(self.refresh)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemActivated.connect(self._activated)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.stage)
        filters.addWidget(self.decision)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table)
        self.resize(980, 560)
        self.refresh()

    def refresh(self) -> None:
        rows = decision_history(self.library, stage=STAGES[self.stage.currentText()],
                                decision=DECISIONS[self.decision.currentText()], search=self.search.text())
        self.rows = rows
        self.table.setRowCount(len(rows))
        for number, row in enumerate(rows):
            title = f"{row['title']} ({row['year'] or 'n.d.'})"
            cells = (row["time"][:16].replace("T", " "), title,
                     "title/abstract" if row["stage"] == "title_abstract" else "full text",
                     row["decision"] + ("" if row["current"] else " (changed later)"), row["reason"], row["note"],
                     "the stopping rule" if row["who"] == "automation" else "you")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(str(text or ""))
                item.setData(Qt.ItemDataRole.UserRole, row["study_id"])
                self.table.setItem(number, column, item)
        self.table.resizeColumnToContents(0)

    def _activated(self, item: QTableWidgetItem) -> None:
        study_id = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(study_id, int):
            self.study_activated.emit(study_id)
