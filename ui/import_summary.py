"""After an import (or when reopening a past one): one line per file with its counts, and under a file only the
records that need a look (failed or duplicate), so a 270-record export is one line, not 270 rows."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

STATUS_ORDER = {"failed": 0, "duplicate": 1, "imported": 2}
STATUS_WORDS = {"imported": "imported", "duplicate": "duplicate", "failed": "failed"}
# A file's records open by themselves when there are this few to look at; more stay folded under the file's line.
OPEN_UP_TO = 10
TITLE_CHARS = 70


def summary_line(outcomes: list[Any], cancelled: bool = False) -> str:
    counts = Counter(o.status for o in outcomes)
    line = f"{counts['imported']} imported, {counts['duplicate']} duplicates, {counts['failed']} failed"
    stopped = getattr(outcomes, "stopped", None)
    if stopped:
        return line + f" — stopped: {stopped}. Everything before that is saved"
    return line + (" — stopped early (cancelled); everything before that is saved" if cancelled else "")


def file_counts(outcomes: list[Any]) -> str:
    """"270 records: 268 imported, 2 duplicates" for a reference export."""
    counts = Counter(o.status for o in outcomes)
    parts = [f"{counts[status]} {word}" for status, word in
             (("imported", "imported"), ("duplicate", "duplicates" if counts["duplicate"] != 1 else "duplicate"),
              ("failed", "failed")) if counts[status]]
    return f"{len(outcomes)} records: " + ", ".join(parts)


class ImportSummaryDialog(QDialog):
    def __init__(self, outcomes: list[Any], *, cancelled: bool = False, parent: QWidget | None = None,
                 title: str | None = None):
        super().__init__(parent)
        self.setWindowTitle(title or ("Import finished" if not cancelled else "Import cancelled"))
        self.outcomes = sorted(outcomes, key=lambda o: (STATUS_ORDER.get(o.status, 3), str(o.file)))
        self.headline = QLabel(summary_line(outcomes, cancelled))
        self.headline.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["File", "Result", "Reason"])
        self.tree.setUniformRowHeights(True)
        self.tree.setRootIsDecorated(True)
        for file, found in self._by_file(outcomes):
            item = self._file_item(file, found)
            self.tree.addTopLevelItem(item)
            item.setExpanded(0 < item.childCount() <= OPEN_UP_TO)  # (only an item in a tree can open)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.tree.resizeColumnToContents(0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.resize(760, 380)

    @classmethod
    def for_batch(cls, library: Any, batch: str, parent: QWidget | None = None) -> ImportSummaryDialog:
        """The report of a past import, read back from the library."""
        from litreview.importing import batch_outcomes

        return cls(batch_outcomes(library, batch), parent=parent, title=f"Import of {batch[:8]}")

    @staticmethod
    def _by_file(outcomes: list[Any]) -> list[tuple[str, list[Any]]]:
        """Outcomes grouped per input file, files with failures first, then duplicates, then the rest."""
        files: dict[str, list[Any]] = {}
        for outcome in outcomes:
            files.setdefault(str(outcome.file), []).append(outcome)
        return sorted(files.items(), key=lambda item: (min(STATUS_ORDER.get(o.status, 3) for o in item[1]),
                                                       Path(item[0]).name.lower()))

    def _file_item(self, file: str, found: list[Any]) -> QTreeWidgetItem:
        name = Path(file).name
        if len(found) == 1 and found[0].record is None:  # a PDF, or an export refused as a whole
            outcome = found[0]
            return self._item([name, STATUS_WORDS.get(outcome.status, outcome.status), outcome.reason or ""], file)
        worth_a_look = [o for o in found if o.status != "imported"]
        listed = f"{len(worth_a_look)} listed below" if worth_a_look else ""
        item = self._item([name, file_counts(found), listed], file)
        for outcome in sorted(worth_a_look, key=lambda o: (STATUS_ORDER.get(o.status, 3), o.record or 0)):
            item.addChild(self._item([self._record_words(outcome), STATUS_WORDS.get(outcome.status, outcome.status),
                                      outcome.reason or ""], file))
        return item

    @staticmethod
    def _record_words(outcome: Any) -> str:
        title = " ".join((getattr(outcome, "title", None) or "").split())
        if len(title) > TITLE_CHARS:
            title = title[:TITLE_CHARS].rsplit(" ", 1)[0] + "…"
        return f"record {outcome.record}: {title}" if title else f"record {outcome.record}"

    @staticmethod
    def _item(texts: list[str], tooltip_file: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem(texts)
        item.setToolTip(0, tooltip_file)
        for column in (1, 2):
            item.setToolTip(column, texts[column])
        return item
