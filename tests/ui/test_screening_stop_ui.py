"""The screening screen's new parts: reasons by key, the two stages, the stopping panel (rule, editable target and
confidence, evidence, the random check, recording a stop), the order refresh after a protocol edit, one snapshot
per key from the background, and the recall chart on fixed axes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from litreview.screening import decision_of, decisions, random_check, reasons, screening_status, stopping_settings
from tests.helpers.window import add_studies_through_window
from ui.recall_chart import LEGEND

TITLES = [
    "A GPU solver for sparse systems", "Teaching Python to biology students", "Open notebooks in statistics classes",
    "Peer review of student code", "Plotting library for climate data", "Automated grading of programming exercises",
    "Fast Fourier transforms in Rust", "Reproducible teaching materials with Jupyter", "Compilers for tensor programs",
    "Students learning version control in class", "Mesh generation for fluid dynamics", "Parsing scientific PDFs",
]


@pytest.fixture
def screen(qtbot, window):
    add_studies_through_window(window, TITLES)
    window.refresh()
    window.tabs.setCurrentWidget(window.screening)
    window.screening.setFocus()
    qtbot.waitUntil(lambda: window.screening.ranked_once, timeout=30000)
    return window, window.screening, window.library


def settle(qtbot, view) -> None:
    """Wait until the background snapshot of the latest state has been painted."""
    qtbot.waitUntil(lambda: not view._rank_scheduled and not view.worker.running and view.worker.pending is None,
                    timeout=30000)
    QApplication.processEvents()


def test_e_then_a_digit_picks_a_reason_enter_none_escape_cancels(qtbot, screen):
    _, view, lib = screen
    first = view.current
    qtbot.keyClick(view, Qt.Key.Key_E)
    assert view.reason_box.isVisible() and decisions(lib) == []
    assert view.reason_box.title().startswith("Exclude: why?")
    qtbot.keyClick(view, Qt.Key.Key_3)
    assert decision_of(lib, first)["reason"] == reasons(lib)[2] and not view.reason_box.isVisible()
    second = view.current
    qtbot.keyClick(view, Qt.Key.Key_E)
    qtbot.keyClick(view, Qt.Key.Key_I)  # other keys wait while the reason is asked for
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert decision_of(lib, second) is None and view.current == second
    qtbot.keyClick(view, Qt.Key.Key_E)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert (decision_of(lib, second)["decision"], decision_of(lib, second)["reason"]) == ("exclude", "")
    qtbot.keyClick(view, Qt.Key.Key_Backspace)
    assert decision_of(lib, second) is None and view.current == second


def test_both_stages_with_reasons_and_undo(qtbot, screen):
    window, view, lib = screen
    included = []
    for _ in range(2):
        included.append(view.current)
        qtbot.keyClick(view, Qt.Key.Key_I)
    view.stage_buttons["full_text"].click()
    assert view.stage == "full_text" and "R</b> not retrieved" in view.hint.text()
    settle(qtbot, view)
    assert view.current == included[0] and view.mode == "inclusion order"
    assert "No full text stored yet" in view.record.toHtml()
    assert "0</b> of 2 decided at full text" in view.stats.text()
    qtbot.keyClick(view, Qt.Key.Key_E)
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert decision_of(lib, included[0], "full_text")["reason"] == reasons(lib, "full_text")[0]
    qtbot.keyClick(view, Qt.Key.Key_M)  # no "maybe" at full text: nothing happens
    qtbot.keyClick(view, Qt.Key.Key_R)
    assert decision_of(lib, included[1], "full_text")["decision"] == "not_retrieved"
    assert "Nothing to assess in full text" in view.record.toHtml()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert decision_of(lib, included[1], "full_text") is None and view.current == included[1]
    settle(qtbot, view)
    assert "1 of 2 studies still to assess" in view.stop_note.text()
    assert view.isVisible() and not view.target_spin.isVisible()  # the rule belongs to title/abstract
    view.set_stage("title_abstract")
    settle(qtbot, view)
    assert view.current not in included and [d["study_id"] for d in decisions(lib)] == included


def test_the_stopping_panel_shows_the_rule_its_evidence_and_edits_the_settings(qtbot, screen):
    window, view, lib = screen
    qtbot.keyClick(view, Qt.Key.Key_I)
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key.Key_E)
        qtbot.keyClick(view, Qt.Key.Key_Return)
    settle(qtbot, view)
    assert "Callaghan" in view.rule_label.text() and "ranked sample" in view.rule_label.text()
    status = screening_status(lib)
    assert f"Records since the last include: <b>{status['records_since_last_include']}</b>" in view.evidence.text()
    assert f"p = <b style='color:#4c5b70'>{status['p_value']:.3g}</b>" in view.evidence.text()
    assert "keep screening" in view.stop_note.text()
    assert view.target_spin.value() == pytest.approx(95.0) and view.confidence_spin.value() == pytest.approx(95.0)
    view.target_spin.setValue(90.0)
    assert stopping_settings(lib) == (0.9, 0.95)
    assert window.library.undo_label() == "Set the stopping target recall to 90 %"
    settle(qtbot, view)
    assert "recall ≥ 90 %" in view.evidence.text()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, view)
    assert view.target_spin.value() == pytest.approx(95.0)


def test_the_random_check_offer_reorders_the_screen(qtbot, screen):
    window, view, lib = screen
    settle(qtbot, view)
    offer = screening_status(lib)["random_sample_offer"]
    assert view.check_button.text() == f"Screen {offer} random records to confirm"
    view.check_button.click()
    settle(qtbot, view)
    check = random_check(lib)
    assert check is not None and view.mode == "random check"
    assert view.current == check["order"][0]  # the record on screen follows the new order at once
    assert view.check_button.text() == "End the random check"
    view.check_button.click()
    assert random_check(lib) is None


def test_stopping_before_the_rule_allows_is_recorded_as_the_users_choice(qtbot, screen):
    window, view, lib = screen
    qtbot.keyClick(view, Qt.Key.Key_I)
    settle(qtbot, view)
    view.stop_button.click()
    box = view.stop_dialog
    assert box.isVisible() and "does not allow stopping yet" in box.text()
    next(b for b in box.buttons() if b.text() == "Stop anyway").click()
    stop = screening_status(lib)["stopped"]
    assert stop["chosen_by"] == "user" and stop["screened"] == 1
    settle(qtbot, view)
    assert "by your choice" in view.stopped.text()
    view.methods_button.click()
    assert "by the reviewers' decision" in view.methods_dialog.text
    view.methods_dialog.close()


def test_a_protocol_edit_refreshes_the_record_on_screen(qtbot, screen):
    window, view, lib = screen
    settle(qtbot, view)
    assert view.current == 1 and view.mode == "file order"  # no question yet: import order
    view.edit_protocol()
    dialog = view.protocol_dialog
    dialog.question.setPlainText("How do students learn version control in class?")
    dialog.accept()
    settle(qtbot, view)
    assert view.mode == "bm25"
    assert lib.study(view.current)["title"] == "Students learning version control in class"


def test_one_snapshot_per_key(qtbot, screen):
    """The window's refresh after a decision and the view's own request make one background computation."""
    window, view, lib = screen
    settle(qtbot, view)
    before = view.worker.computed
    qtbot.keyClick(view, Qt.Key.Key_I)
    settle(qtbot, view)
    assert view.worker.computed == before + 1
    assert view.status["screened"] == 1


def test_the_recall_chart_uses_fixed_axes_and_the_estimate(qtbot, screen, tmp_path):
    window, view, lib = screen
    for key in (Qt.Key.Key_I, Qt.Key.Key_I, Qt.Key.Key_M):
        qtbot.keyClick(view, key)
    settle(qtbot, view)
    chart = view.chart
    assert chart.total == len(TITLES) and chart.labels == [1, 1, 1] and chart.target == 0.95
    estimate, low, high = chart.recall_bounds()
    assert 3 <= low <= estimate <= high
    assert "90 % interval" in LEGEND and "Dashed: target" in LEGEND  # painted under the plot
    assert view.chart.grab().save(str(tmp_path / "recall.png"))


def test_the_recall_chart_saves_as_svg_text_and_png_at_300_dpi(qtbot, screen, tmp_path):
    import xml.etree.ElementTree as ElementTree

    from PySide6.QtGui import QImage

    _, view, _ = screen
    for key in (Qt.Key.Key_I, Qt.Key.Key_I, Qt.Key.Key_M):
        qtbot.keyClick(view, key)
    settle(qtbot, view)
    svg = view.save_chart(tmp_path / "recall.svg")
    texts = [e.text for e in ElementTree.parse(svg).iter() if e.tag.endswith("text") and e.text]
    assert any("records screened" in t for t in texts)  # text stays text in the vector file
    png = view.save_chart(tmp_path / "recall.png")
    image = QImage(str(png))
    assert image.width() >= 2000 and round(image.dotsPerMeterX() * 0.0254) == 300
