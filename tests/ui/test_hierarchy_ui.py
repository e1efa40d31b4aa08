"""Correcting the hierarchy by drag and drop and F2, with undo and redo from the keyboard."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from litreview.hierarchy import edits
from litreview.hierarchy import tree as hierarchy
from tests.helpers.drops import send_drop
from tests.helpers.screenshots import save_screenshot
from tests.helpers.window import run_on_writer


def feedback_rows(lib, kind):
    return lib.query("SELECT * FROM feedback WHERE kind = ? ORDER BY id", (kind,))


def category_label(window, category_id):
    return window.tree_model.find("category", category_id).data(Qt.ItemDataRole.DisplayRole)


def test_drag_study_to_category_then_undo_and_redo(qtbot, tree_window, tmp_path):
    window, ids, lib = tree_window, tree_window.ids, tree_window.library
    study = ids["studies"][0]
    source = window.tree_model.find("study", study, under_category=ids["teaching"])
    target = window.tree_model.find("category", ids["software"])
    assert source.isValid() and target.isValid()
    assert category_label(window, ids["software"]) == "Software (2)"

    mime = window.tree_model.mimeData([source])
    assert send_drop(window.tree.viewport(), mime, window.tree.visualRect(target).center(), Qt.DropAction.MoveAction)

    # database, feedback row and tree all updated
    assert study in hierarchy.studies_in(lib, ids["software"])
    assert study not in hierarchy.studies_in(lib, ids["teaching"])
    moves = feedback_rows(lib, "move_study")
    assert len(moves) == 1 and moves[0]["study_id"] == study and moves[0]["retracted"] == 0
    assert json.loads(moves[0]["payload"])["from"] == ids["teaching"]
    assert window.tree_model.find("study", study, under_category=ids["software"]).isValid()
    assert not window.tree_model.find("study", study, under_category=ids["teaching"]).isValid()
    assert category_label(window, ids["software"]) == "Software (3)"
    assert window.undo_action.text() == "Undo Move study to 'Software'"
    save_screenshot(window, "hierarchy_after_move", tmp_path)

    # Ctrl+Z restores all three
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert study in hierarchy.studies_in(lib, ids["teaching"])
    assert study not in hierarchy.studies_in(lib, ids["software"])
    assert feedback_rows(lib, "move_study")[0]["retracted"] == 1
    assert window.tree_model.find("study", study, under_category=ids["teaching"]).isValid()
    assert not window.tree_model.find("study", study, under_category=ids["software"]).isValid()
    assert category_label(window, ids["software"]) == "Software (2)"
    assert window.redo_action.text() == "Redo Move study to 'Software'"

    # Ctrl+Shift+Z does it again
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert study in hierarchy.studies_in(lib, ids["software"])
    assert feedback_rows(lib, "move_study")[0]["retracted"] == 0
    assert window.tree_model.find("study", study, under_category=ids["software"]).isValid()


def test_ctrl_drag_from_the_table_also_assigns(tree_window):
    window, ids, lib = tree_window, tree_window.ids, tree_window.library
    window.tree.setCurrentIndex(window.tree_model.find("category", ids["teaching"]))
    assert window.table_model.rowCount() == 2  # the table shows the selected category
    row = window.table_model.row_of(ids["studies"][1])
    mime = window.table_model.mimeData([window.table_model.index(row, 0)])
    target = window.tree_model.find("category", ids["software"])
    assert send_drop(window.tree.viewport(), mime, window.tree.visualRect(target).center(),
                     Qt.DropAction.CopyAction, Qt.KeyboardModifier.ControlModifier)
    assert ids["studies"][1] in hierarchy.studies_in(lib, ids["software"])
    assert ids["studies"][1] in hierarchy.studies_in(lib, ids["teaching"])  # multi-label: still there
    assert feedback_rows(lib, "assign_study")[-1]["study_id"] == ids["studies"][1]


def test_plain_drag_from_the_table_moves_from_the_shown_category(tree_window):
    window, ids, lib = tree_window, tree_window.ids, tree_window.library
    window.tree.setCurrentIndex(window.tree_model.find("category", ids["software"]))
    row = window.table_model.row_of(ids["studies"][2])
    mime = window.table_model.mimeData([window.table_model.index(row, 0)])
    target = window.tree_model.find("category", ids["teaching"])
    assert send_drop(window.tree.viewport(), mime, window.tree.visualRect(target).center(), Qt.DropAction.MoveAction)
    assert ids["studies"][2] in hierarchy.studies_in(lib, ids["teaching"])
    assert ids["studies"][2] not in hierarchy.studies_in(lib, ids["software"])
    assert window.table_model.rowCount() == 1  # it left the category the table shows


def test_drag_category_onto_category_reparents(qtbot, tree_window):
    window, ids, lib = tree_window, tree_window.ids, tree_window.library
    source = window.tree_model.find("category", ids["software"])
    target = window.tree_model.find("category", ids["teaching"])
    mime = window.tree_model.mimeData([source])
    assert send_drop(window.tree.viewport(), mime, window.tree.visualRect(target).center(), Qt.DropAction.MoveAction)
    assert hierarchy.category_row(lib, ids["software"])["parent_id"] == ids["teaching"]
    assert window.tree_model.parent(window.tree_model.find("category", ids["software"])).internalPointer().id == ids["teaching"]
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert hierarchy.category_row(lib, ids["software"])["parent_id"] == ids["aspect"]


def test_f2_renames_and_refused_edits_say_why(qtbot, tree_window):
    window, ids, lib = tree_window, tree_window.ids, tree_window.library
    window.tree.setFocus()
    window.tree.setCurrentIndex(window.tree_model.find("category", ids["teaching"]))
    qtbot.keyClick(window.tree, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert editor is not window.tree
    editor.selectAll()
    qtbot.keyClicks(editor, "Education")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: hierarchy.category_row(lib, ids["teaching"])["name"] == "Education")
    qtbot.waitUntil(lambda: category_label(window, ids["teaching"]) == "Education (2)")
    assert window.undo_action.text() == "Undo Rename 'Teaching' to 'Education'"

    # dropping a category into its own child is refused with a message, and nothing changes
    child = window.ops.call(lambda library: edits.new_category(library, ids["teaching"], "Sub"))
    window.tree.expandAll()
    window.hierarchy_actions.drop_categories([ids["teaching"]], child)
    assert "inside itself" in window.last_error
    assert hierarchy.category_row(lib, ids["teaching"])["parent_id"] == ids["aspect"]


def test_lock_delete_and_undo(qtbot, tree_window):
    window, ids, lib = tree_window, tree_window.ids, tree_window.library
    window.tree.setCurrentIndex(window.tree_model.find("category", ids["software"]))
    window.hierarchy_actions.toggle_lock_current()
    assert hierarchy.category_row(lib, ids["software"])["locked"] == 1
    assert "🔒" in category_label(window, ids["software"])
    window.tree.setCurrentIndex(window.tree_model.find("category", ids["software"]))
    window.hierarchy_actions.delete_current()
    assert not window.tree_model.find("category", ids["software"]).isValid()
    window.undo()
    assert window.tree_model.find("category", ids["software"]).isValid()
    assert hierarchy.studies_in(lib, ids["software"]) == ids["studies"][2:]


def test_new_merge_and_split_from_the_menu(qtbot, tree_window, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    window, ids, lib = tree_window, tree_window.ids, tree_window.library
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("Tools", True)))
    window.tree.setCurrentIndex(window.tree_model.find("aspect", ids["aspect"]))
    window.hierarchy_actions.new_category_dialog()
    tools = lib.query("SELECT id FROM categories WHERE name = 'Tools'")[0]["id"]
    assert window.tree_model.find("category", tools).isValid()

    # merge Software into Tools: its studies follow, Software disappears
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda parent, title, label, items, *a: (
        next(i for i in items if i.endswith("Tools")), True)))
    window.tree.setCurrentIndex(window.tree_model.find("category", ids["software"]))
    window.hierarchy_actions.merge_current_dialog()
    assert not window.tree_model.find("category", ids["software"]).isValid()
    assert hierarchy.studies_in(lib, tools) == ids["studies"][2:]
    assert window.undo_action.text() == "Undo Merge 'Software' into 'Tools'"

    # split Teaching: the study selected in the table goes into a new sub-category
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("Statistics", True)))
    window.tree.setCurrentIndex(window.tree_model.find("category", ids["teaching"]))
    window.table.selectRow(window.table_model.row_of(ids["studies"][1]))
    window.tree.setCurrentIndex(window.tree_model.find("category", ids["teaching"]))
    window.hierarchy_actions.split_current_dialog()
    statistics = lib.query("SELECT id, parent_id FROM categories WHERE name = 'Statistics'")[0]
    assert statistics["parent_id"] == ids["teaching"]
    assert hierarchy.studies_in(lib, statistics["id"]) == [ids["studies"][1]]
    window.undo()
    window.undo()
    assert window.tree_model.find("category", ids["software"]).isValid()


def test_a_rebuild_over_corrections_asks_first_and_says_what_is_kept(qtbot, tree_window):
    window, ids = tree_window, tree_window.ids
    window.ops.call(lambda library: edits.rename_category(library, ids["teaching"], "Education"))
    started = []
    window.pipeline.run_build = lambda: started.append(True)
    window.confirm_build()
    text = window.build_box.text()
    # the fixture made every category and placement by hand, so all of them are the user's
    assert "3 categories you edited or locked keep their names" in text and "4 placements you made" in text
    assert "Ctrl+Z undoes the whole rebuild" in text and "all 4 studies" in text and not started
    next(b for b in window.build_box.buttons() if b.text() == "Rebuild").click()
    assert started == [True]


def test_a_category_tooltip_says_what_its_studies_share_and_who_named_it(tree_window):
    window, ids = tree_window, tree_window.ids

    def describe(lib):
        with lib.command("Name from the studies") as cmd:
            cmd.update("categories", ids["teaching"], {"description": "Courses that teach programming.",
                                                       "name_source": "fallback"})

    run_on_writer(window, describe)
    window.refresh()
    tip = window.tree_model.find("category", ids["teaching"]).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.splitlines() == ["Teaching", "Courses that teach programming.",
                                "Named from the studies' own title phrases, not by the model."]
