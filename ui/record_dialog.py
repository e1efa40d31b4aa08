"""Editing a record's metadata (title, authors, year, venue, DOI, abstract): a form whose values the core checks.

The dialog only collects text; ``litreview.records.edit_study`` validates it and writes one undoable command.
A refused value (a year of "twenty") keeps the dialog open with the reason, so nothing typed is lost.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from litreview.errors import LitreviewError
from litreview.records import edit_study
from ui.forms import save_cancel
from ui.ops import Ops, user_message


def authors_lines(authors: list[dict[str, Any]]) -> str:
    """One author per line as 'Family, Given' (what ``parse_authors`` reads back)."""
    return "\n".join(", ".join(p for p in (a.get("family"), a.get("given")) if p) for a in authors or [])


class RecordDialog(QDialog):
    def __init__(self, study: dict[str, Any], ops: Ops, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Edit record")
        self.study_id = study["id"]
        self.ops = ops
        self.title = QLineEdit(study.get("title") or "")
        self.authors = QPlainTextEdit(authors_lines(study.get("authors") or []))
        self.authors.setPlaceholderText("One author per line: Family, Given")
        self.authors.setMaximumHeight(90)
        self.year = QLineEdit(str(study.get("year") or ""))
        self.year.setPlaceholderText("e.g. 2021")
        self.venue = QLineEdit(study.get("venue") or "")
        self.doi = QLineEdit(study.get("doi") or "")
        self.doi.setPlaceholderText("10.1234/abcd (or a doi.org link)")
        self.abstract = QPlainTextEdit(study.get("abstract") or "")
        form = QFormLayout()
        form.addRow("Title", self.title)
        form.addRow("Authors", self.authors)
        form.addRow("Year", self.year)
        form.addRow("Venue", self.venue)
        form.addRow("DOI", self.doi)
        form.addRow("Abstract", self.abstract)
        self.error = save_cancel(self, form)
        self.resize(640, 560)

    def values(self) -> dict[str, str]:
        return {"title": self.title.text(), "authors": self.authors.toPlainText(), "year": self.year.text(),
                "venue": self.venue.text(), "doi": self.doi.text(), "abstract": self.abstract.toPlainText()}

    def accept(self) -> None:
        values, study_id = self.values(), self.study_id
        try:
            self.ops.call(lambda library: edit_study(library, study_id, **values))
        except LitreviewError as error:
            self.error.setText(str(error))
            return
        except Exception as error:  # noqa: BLE001 (a bug: logged, and said in one line)
            self.error.setText(user_message(error, "saving the record"))
            return
        super().accept()
