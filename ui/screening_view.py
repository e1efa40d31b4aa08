"""Screening, one record at a time (ASReview's screen), with the review's criteria beside it.

Keys: I include, E exclude, M maybe, N note (then decide), Backspace or Ctrl+Z undo. A decision is one core
call (``litreview.screening.decide``: one undoable command with its feedback event). The next record comes at
once from the ranking already in hand, while the core re-ranks in a background worker; the new order is used
for the records after that. Progress (screened, included, estimated remaining) and the recall-so-far chart are
re-read from the core after every decision.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from litreview.store import Library
from ui.highlight import highlighted, terms_of
from ui.ops import Ops
from ui.recall_chart import RecallChart
from ui.study_pane import authors_text
from ui.workers import BackgroundRanker

MODES = {"active": "active learning on your decisions", "bm25": "match with the question and criteria",
         "file order": "import order (set a question to rank)", "empty": "—"}
KEYS = {"I": "include", "E": "exclude", "M": "maybe"}
HINT = "<b>I</b> include · <b>E</b> exclude · <b>M</b> maybe · <b>N</b> note · <b>Backspace</b> undo"


class ScreeningView(QWidget):
    changed = Signal()  # a decision was written: the window refreshes the other views
    undo_requested = Signal()

    def __init__(self, library: Library, ops: Ops, parent: QWidget | None = None):
        super().__init__(parent)
        self.library = library
        self.ops = ops  # decisions and the protocol are written through the app's one writer
        self.ranker = BackgroundRanker(Path(library.folder), self)
        self.ranker.ranked.connect(self._on_ranked)
        self.ranker.failed.connect(self._on_rank_failed)
        self.queue: list[int] = []  # undecided study ids, best first, from the last ranking
        self.ranked_once = False
        self.mode = "empty"
        self.current: int | None = None
        self.provisional = False  # the record shown was picked in import order, before any ranking arrived
        self.terms: list[str] = []
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.record = QTextBrowser()
        self.record.setOpenLinks(False)
        self.record.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys go to the view, never to a text cursor
        hint = QLabel(HINT)
        hint.setStyleSheet("color: #4c5b70; padding: 4px")
        self.buttons = {}
        buttons = QHBoxLayout()
        for key, decision in KEYS.items():
            button = QPushButton(f"{decision.title()} ({key})")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, d=decision: self.decide(d))
            buttons.addWidget(button)
            self.buttons[decision] = button
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.record, 1)
        left_layout.addLayout(buttons)
        left_layout.addWidget(hint)

        self.criteria = QTextBrowser()
        self.criteria.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        edit_protocol = QPushButton("Edit question and criteria…")
        edit_protocol.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        edit_protocol.clicked.connect(self.edit_protocol)
        self.stats = QLabel()
        self.stats.setWordWrap(True)
        self.chart = RecallChart()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(QLabel("<b>Review criteria</b>"))
        right_layout.addWidget(self.criteria, 2)
        right_layout.addWidget(edit_protocol)
        right_layout.addWidget(self.stats)
        right_layout.addWidget(QLabel("<b>Recall so far</b> (relevant found: include + maybe)"))
        right_layout.addWidget(self.chart, 2)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([760, 420])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)


    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt name)
        """The screening keys, while this view has the focus (its text panes and buttons never take it)."""
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier & ~Qt.KeyboardModifier.ShiftModifier:
            super().keyPressEvent(event)  # Ctrl+Z and friends belong to the window
            return
        key = event.key()
        letter = event.text().upper()
        if letter in KEYS:
            self.decide(KEYS[letter])
        elif letter == "N":
            self.note_and_decide()
        elif key == Qt.Key.Key_Backspace:
            self.undo_requested.emit()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    # -- showing ------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read protocol, progress and the shown record (after an undo the undone record comes back)."""
        from litreview.screening import get_protocol

        protocol = get_protocol(self.library)
        self.terms = terms_of(protocol["question"], protocol["inclusion"], min_length=4)
        self.criteria.setHtml(
            f"<p><b>Question</b><br>{_lines(protocol['question'])}</p>"
            f"<p><b>Include when</b><br>{_lines(protocol['inclusion'])}</p>"
            f"<p><b>Exclude when</b><br>{_lines(protocol['exclusion'])}</p>")
        undone = self._last_undone_study()
        if undone is not None:
            self.queue.insert(0, undone)
            if self.current is not None:
                self.queue.insert(1, self.current)  # shown again right after the undone one
        if self.current is not None and self._decided(self.current):
            self.current = None
        if self.current is None or undone is not None:
            self._advance()
        else:
            self._show_record()
        self._update_progress()
        self.rank_now()

    def _advance(self) -> None:
        """Show the best undecided record of the ranking in hand: no waiting for a re-rank. Before the first
        ranking arrives, the first undecided record in import order stands in."""
        while self.queue and self._decided(self.queue[0]):
            self.queue.pop(0)
        self.provisional = not self.queue
        if self.queue:
            self.current = self.queue.pop(0)
        else:
            row = self.library.conn.execute(
                "SELECT id FROM studies WHERE id NOT IN (SELECT study_id FROM decisions) ORDER BY id LIMIT 1").fetchone()
            self.current = row[0] if row else None
        self._show_record()

    def _show_record(self) -> None:
        study = self.library.study(self.current) if self.current is not None else None
        for button in self.buttons.values():
            button.setEnabled(study is not None)
        if study is None:
            total = self.library.study_count()
            self.record.setHtml("<h3>Nothing left to screen</h3>" if total else "<h3>No studies yet</h3>"
                                "<p>Import studies first (drop files on the window).</p>")
            return
        meta = " · ".join(str(v) for v in (authors_text(study["authors"]), study.get("year"), study.get("venue")) if v)
        abstract = study.get("abstract")
        self.record.setHtml(
            f"<h2>{highlighted(study.get('title') or '(untitled)', self.terms)}</h2>"
            f"<p style='color:#4c5b70'>{html.escape(meta)}</p>"
            + (f"<p style='font-size:12pt'>{highlighted(abstract, self.terms)}</p>" if abstract
               else "<p style='color:gray'>No abstract: decide on the title, or open it from the library.</p>"))

    def _update_progress(self) -> None:
        from litreview.screening import decisions, screening_status

        status = screening_status(self.library)
        self.status = status
        remaining = status["estimated_remaining"]
        remaining_text = "not yet known" if remaining is None else f"≈ {remaining:.0f}"
        interval = status.get("remaining_interval")
        if remaining is not None and interval:
            remaining_text += f" (90 %: {interval[0]:.0f}–{interval[1]:.0f})"
        self.stats.setText(
            f"<b>{status['screened']}</b> of {status['total']} screened · <b>{status['included']}</b> included"
            f" · {status['maybe']} maybe<br>Estimated relevant records left: <b>{remaining_text}</b><br>"
            f"<i>{html.escape(status.get('stop_note') or '')}</i><br>"
            f"<span style='color:#4c5b70'>Order: {MODES.get(self.mode, self.mode)}</span>")
        # "maybe" counts as relevant, as in the core's estimate, so the curve and the dashed line agree
        labels = [0 if d["decision"] == "exclude" else 1 for d in decisions(self.library)]
        estimate = None if remaining is None else status["included"] + status["maybe"] + remaining
        self.chart.set_data(labels, status["total"], estimate)

    # -- deciding -----------------------------------------------------------------------------------------
    def decide(self, decision: str, note: str = "") -> None:
        if self.current is None:
            return
        from litreview.screening import decide

        study_id = self.current
        self.ops.run(lambda library: decide(library, study_id, decision, note=note), context="saving the decision")
        self._advance()
        self._update_progress()
        self.changed.emit()
        self.rank_now()

    def note_and_decide(self) -> None:
        """N: write a note, then choose the decision it goes with."""
        if self.current is None:
            return
        dialog = NoteDialog(self)
        dialog.decided.connect(lambda decision, note: self.decide(decision, note))
        dialog.open()
        self.note_dialog = dialog

    def _decided(self, study_id: int) -> bool:
        return self.library.conn.execute("SELECT 1 FROM decisions WHERE study_id = ?", (study_id,)).fetchone() is not None

    def _last_undone_study(self) -> int | None:
        """After Ctrl+Z of a decision the record it was about is shown again first."""
        from litreview.screening.decisions import last_undone_decision

        study_id = last_undone_decision(self.library)
        if study_id is None or self._decided(study_id) or study_id == self.current:
            return None
        return study_id

    # -- ranking in the background --------------------------------------------------------------------------
    def rank_now(self) -> None:
        """Re-rank in the background (requests made while it ranks collapse into one more run)."""
        self.ranker.request()

    def _on_ranked(self, ranking: list, mode: str) -> None:
        self.ranked_once = True
        self.mode = mode
        if self.provisional:  # the record on screen was a stand-in: show the ranking's best instead
            self.current = None
        self.queue = [study_id for study_id in ranking if study_id != self.current]
        if self.current is None:
            self._advance()
        self._update_progress()

    def _on_rank_failed(self, message: str) -> None:
        self.stats.setText(self.stats.text() + f"<br><span style='color:#b00020'>Ranking failed: {html.escape(message)}</span>")

    def edit_protocol(self) -> None:
        from litreview.screening import get_protocol

        dialog = ProtocolDialog(get_protocol(self.library), self)
        dialog.accepted.connect(lambda: self._save_protocol(dialog))
        dialog.open()
        self.protocol_dialog = dialog

    def _save_protocol(self, dialog: ProtocolDialog) -> None:
        from litreview.screening import set_protocol

        values = dialog.values()
        self.ops.run(lambda library: set_protocol(library, **values), context="saving the protocol")
        self.changed.emit()
        self.refresh()
        self.rank_now()

    def stop(self) -> None:
        """Before the window closes its library: no ranking result may arrive after this."""
        self.ranker.ranked.disconnect(self._on_ranked)
        self.ranker.failed.disconnect(self._on_rank_failed)
        self.ranker.stop()


class NoteDialog(QDialog):
    decided = Signal(str, str)  # decision, note

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Note")
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText("Why? (kept with the decision)")
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        row = QHBoxLayout()
        for decision in KEYS.values():
            button = QPushButton(decision.title())
            button.clicked.connect(lambda _=False, d=decision: self._choose(d))
            row.addWidget(button)
        layout.addLayout(row)

    def _choose(self, decision: str) -> None:
        self.decided.emit(decision, self.text.toPlainText().strip())
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


def _lines(text: str) -> str:
    return "<br>".join(html.escape(line) for line in (text or "").splitlines()) or "<i>not set yet</i>"
