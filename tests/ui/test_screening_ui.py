"""Keyboard screening: I / E (+ reason) / M / N write decisions through the core, Backspace and Ctrl+Z undo them."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from litreview.screening import decisions, set_protocol
from tests.helpers.screenshots import save_screenshot
from tests.helpers.window import add_studies_through_window

TITLES = [
    "A GPU solver for sparse systems", "Teaching Python to biology students", "Open notebooks in statistics classes",
    "Peer review of student code", "Plotting library for climate data", "Automated grading of programming exercises",
    "Fast Fourier transforms in Rust", "Reproducible teaching materials with Jupyter",
]


@pytest.fixture
def screening_window(qtbot, window):
    add_studies_through_window(window, TITLES)
    window.ops.call(lambda library: set_protocol(
        library, question="How do open-source tools support teaching programming to students?",
        inclusion="teaching, students, classes", exclusion="pure software engineering"))
    window.refresh()
    window.tabs.setCurrentWidget(window.screening)
    window.screening.setFocus()
    qtbot.waitUntil(lambda: window.screening.ranked_once, timeout=30000)
    return window


def decided(lib):
    return {d["study_id"]: d["decision"] for d in decisions(lib)}


def exclude(qtbot, view) -> None:
    """E asks for a reason; Enter excludes without one."""
    qtbot.keyClick(view, Qt.Key.Key_E)
    qtbot.keyClick(view, Qt.Key.Key_Return)


def test_keys_decide_and_undo(qtbot, screening_window, tmp_path):
    window, view, lib = screening_window, screening_window.screening, screening_window.library
    first = view.current
    assert first is not None
    title = lib.study(first)["title"].lower()  # the ranking's best, not the first record in import order
    assert title != TITLES[0].lower() and any(word in title for word in ("teach", "class", "student"))

    qtbot.keyClick(view, Qt.Key.Key_I)
    assert decided(lib) == {first: "include"}
    second = view.current
    assert second not in (None, first)  # the next record is there at once
    exclude(qtbot, view)
    qtbot.keyClick(view, Qt.Key.Key_M)
    assert list(decided(lib).values()) == ["include", "exclude", "maybe"]
    assert "3</b> of 8 screened" in view.stats.text()
    assert window.table_model.data(window.table_model.index(window.table_model.row_of(first), 4)) == "include"

    qtbot.keyClick(view, Qt.Key.Key_Backspace)
    assert len(decided(lib)) == 2
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert decided(lib) == {first: "include"}
    assert view.current == second  # the undone record is back on screen
    assert "1</b> of 8 screened" in view.stats.text()

    for _ in range(3):
        exclude(qtbot, view)
    assert len(decided(lib)) == 4
    qtbot.waitUntil(lambda: view.mode == "active", timeout=30000)  # one include and excludes: active learning
    save_screenshot(window, "screening", tmp_path)


def test_n_writes_a_note_with_the_decision(qtbot, screening_window):
    view, lib = screening_window.screening, screening_window.library
    study = view.current
    qtbot.keyClick(view, Qt.Key.Key_N)
    dialog = view.note_dialog
    assert dialog.isVisible()
    qtbot.keyClicks(dialog.text, "method section unclear")
    next(b for b in dialog.findChildren(QPushButton) if b.text() == "Maybe").click()
    row = lib.query("SELECT decision, note FROM decisions WHERE study_id = ?", (study,))[0]
    assert row == {"decision": "maybe", "note": "method section unclear"}


def test_everything_screened_says_so(qtbot, screening_window):
    view = screening_window.screening
    for _ in TITLES:
        exclude(qtbot, view)
    assert view.current is None
    assert "Nothing left to screen" in view.record.toHtml()
    exclude(qtbot, view)  # a key with nothing on screen does nothing
    assert len(decisions(screening_window.library)) == len(TITLES)
