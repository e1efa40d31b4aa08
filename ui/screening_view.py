"""Screening, one record at a time (ASReview's screen), at title/abstract or at full text, with the stopping rule.

Keys, at either stage: I include, E exclude (then 1-9 picks a reason from the review's list, Enter none, Esc
cancels), M maybe (title/abstract), R not retrieved (full text), N note (and reason) first, Backspace or Ctrl+Z
undo. A decision is one core call (``litreview.screening.decide``: one undoable command with its feedback event).

What a key costs the window: the decision (an op on the app's one writer, which the view does not wait for), the
next record from the queue already in hand, and one counting query. Everything heavier (the re-rank, the stopping
rule's status, the recall curve) is one ``litreview.screening.snapshot`` computed in the ``ScreeningWorker``
thread and painted when it arrives. When the protocol or a random check changes the order, the record on screen
is replaced by the new order's first.

The stopping panel shows which test of the rule applies, the target and confidence (editable: per-library
settings), the evidence (records since the last include, the p-value against its threshold), the offer of a
random check, and a button to record the stop: the rule's, or the reviewer's own choice before the rule allows it.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from litreview.errors import LitreviewError
from litreview.screening import DECISIONS_BY_STAGE, FULL_TEXT, TITLE_ABSTRACT
from litreview.store import Changes, Library, opening_text
from ui.highlight import highlighted, no_abstract, terms_of
from ui.ops import Ops
from ui.recall_chart import RecallChart
from ui.screening_dialogs import DECISION_TEXT, MethodsDialog, NoteDialog, ProtocolDialog
from ui.screening_worker import ScreeningWorker
from ui.study_pane import authors_text

MODES = {"active": "active learning on your decisions", "bm25": "match with the question and criteria",
         "file order": "import order (set a question to rank)", "random check": "a random check (random order)",
         "inclusion order": "the order of inclusion at title/abstract", "empty": "—"}
KEYS = {TITLE_ABSTRACT: {"I": "include", "E": "exclude", "M": "maybe"},
        FULL_TEXT: {"I": "include", "E": "exclude", "R": "not_retrieved"}}
HINTS = {TITLE_ABSTRACT: "<b>I</b> include · <b>E</b> exclude (then <b>1-9</b> reason, <b>Enter</b> none) · "
                         "<b>M</b> maybe · <b>N</b> note · <b>Backspace</b> undo",
         FULL_TEXT: "<b>I</b> include · <b>E</b> exclude (then <b>1-9</b> reason, <b>Enter</b> none) · "
                    "<b>R</b> not retrieved · <b>N</b> note · <b>Backspace</b> undo"}
RULE_TEXT = {"ranked": "ranked sample: the latest records screened stand for the ones left",
             "random_sample": "random sample: records drawn at random from the ones left"}


class ScreeningView(QWidget):
    undo_requested = Signal()

    def __init__(self, library: Library, ops: Ops, parent: QWidget | None = None):
        super().__init__(parent)
        self.library = library
        self.ops = ops  # every write (decisions, protocol, settings, stops) goes through the app's one writer
        self._own: set[int] = set()  # studies whose decision this view just wrote: their change needs no refresh
        self.stage = TITLE_ABSTRACT
        self.worker = ScreeningWorker(Path(library.folder), self)
        self.worker.ready.connect(self._on_snapshot)
        self.worker.failed.connect(self._on_failed)
        self.queue: list[int] = []  # undecided study ids, best first, from the last snapshot
        self.ranked_once = False
        self.mode = "empty"
        self.current: int | None = None
        self.provisional = False  # the record shown is a stand-in picked before any ranking arrived
        self.reorder = False      # the order changed (protocol, random check): show the new first record
        self.status: dict[str, Any] | None = None  # the last full status (from the worker)
        self._recall_labels: list[int] = []
        self.counts: dict[str, int] = {}
        self.reasons: list[str] = []
        self.picking_reason = False
        self.terms: list[str] = []
        self._rank_scheduled = False
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._build()

    # -- layout ---------------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.stage_group = QButtonGroup(self)
        self.stage_buttons: dict[str, QPushButton] = {}
        stage_row = QHBoxLayout()
        stage_row.addWidget(QLabel("Stage:"))
        for stage, text in ((TITLE_ABSTRACT, "Title / abstract"), (FULL_TEXT, "Full text")):
            button = QPushButton(text)
            button.setCheckable(True)
            button.setChecked(stage == self.stage)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, s=stage: self.set_stage(s))
            self.stage_group.addButton(button)
            self.stage_buttons[stage] = button
            stage_row.addWidget(button)
        stage_row.addStretch(1)

        self.record = QTextBrowser()
        self.record.setOpenLinks(False)
        self.record.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys go to the view, never to a text cursor
        self.hint = QLabel()
        self.hint.setStyleSheet("color: #4c5b70; padding: 4px")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020")
        self.button_row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        self.reason_box = QGroupBox("Exclude: why? (1-9, Enter for no reason, Esc to cancel)")
        self.reason_grid = QGridLayout(self.reason_box)
        self.reason_box.hide()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addLayout(stage_row)
        left_layout.addWidget(self.record, 1)
        left_layout.addWidget(self.reason_box)
        left_layout.addLayout(self.button_row)
        left_layout.addWidget(self.hint)
        left_layout.addWidget(self.message)

        self.criteria = QTextBrowser()
        self.criteria.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        edit_protocol = QPushButton("Edit question and criteria…")
        edit_protocol.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        edit_protocol.clicked.connect(self.edit_protocol)
        self.stats = QLabel()
        self.stats.setWordWrap(True)
        self.chart = RecallChart()
        self.chart_title = QLabel("<b>Recall so far</b> (relevant = include + maybe)")
        self.save_chart_button = QPushButton("Save chart…")
        self.save_chart_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.save_chart_button.setToolTip("The recall chart as SVG (vector) or PNG (300 dpi), for a report or a paper")
        self.save_chart_button.clicked.connect(self.save_chart)
        chart_row = QHBoxLayout()
        chart_row.addWidget(self.chart_title, 1)
        chart_row.addWidget(self.save_chart_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(QLabel("<b>Review criteria</b>"))
        right_layout.addWidget(self.criteria, 2)
        right_layout.addWidget(edit_protocol)
        right_layout.addWidget(self.stats)
        right_layout.addWidget(self._build_stopping())
        right_layout.addLayout(chart_row)
        right_layout.addWidget(self.chart, 2)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([720, 460])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self._build_decision_buttons()

    def _build_stopping(self) -> QGroupBox:
        box = QGroupBox("When to stop")
        layout = QVBoxLayout(box)
        self.rule_label = QLabel()
        self.rule_label.setWordWrap(True)
        self.target_spin, self.confidence_spin = self._percent_spin(), self._percent_spin()
        self.target_spin.setToolTip("The share of the relevant records the review must find")
        self.confidence_spin.setToolTip("How sure the rule must be that the target is reached before it says stop")
        form = QFormLayout()
        form.addRow("Target recall", self.target_spin)
        form.addRow("Confidence", self.confidence_spin)
        self.evidence = QLabel()
        self.evidence.setWordWrap(True)
        self.stop_note = QLabel()
        self.stop_note.setWordWrap(True)
        self.estimate = QLabel()
        self.estimate.setWordWrap(True)
        self.estimate.setStyleSheet("color: #4c5b70")
        self.stopped = QLabel()
        self.stopped.setWordWrap(True)
        self.check_button = QPushButton()
        self.check_button.clicked.connect(self.toggle_random_check)
        self.stop_button = QPushButton("Stop screening here…")
        self.stop_button.clicked.connect(self.stop_here)
        self.methods_button = QPushButton("Methods text…")
        self.methods_button.clicked.connect(self.show_methods)
        buttons = QHBoxLayout()
        for button in (self.check_button, self.stop_button, self.methods_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            buttons.addWidget(button)
        layout.addWidget(self.rule_label)
        layout.addLayout(form)
        layout.addWidget(self.evidence)
        layout.addWidget(self.stop_note)
        layout.addWidget(self.estimate)
        layout.addWidget(self.stopped)
        layout.addLayout(buttons)
        self.rule_widgets = (self.rule_label, self.target_spin, self.confidence_spin, self.evidence, self.estimate,
                             self.check_button)
        return box

    def _percent_spin(self) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(50.0, 99.9)
        spin.setDecimals(1)
        spin.setSingleStep(1.0)
        spin.setSuffix(" %")
        spin.setKeyboardTracking(False)
        spin.valueChanged.connect(self._save_settings)
        spin.editingFinished.connect(self.setFocus)  # the screening keys come back to the view
        return spin

    def _build_decision_buttons(self) -> None:
        while self.button_row.count():
            item = self.button_row.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.buttons = {}
        for key, decision in KEYS[self.stage].items():
            button = QPushButton(f"{DECISION_TEXT[decision]} ({key})")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, d=decision: self._press(d))
            self.button_row.addWidget(button)
            self.buttons[decision] = button
        self.hint.setText(HINTS[self.stage])

    # -- keys -------------------------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt name)
        """The screening keys, while this view has the focus (its text panes and buttons never take it)."""
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier & ~Qt.KeyboardModifier.ShiftModifier:
            super().keyPressEvent(event)  # Ctrl+Z and friends belong to the window
            return
        key, letter = event.key(), event.text().upper()
        if self.picking_reason:
            if letter.isdigit() and 1 <= int(letter) <= min(9, len(self.reasons)):
                self.pick_reason(self.reasons[int(letter) - 1])
            elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.pick_reason("")
            elif key == Qt.Key.Key_Escape:
                self.show_reasons(False)
            event.accept()  # other keys do nothing while the reason is asked for
            return
        if letter in KEYS[self.stage]:
            self._press(KEYS[self.stage][letter])
        elif letter == "N":
            self.note_and_decide()
        elif key == Qt.Key.Key_Backspace:
            self.undo_requested.emit()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _press(self, decision: str) -> None:
        """A decision key or button: exclude first asks for the reason."""
        if decision == "exclude" and self.current is not None:
            self.show_reasons(True)
        else:
            self.decide(decision)

    def show_reasons(self, visible: bool) -> None:
        self.picking_reason = visible
        self.reason_box.setVisible(visible)
        self.setFocus()

    def pick_reason(self, reason: str) -> None:
        self.show_reasons(False)
        self.decide("exclude", reason=reason)

    def _fill_reasons(self) -> None:
        import litreview.screening as screening  # (``reasons`` is also a module's name: ask the package)

        wanted = screening.reasons(self.library, self.stage)
        if wanted == self.reasons and self.reason_grid.count():
            return
        self.reasons = wanted
        while self.reason_grid.count():
            item = self.reason_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        choices = [(f"{number}  {text}", text) for number, text in enumerate(wanted[:9], start=1)]
        for position, (caption, text) in enumerate([*choices, ("No reason (Enter)", "")]):
            button = QPushButton(caption)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setStyleSheet("text-align: left; padding: 3px 8px")
            button.clicked.connect(lambda _=False, t=text: self.pick_reason(t))
            self.reason_grid.addWidget(button, position // 3, position % 3)

    # -- stage -------------------------------------------------------------------------------------------------
    def set_stage(self, stage: str) -> None:
        if stage == self.stage:
            return
        self.stage = stage
        self.stage_buttons[stage].setChecked(True)
        self.show_reasons(False)
        self.queue, self.current, self.status = [], None, None
        self.ranked_once = False
        self.mode = "empty"
        self._build_decision_buttons()
        self.refresh()
        self.setFocus()

    # -- showing -------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read protocol, reasons, counts and the shown record (after an undo the undone record comes back),
        and ask the worker for the rest."""
        from litreview.screening import get_protocol

        protocol = get_protocol(self.library)
        self.terms = terms_of(protocol["question"], protocol["inclusion"], min_length=4)
        self.criteria.setHtml(
            f"<p><b>Question</b><br>{_lines(protocol['question'])}</p>"
            f"<p><b>Include when</b><br>{_lines(protocol['inclusion'])}</p>"
            f"<p><b>Exclude when</b><br>{_lines(protocol['exclusion'])}</p>")
        self._fill_reasons()
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
        self._update_counts()
        self.rank_now()

    def _advance(self) -> None:
        """Show the best undecided record of the queue in hand: no waiting for the worker. Before the first
        snapshot arrives, the first undecided record in import order stands in."""
        from litreview.screening import undecided_ids

        while self.queue and self._decided(self.queue[0]):
            self.queue.pop(0)
        self.provisional = not self.queue
        if self.queue:
            self.current = self.queue.pop(0)
        else:
            first = undecided_ids(self.library, self.stage, limit=1)
            self.current = first[0] if first else None
        self._show_record()

    def _show_record(self) -> None:
        study = self.library.study(self.current) if self.current is not None else None
        for button in self.buttons.values():
            button.setEnabled(study is not None)
        if study is None:
            if self.picking_reason:
                self.show_reasons(False)
            if self.library.study_count() == 0:
                self.record.setHtml("<h3>No studies yet</h3><p>Import studies first (drop files on the window).</p>")
            elif self.stage == FULL_TEXT:
                self.record.setHtml("<h3>Nothing to assess in full text</h3><p>Studies included at title/abstract "
                                    "come here; every one of them has a full-text decision.</p>")
            else:
                self.record.setHtml("<h3>Nothing left to screen</h3>")
            return
        meta = " · ".join(str(v) for v in (authors_text(study["authors"]), study.get("year"), study.get("venue")) if v)
        abstract = study.get("abstract")
        extra = ""
        if self.stage == FULL_TEXT:
            has_file = self.library.file_path(study["id"]) is not None
            extra = ("<p style='color:#2a6fdb'>Full text stored: open it from the library.</p>" if has_file else
                     "<p style='color:#b06000'>No full text stored yet: add the PDF, or decide <b>R</b> "
                     "(not retrieved) if it cannot be found.</p>")
        self.record.setHtml(
            f"<h2>{highlighted(study.get('title') or '(untitled)', self.terms)}</h2>"
            f"<p style='color:#4c5b70'>{html.escape(meta)}</p>" + extra
            + (f"<p style='font-size:12pt'>{highlighted(abstract, self.terms)}</p>" if abstract
               else no_abstract(opening_text(self.library, study["id"], title=study.get("title")), self.terms,
                                "No abstract: decide on the title, or open it from the library.")))

    def _update_counts(self) -> None:
        """The counter line, current the moment a key is pressed (one cheap query)."""
        from litreview.screening import decision_counts

        self.counts = counts = decision_counts(self.library, self.stage)
        if self.stage == TITLE_ABSTRACT:
            line = (f"<b>{counts['screened']}</b> of {counts['total']} screened · <b>{counts['include']}</b> included"
                    f" · {counts['maybe']} maybe")
        else:
            line = (f"<b>{counts['screened']}</b> of {counts['total']} decided at full text · "
                    f"<b>{counts['include']}</b> included · {counts['exclude']} excluded · "
                    f"{counts['not_retrieved']} not retrieved")
        self.stats.setText(f"{line}<br><span style='color:#4c5b70'>Order: {MODES.get(self.mode, self.mode)}</span>")

    def _paint_status(self) -> None:
        """The stopping panel and the chart, from the worker's status."""
        from litreview.screening import percent

        status = self.status
        if status is None:
            return
        full_text = status["stage"] == FULL_TEXT
        for widget in self.rule_widgets:
            widget.setVisible(not full_text)
        self.chart.setVisible(not full_text)
        self.chart_title.setVisible(not full_text)
        self.save_chart_button.setVisible(not full_text)
        self.stop_note.setText(f"<i>{html.escape(status['stop_note'])}</i>")
        stop = status.get("stopped")
        self.stopped.setText("" if stop is None else
                             f"Stopped on {stop['created'][:10]} after {stop['screened']} of {stop['total']}, "
                             f"{'as the rule allowed' if stop['chosen_by'] == 'rule' else 'by your choice'}.")
        self.stop_button.setEnabled(status["total"] > 0)
        if full_text:
            return
        for spin, value in ((self.target_spin, status["target_recall"]), (self.confidence_spin, status["confidence"])):
            if not spin.hasFocus():
                spin.blockSignals(True)
                spin.setValue(100 * value)
                spin.blockSignals(False)
        self.rule_label.setText(f"<b>Rule:</b> {html.escape(status['rule_name'])}<br>"
                                f"<span style='color:#4c5b70'>{RULE_TEXT[status['rule']]}</span>")
        allowed = status["suggested_stop"]
        colour = "#1b7f3b" if allowed else "#4c5b70"
        self.evidence.setText(
            f"Records since the last include: <b>{status['records_since_last_include']}</b><br>"
            f"p = <b style='color:{colour}'>{status['p_value']:.3g}</b> (stop when below "
            f"{1 - status['confidence']:.3g}, i.e. {percent(status['confidence'])} sure that recall ≥ "
            f"{percent(status['target_recall'])})")
        remaining = status["estimated_remaining"]
        self.estimate.setText("" if remaining is None else
                              f"Model estimate (information, not the rule): ≈ {remaining:.0f} relevant left "
                              f"(90 %: {status['remaining_interval'][0]}–{status['remaining_interval'][1]})")
        check, offer = status["random_check"], status["random_sample_offer"]
        self.check_button.setVisible(check is not None or offer is not None)
        self.check_button.setText("End the random check" if check is not None else
                                  f"Screen {offer} random records to confirm" if offer is not None else "")
        interval = status["remaining_interval"]
        self.chart.set_data(self._recall_labels, status["total"],
                            None if remaining is None else (remaining, interval[0], interval[1]),
                            status["target_recall"], stop["screened"] if stop else None)

    # -- deciding -----------------------------------------------------------------------------------------
    def decide(self, decision: str, note: str = "", reason: str = "") -> None:
        if self.current is None:
            return
        from litreview.screening import decide

        study, stage = self.current, self.stage
        self._own.add(study)
        self.ops.run(lambda library: decide(library, study, decision, stage=stage, reason=reason, note=note),
                     context="saving the decision")
        self.message.clear()
        self._advance()
        self._update_counts()
        self.rank_now()

    def on_changes(self, changes: Changes) -> None:
        """The window's news of a change: the decisions this view just wrote are already on screen; anything else
        (an undo, an edit elsewhere, a job) is read again."""
        if changes.areas <= {"decisions"} and changes.studies and changes.studies <= self._own:
            self._own -= changes.studies
            return
        self._own.clear()
        self.refresh()

    def _write(self, op) -> bool:
        """A write other than a decision, waited for (its result changes what the view shows next)."""
        try:
            self.ops.call(op)
        except LitreviewError as error:
            self.message.setText(str(error))
            return False
        return True

    def note_and_decide(self) -> None:
        """N: write a note (and a reason), then choose the decision it goes with."""
        if self.current is None:
            return
        dialog = NoteDialog(DECISIONS_BY_STAGE[self.stage], self.reasons, self)
        dialog.decided.connect(lambda decision, note, reason: self.decide(decision, note, reason))
        dialog.open()
        self.note_dialog = dialog

    def _decided(self, study_id: int) -> bool:
        from litreview.screening import decision_of

        return decision_of(self.library, study_id, self.stage) is not None

    def _last_undone_study(self) -> int | None:
        """After Ctrl+Z of a decision the record it was about is shown again first."""
        from litreview.screening import last_undone_decision

        study_id = last_undone_decision(self.library, self.stage)
        if study_id is None or self._decided(study_id) or study_id == self.current:
            return None
        return study_id

    # -- the worker -------------------------------------------------------------------------------------------
    def rank_now(self) -> None:
        """Ask for a snapshot; the calls of one event-loop turn (a decision, then the window's refresh) make one."""
        if not self._rank_scheduled:
            self._rank_scheduled = True
            QTimer.singleShot(0, self._request)

    def _request(self) -> None:
        self._rank_scheduled = False
        self.worker.request(self.stage)

    def _on_snapshot(self, snapshot: Any) -> None:
        if snapshot.stage != self.stage:
            return  # asked for before the stage switch
        self.ranked_once = True
        self.mode = snapshot.mode
        self.status = snapshot.status
        self._recall_labels = snapshot.recall_labels
        if self.provisional or self.reorder:  # the record on screen came from an order that is gone
            self.current = None
            self.reorder = False
        self.queue = [study_id for study_id in snapshot.queue if study_id != self.current]
        if self.current is None:
            self._advance()
        self._update_counts()
        self._paint_status()

    def _on_failed(self, message: str) -> None:
        self.message.setText(f"Ranking failed: {message}")

    # -- protocol, settings, stop -------------------------------------------------------------------------------
    def edit_protocol(self) -> None:
        from litreview.screening import get_protocol

        dialog = ProtocolDialog(get_protocol(self.library), self)
        dialog.accepted.connect(lambda: self._save_protocol(dialog))
        dialog.open()
        self.protocol_dialog = dialog

    def _save_protocol(self, dialog: ProtocolDialog) -> None:
        from litreview.screening import set_protocol

        values = dialog.values()
        if self._write(lambda library: set_protocol(library, **values)):
            self.reorder = self.stage == TITLE_ABSTRACT  # the question feeds the ranking: show the new order's first
            self._written()

    def _save_settings(self) -> None:
        from litreview.screening import set_stopping_settings

        target, confidence = self.target_spin.value() / 100, self.confidence_spin.value() / 100
        if self._write(lambda library: set_stopping_settings(library, target, confidence)):
            self._written()

    def toggle_random_check(self) -> None:
        import litreview.screening as screening  # (``random_check`` is also a module's name: ask the package)

        change = (screening.start_random_check if screening.random_check(self.library) is None
                  else screening.cancel_random_check)
        if self._write(change):
            self.reorder = True
            self._written()

    def stop_here(self) -> None:
        """Record the stop: at once when the rule allows it, else after the reviewer confirms it is their choice."""
        status = self.status
        allowed = status is not None and (status["suggested_stop"] if self.stage == TITLE_ABSTRACT
                                          else status["unscreened"] == 0)
        if allowed:
            self._record_stop(None)
            return
        box = QMessageBox(QMessageBox.Icon.Question, "Stop before the rule allows it?",
                          "The stopping rule does not allow stopping yet"
                          + (f": {status['stop_note']}." if status else ".")
                          + "\n\nYou may stop anyway; it is recorded as your choice, with the evidence so far.",
                          QMessageBox.StandardButton.Cancel, self)
        stop = box.addButton("Stop anyway", QMessageBox.ButtonRole.AcceptRole)
        box.buttonClicked.connect(lambda button: self._record_stop("user") if button is stop else None)
        box.open()
        self.stop_dialog = box

    def _record_stop(self, chosen_by: str | None) -> None:
        from litreview.screening import stop_screening

        stage = self.stage
        if self._write(lambda library: stop_screening(library, stage, chosen_by)):
            self._written()

    def save_chart(self, target: Path | None = None) -> Path | None:
        """Write the recall chart as SVG or PNG (``target`` None asks where)."""
        if target is None:
            chosen, _ = QFileDialog.getSaveFileName(self, "Save the recall chart", str(Path.home() / "recall.svg"),
                                                    "SVG, vector (*.svg);;PNG, 300 dpi (*.png)")
            if not chosen:
                return None
            target = Path(chosen)
        if target.suffix.lower() not in (".svg", ".png"):
            target = target.with_suffix(".svg")
        try:
            return self.chart.save(target)
        except OSError as error:
            self.message.setText(f"Cannot save the chart: {error}")
            return None

    def show_methods(self) -> None:
        from litreview.screening import methods_paragraph

        dialog = MethodsDialog(methods_paragraph(self.library), self)
        dialog.open()
        self.methods_dialog = dialog

    def _written(self) -> None:
        """After a write from this view other than a decision (the window has refreshed the other views)."""
        self.message.clear()
        self.setFocus()

    def stop(self) -> None:
        """Before the window closes its library: no result may arrive after this."""
        self.worker.ready.disconnect(self._on_snapshot)
        self.worker.failed.disconnect(self._on_failed)
        self.worker.stop()


def _lines(text: str) -> str:
    return "<br>".join(html.escape(line) for line in (text or "").splitlines()) or "<i>not set yet</i>"
