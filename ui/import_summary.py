"""After an import: how many studies came in, which files were duplicates, which failed and why (per file)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

STATUS_ORDER = {"failed": 0, "duplicate": 1, "imported": 2}


def summary_line(outcomes: list[Any], cancelled: bool = False) -> str:
    counts = Counter(o.status for o in outcomes)
    line = f"{counts['imported']} imported, {counts['duplicate']} duplicates, {counts['failed']} failed"
    return line + (" — stopped early (cancelled); everything before that is saved" if cancelled else "")


class ImportSummaryDialog(QDialog):
    def __init__(self, outcomes: list[Any], *, cancelled: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Import finished" if not cancelled else "Import cancelled")
        self.outcomes = sorted(outcomes, key=lambda o: (STATUS_ORDER.get(o.status, 3), str(o.file)))
        self.headline = QLabel(summary_line(outcomes, cancelled))
        self.headline.setWordWrap(True)
        self.table = QTableWidget(len(self.outcomes), 3)
        self.table.setHorizontalHeaderLabels(["File", "Result", "Reason"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, outcome in enumerate(self.outcomes):
            name = Path(str(outcome.file)).name
            if getattr(outcome, "record", None) is not None:
                name += f" (record {outcome.record})"
            reason = outcome.reason or ""
            if outcome.status == "duplicate" and outcome.matched_id and not reason:
                reason = f"same as study {outcome.matched_id}"
            for column, text in enumerate((name, outcome.status, reason)):
                item = QTableWidgetItem(text)
                item.setToolTip(str(outcome.file) if column == 0 else text)
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(720, 360)
