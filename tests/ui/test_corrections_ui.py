"""Issue 11 in the desktop app: a correction teaches the hierarchy and the app offers what it learned.

move → suggestions appear (tree, bar, study pane) → accept all → undo → rebuild with the confirmation → cancel,
with the tree checked after each step; and the issue's rename-then-rebuild case through the app's real build job.
Real window, real library, real sentence embeddings of dev_mixed studies; the hierarchy is written by hand as
machine placements (the rodent studies swallowed by two other categories) so the test knows what is wrong.
"""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from litreview.hierarchy import edits
from litreview.hierarchy import tree as hierarchy
from tests.helpers.drops import send_drop
from tests.helpers.mixtures import read_mixture
from tests.helpers.screenshots import save_screenshot
from tests.helpers.window import run_on_writer, wait_for_job
from ui.tree_model import walk

TRIPTANS, SOFTWARE, RODENTS = ("Triptans for migraine", "Software engineering literature reviews",
                               "Rodent object-in-context recognition memory")


def tree_state(window) -> list[tuple]:
    """Every node of the tree as the user sees it: kind, id, label, parent."""
    model = window.tree_model
    return [(n.kind, n.id, model.data(model.createIndex(n.row(), 0, n)), n.parent.id if n.parent else None)
            for n in walk(model.root)]


def labels(window) -> list[str]:
    return [label for _, _, label, _ in tree_state(window)]


@pytest.fixture
def swallowed(window):
    """30 studies (10 triptans, 10 software, 10 rodents) embedded, and a machine-made Topic aspect that hid the
    rodents: "Migraine" = triptans + rodents 0-4, "Software" = software + rodents 5-9."""
    from litreview.embeddings import load_encoder, study_vectors

    rows = read_mixture()
    picked = [r for topic in (TRIPTANS, SOFTWARE, RODENTS) for r in [r for r in rows if r["topic"] == topic][:10]]
    encoder = load_encoder()

    def setup(library):
        with library.command("Import 30 studies") as cmd:
            ids = [cmd.insert("studies", {"title": r["title"], "abstract": r["abstract"], "source": "csv"})
                   for r in picked]
        study_vectors(library, [(s, f"{r['title']}. {r['abstract']}") for s, r in zip(ids, picked)], encoder)
        triptans, software, rodents = ids[:10], ids[10:20], ids[20:]
        with library.command("Build hierarchy") as cmd:
            hierarchy_id = cmd.insert("hierarchies", {"name": "Hierarchy", "model": "test"})
            topic = cmd.insert("categories", {"hierarchy_id": hierarchy_id, "parent_id": None, "name": "Topic"})
            made = {}
            for position, (name, members) in enumerate((("Migraine", triptans + rodents[:5]),
                                                        ("Software", software + rodents[5:]))):
                made[name] = cmd.insert("categories", {"hierarchy_id": hierarchy_id, "parent_id": topic,
                                                       "name": name, "position": position})
                for study in members:
                    cmd.insert("assignments", {"study_id": study, "category_id": made[name], "label": 1,
                                               "score": 0.8, "source": "stats"})
            cmd.update("hierarchies", hierarchy_id, {"settings": json.dumps(
                {"vectors": "embeddings", "aspect_kinds": {str(topic): "clusters"}})})
        return {"topic": topic, **made, "triptans": triptans, "software": software, "rodents": rodents}

    window.ids = run_on_writer(window, setup)
    window.refresh()
    window.tree.expandAll()
    return window


def test_move_then_suggestions_accept_all_undo_rebuild_and_cancel(qtbot, swallowed, tmp_path):
    window, ids, lib = swallowed, swallowed.ids, swallowed.library
    rodents = ids["rodents"]
    memory = run_on_writer(window, lambda library: edits.new_category(library, ids["topic"], "Memory"))
    window.tree.expandAll()

    # 1. the user drags one rodent study out of "Migraine" into "Memory"
    source = window.tree_model.find("study", rodents[0], under_category=ids["Migraine"])
    target = window.tree_model.find("category", memory)
    assert send_drop(window.tree.viewport(), window.tree_model.mimeData([source]),
                     window.tree.visualRect(target).center(), Qt.DropAction.MoveAction)
    qtbot.waitUntil(lambda: window.tree_model.find("suggestions", memory).isValid(), timeout=10000)
    window.tree.expandAll()
    group = window.tree_model.node(window.tree_model.find("suggestions", memory))
    offered = [n.ref for n in group.children]
    assert rodents[0] in hierarchy.studies_in(lib, memory)
    assert len(offered) >= 3 and set(offered) <= set(rodents[1:])      # only the other rodent studies
    assert f"Suggested ({len(offered)})" in labels(window)
    assert window.page.suggestions_bar.isVisible()
    assert window.page.suggestions_bar.label.text().startswith(
        f"{len(offered)} studies look like the ones you moved to “Memory”: move them too?")
    assert window.undo_action.text() == "Undo Move study to 'Memory'"   # the suggestions are part of that step

    # one suggestion, in the study pane
    window.tree.setCurrentIndex(window.tree_model.find("suggestion", group.children[0].id))
    assert "Suggested:" in window.study_pane.view.toPlainText() and "Move it" in window.study_pane.view.toPlainText()
    save_screenshot(window, "suggestions_after_a_move", tmp_path)
    after_move = tree_state(window)

    # 2. accept all: one command, the studies move, the offers disappear
    window.page.suggestions_bar.accept_button.click()
    qtbot.waitUntil(lambda: not window.tree_model.find("suggestions", memory).isValid(), timeout=10000)
    window.tree.expandAll()
    assert set(offered) <= set(hierarchy.studies_in(lib, memory))
    assert not window.page.suggestions_bar.isVisible()
    assert window.undo_action.text() == f"Undo Accept {len(offered)} suggestions"
    assert f"Memory ({len(offered) + 1})" in labels(window)

    # 3. Ctrl+Z: the studies go back and the offers are open again, exactly as after the move
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    window.tree.expandAll()
    assert tree_state(window) == after_move
    assert window.page.suggestions_bar.isVisible()

    # 4. rebuild: the app asks first and says what it keeps; "Cancel" starts nothing
    window.confirm_build()
    box = window.build_box
    assert "Your corrections are kept" in box.text() and "Ctrl+Z undoes the whole rebuild" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert window.runner.busy("pipeline") is None

    # 5. ... "Rebuild" starts the job; cancelling it leaves the tree exactly as it was
    undo_label = window.undo_action.text()
    window.confirm_build()
    next(b for b in window.build_box.buttons() if b.text() == "Rebuild").click()
    assert window.runner.busy("pipeline") == "Build hierarchy"
    window.pipeline.cancel()
    wait_for_job(qtbot, window)
    window.refresh()
    window.tree.expandAll()
    assert tree_state(window) == after_move
    assert window.undo_action.text() == undo_label


@pytest.mark.slow
def test_rename_then_rebuild_keeps_all_four_studies_in_the_renamed_category(qtbot, swallowed):
    """Issue 11: after renaming a category of 4 studies and rebuilding, the renamed category kept 1 study and a
    re-created copy of the old category took the other 3 back."""
    window, ids, lib = swallowed, swallowed.ids, swallowed.library
    four = ids["rodents"][:4]

    def make_four(library):
        category = edits.new_category(library, ids["topic"], "Rodent studies")
        edits.move_studies(library, four, ids["Migraine"], category)
        return category

    category = run_on_writer(window, make_four)
    window.tree.setCurrentIndex(window.tree_model.find("category", category))
    window.hierarchy_actions.rename_node(category, "Object recognition in rats")
    qtbot.waitUntil(lambda: hierarchy.category_row(lib, category)["name"] == "Object recognition in rats")

    window.confirm_build()
    next(b for b in window.build_box.buttons() if b.text() == "Rebuild").click()
    wait_for_job(qtbot, window, timeout_s=600)
    assert window.last_error is None, window.last_error
    assert window.undo_action.text() == "Undo Rebuild hierarchy"
    assert hierarchy.category_row(lib, category)["name"] == "Object recognition in rats"
    assert hierarchy.studies_in(lib, category) == sorted(four)
    assert window.tree_model.find("category", category).data(Qt.ItemDataRole.DisplayRole) == \
        "Object recognition in rats (4)"
    names = [n.name for n in walk(window.tree_model.root) if n.kind == "category"]
    assert names.count("Object recognition in rats") == 1 and "Rodent studies" not in names
