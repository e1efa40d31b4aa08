"""The researcher's workbench: several libraries, records that can be fixed and deleted, decisions from the table,
search that says where it matched, help. Screenshots of each screen go under the test's tmp_path."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from litreview.errors import LibraryError
from tests.helpers.window import add_studies_through_window


def select(window, study_id):
    row = window.table_model.row_of(study_id)
    window.table.setFocus()
    window.table.selectionModel().setCurrentIndex(
        window.table_model.index(row, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)


def shot(widget, folder, name):
    path = folder / f"{name}.png"
    assert widget.grab().save(str(path))
    return path


def test_edit_delete_decide_and_search_from_the_library_page(qtbot, window, tmp_path):
    broken, other = add_studies_through_window(window, ["scanned_image_only", "Teaching Python with notebooks"])
    window.refresh()

    select(window, broken)
    window.study_actions.edit_record()
    dialog = window.study_actions.record_dialog
    dialog.title.setText("Heat stress in street trees")
    dialog.year.setText("twenty")
    dialog.accept()
    assert "must be a number" in dialog.error.text() and dialog.isVisible()  # nothing typed is lost
    dialog.year.setText("2021")
    dialog.accept()
    assert not dialog.isVisible()
    assert window.library.study(broken)["title"] == "Heat stress in street trees"
    assert window.library.study(broken)["year"] == 2021
    row = window.table_model.row_of(broken)
    assert window.table_model.index(row, 0).data() == "Heat stress in street trees"
    assert window.undo_action.text().startswith("Undo Edit title, year of “scanned_image_only”")

    select(window, other)
    qtbot.keyClick(window.table, Qt.Key.Key_I)
    assert window.library.query("SELECT decision FROM decisions WHERE study_id = ?", (other,)) == [
        {"decision": "include"}]
    assert "Title/abstract: included" in window.study_pane.view.toPlainText()

    select(window, broken)
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    assert window.library.study(broken) is None and window.table_model.rowCount() == 1
    assert "Ctrl+Z brings it back" in window.statusBar().currentMessage()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.library.study(broken)["title"] == "Heat stress in street trees"

    qtbot.keyClicks(window.page.search_box, "street")
    qtbot.waitUntil(lambda: window.table_model.rowCount() == 1, timeout=3000)
    assert window.page.count_label.text() == "1 study match “street”"
    select(window, broken)
    pane = window.study_pane.view.toPlainText()
    assert "Where the search matched" in pane and "title: Heat stress in street trees" in pane
    shot(window, tmp_path, "workbench_search")


def test_two_libraries_switch_and_a_second_window_is_refused(qtbot, window, tmp_path):
    add_studies_through_window(window, ["Only in the first library"])
    first = window.library.folder
    assert window.windowTitle() == f"{first.name} — litreview"
    with pytest.raises(LibraryError, match="already open in another litreview window"):
        type(window)(first)

    second = window.switch_library(tmp_path / "second review")
    qtbot.addWidget(second)
    assert second.windowTitle() == "second review — litreview"
    assert second.library.study_count() == 0 and second.stack.currentWidget() is second.empty_state
    assert not window.isVisible()
    second._fill_recent()
    titles = [a.text() for a in second.recent_menu.actions()]
    assert any(t.startswith(first.name) for t in titles)

    back = second.switch_library(first)  # the first window released its lock when it closed
    qtbot.addWidget(back)
    assert back.library.study_count() == 1
    shot(back, tmp_path, "workbench_library")
    back.close()


def test_help_lists_the_shortcuts_and_about_names_the_library(qtbot, window):
    window.show_shortcuts()
    text = window.help_dialog.view.toPlainText()
    assert "Ctrl+Z" in text and "Undo" in text and "Backspace" in text
    window.show_guide()
    assert "first review in ten minutes" in window.help_dialog.view.toPlainText().lower()
    from ui.help import about_text

    assert str(window.library.folder) in about_text("default model", window.library.folder)


def test_prisma_from_the_file_menu_traces_a_number_to_its_studies(qtbot, window):
    ids = add_studies_through_window(window, ["A trial of defaults", "A survey of nudges"])
    window.show_prisma()
    dialog = window.prisma_dialog
    assert dialog.isVisible()
    dialog.studyActivated.emit(ids[1])
    assert window.page.selected_study == ids[1] and window.tabs.currentWidget() is window.page


def test_a_past_decision_changed_from_the_table_with_a_reason_shows_in_history_and_pane(qtbot, window, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    [study] = add_studies_through_window(window, ["Nudging physicians with defaults"])
    window.refresh()
    select(window, study)
    qtbot.keyClick(window.table, Qt.Key.Key_I)
    monkeypatch.setattr(QInputDialog, "getItem", lambda *args, **kwargs: ("wrong population", True))
    window.study_actions.exclude_with_reason()
    assert "Title/abstract: excluded (wrong population)" in window.study_pane.view.toPlainText()
    window.show_history()
    rows = [[window.history_dialog.table.item(r, c).text() for c in range(7)]
            for r in range(window.history_dialog.table.rowCount())]
    assert [row[3] for row in rows] == ["exclude", "include (changed later)"]
    assert rows[0][4] == "wrong population" and rows[0][1].startswith("Nudging physicians with defaults")
    window.history_dialog.search.setText("population")
    assert window.history_dialog.table.rowCount() == 1
