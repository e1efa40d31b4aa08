"""The study pane: metadata, the abstract with the query's terms marked, claims with their quotes, notes, and the
learner's open suggestion for the study ("Move it to “X”?"), answered with a click.

Claims link to their page ("open PDF at page" goes through the desktop's PDF viewer). Notes are saved shortly
after typing stops, as one undoable command per editing burst (the window does the saving through the core).
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTextBrowser, QVBoxLayout, QWidget

from ui.highlight import highlighted, no_abstract

NOTES_DELAY_MS = 800


def authors_text(authors: list[Any]) -> str:
    names = []
    for author in authors:
        if isinstance(author, dict):
            names.append(" ".join(p for p in (author.get("given"), author.get("family")) if p))
        else:
            names.append(str(author))
    return ", ".join(n for n in names if n)


STAGES = {"title_abstract": "Title/abstract", "full_text": "Full text"}
DECISION_WORDS = {"include": "included", "exclude": "excluded", "maybe": "maybe",
                  "not_retrieved": "report not retrieved"}


def decision_text(stage: str, row: dict[str, Any]) -> str:
    """'Title/abstract: <b>excluded</b> (wrong population) — “note”', escaped."""
    text = f"{STAGES.get(stage, stage)}: <b>{html.escape(DECISION_WORDS.get(row['decision'], row['decision']))}</b>"
    if row.get("reason"):
        text += f" ({html.escape(row['reason'])})"
    if row.get("note"):
        text += f" — “{html.escape(row['note'])}”"
    if row.get("actor") == "automation":
        text += " <i>by the stopping rule</i>"
    return text


def suggestion_html(offer: dict[str, Any]) -> str:
    """'Suggested: move it to “X” — it looks like the ones you moved to “X”. Move it · Keep it', escaped."""
    where = f" from “{html.escape(offer['from_name'])}”" if offer.get("from_name") else ""
    return (f"<p style='background:#fff4d6; padding:4px'><b>Suggested:</b> move it{where} to "
            f"“{html.escape(offer['to_name'])}” — it looks like {html.escape(offer['reason'])}. "
            f"<a href='accept:{int(offer['id'])}'>Move it</a> &nbsp;·&nbsp; "
            f"<a href='reject:{int(offer['id'])}'>Keep it where it is</a></p>")


class StudyPane(QWidget):
    open_page = Signal(int, int)  # study id, page number (1-based)
    notes_edited = Signal(int, str)  # study id, the new notes
    edit_requested = Signal()  # "Edit record" was clicked
    suggestion_answered = Signal(int, bool)  # suggestion id, accepted (True) or refused (False)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.study_id: int | None = None
        self.view = QTextBrowser()
        self.view.setOpenLinks(False)
        self.view.anchorClicked.connect(self._on_link)
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText("Your notes on this study (saved as you type)")
        self.notes.setMaximumHeight(110)
        self.notes.textChanged.connect(self._on_notes_typed)
        self._notes_timer = QTimer(self, singleShot=True, interval=NOTES_DELAY_MS)
        self._notes_timer.timeout.connect(self._save_notes)
        self._loading = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addWidget(QLabel("Notes"))
        layout.addWidget(self.notes)
        self.show_study(None)

    def show_study(self, study: dict[str, Any] | None, *, terms: list[str] = (), categories: list[str] = (),
                   hits: list[dict[str, Any]] = (), suggestions: list[dict[str, Any]] = ()) -> None:
        """Show one study (the core's ``study_detail``, or ``None``: nothing selected). Text from the PDF is
        escaped before it is marked. ``suggestions``: its open suggestions (``suggestions.open_rows``)."""
        self.flush_notes()
        self.study_id = study["id"] if study else None
        self._loading = True
        self.notes.setPlainText(study.get("notes", "") if study else "")
        self.notes.setEnabled(study is not None)
        self._loading = False
        if study is None:
            self.view.setHtml("<p style='color:gray'>Select a study to see its details.</p>")
            return
        parts = [f"<h3>{highlighted(study.get('title') or '(untitled)', list(terms))}</h3>"]
        meta = [authors_text(study.get("authors") or [])]
        meta.append(" · ".join(str(v) for v in (study.get("year"), study.get("venue")) if v))
        if study.get("doi"):
            meta.append(f"DOI {html.escape(study['doi'])}")
        parts.append("<p>" + "<br>".join(html.escape(m) if i < 2 else m for i, m in enumerate(meta) if m) + "</p>")
        facts = [decision_text(stage, row) for stage, row in sorted((study.get("decisions") or {}).items(),
                                                                    key=lambda item: item[0] != "title_abstract")]
        if categories:
            facts.append("Categories: " + html.escape("; ".join(categories)))
        if study.get("has_file"):
            facts.append("<a href='page:1'>Open PDF</a>")
        facts.append("<a href='edit:record'>Edit record</a>")
        if study.get("needs_ocr"):
            facts.append("<span style='color:#a15c00'>No text layer: the PDF needs OCR</span>")
        if facts:
            parts.append("<p>" + " &nbsp;·&nbsp; ".join(facts) + "</p>")
        for offer in suggestions:
            parts.append(suggestion_html(offer))
        if hits:
            parts.append("<h4>Where the search matched</h4><ul>")
            for hit in hits:
                where = (f"<a href='page:{int(hit['page_no'])}'>p. {int(hit['page_no'])}</a>" if hit["page_no"]
                         else html.escape(hit["where"]))
                parts.append(f"<li>{where}: {highlighted(hit['text'], list(terms))}</li>")
            parts.append("</ul>")
        abstract = study.get("abstract")
        parts.append("<h4>Abstract</h4>")
        parts.append(f"<p>{highlighted(abstract, list(terms))}</p>" if abstract else no_abstract(study.get("opening"), list(terms)))
        claims = study.get("claims") or []
        if claims:
            parts.append("<h4>Claims</h4>")
            if any(c.get("fallback") for c in claims):
                parts.append("<p style='color:#a15c00'>The model failed for this study: these claims are its most "
                             "finding-like sentences, chosen without the model. Extract claims again to redo them."
                             "</p>")
            parts.append("<ol>")
            for claim in claims:
                where = ""
                if claim.get("page_no"):
                    where = f" <a href='page:{int(claim['page_no'])}'>p. {int(claim['page_no'])}</a>"
                flag = "" if claim.get("grounded") else (" <span style='color:#a15c00'>(quote not found in the "
                                                         "text)</span>")
                parts.append(
                    f"<li>{html.escape(claim.get('text') or '')}<br>"
                    f"<i>“{highlighted(claim.get('quote') or '', list(terms))}”</i>{where}{flag}</li>"
                )
            parts.append("</ol>")
        self.view.setHtml("".join(parts))

    def _on_link(self, url: QUrl) -> None:
        if url.scheme() == "page" and self.study_id is not None:
            self.open_page.emit(self.study_id, int(url.path() or 1))
        elif url.scheme() == "edit" and self.study_id is not None:
            self.edit_requested.emit()
        elif url.scheme() in ("accept", "reject") and url.path().isdigit():
            self.suggestion_answered.emit(int(url.path()), url.scheme() == "accept")

    def _on_notes_typed(self) -> None:
        if not self._loading and self.study_id is not None:
            self._notes_timer.start()

    def flush_notes(self) -> None:
        """Save pending notes now (before the shown study changes or the window closes)."""
        if self._notes_timer.isActive():
            self._notes_timer.stop()
            self._save_notes()

    def _save_notes(self) -> None:
        if self.study_id is not None:
            self.notes_edited.emit(self.study_id, self.notes.toPlainText())
