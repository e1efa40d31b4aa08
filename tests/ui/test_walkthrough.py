"""The issue's "done when", end to end with the real default model: demo corpus → screen ten records with the
keyboard → build a hierarchy → move a study → undo → export Markdown. Also writes the reviewer's screenshots."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from litreview.hierarchy import tree as hierarchy
from tests.helpers.drops import send_drop
from tests.helpers.screenshots import save_screenshot
from tests.helpers.window import wait_for_job


@pytest.mark.slow
def test_new_user_walkthrough(qtbot, window, tmp_path):
    assert window.open_demo_corpus()
    wait_for_job(qtbot, window)
    with qtbot.waitActive(window):
        window.last_summary.accept()
    total = window.library.study_count()
    assert total >= 10

    window.tabs.setCurrentWidget(window.screening)
    window.screening.setFocus()
    qtbot.waitUntil(lambda: window.screening.ranked_once, timeout=30000)
    for key in "IIEIMIIEII":  # mostly included: the hierarchy then organises ten studies
        qtbot.keyClick(window.screening, getattr(Qt.Key, f"Key_{key}"))
        if key == "E":  # exclude asks for a reason: Enter for none
            qtbot.keyClick(window.screening, Qt.Key.Key_Return)
    assert window.library.conn.execute("SELECT count(*) FROM decisions").fetchone()[0] == 10
    save_screenshot(window, "screening_demo", tmp_path)

    window.tabs.setCurrentWidget(window.page)
    assert window.pipeline.run_build()
    wait_for_job(qtbot, window, timeout_s=900)
    assert window.last_error is None, window.last_error
    assert window.tree_model.hierarchy_id is not None
    window.tree.expandAll()

    # move the first study shown under a category to another category of the same aspect
    from ui.tree_model import walk

    categories = [n for n in walk(window.tree_model.root) if n.kind == "category"]
    graph = hierarchy.load_graph(window.library, window.tree_model.hierarchy_id)

    def targets(source, study):
        return [c for c in categories if c.id != source.id
                and graph.nodes[c.id]["aspect_id"] == graph.nodes[source.id]["aspect_id"]
                and c.id not in hierarchy.path_ids(graph, source.id) and source.id not in hierarchy.path_ids(graph, c.id)
                and study.id not in hierarchy.studies_in(window.library, c.id)]  # multi-label: not already there

    source, study, target = next((c, s, t) for c in categories for s in c.children if s.kind == "study"
                                 for t in targets(c, s))
    window.tree.setCurrentIndex(window.tree_model.find("category", target.id))
    window.table.selectRow(0)
    save_screenshot(window, "main_window", tmp_path)
    window.show_hierarchy_view()
    save_screenshot(window, "hierarchy_view", tmp_path)

    src_index = window.tree_model.find("study", study.id, under_category=source.id)
    dst_index = window.tree_model.find("category", target.id)
    window.tree.scrollTo(dst_index)
    assert send_drop(window.tree.viewport(), window.tree_model.mimeData([src_index]),
                     window.tree.visualRect(dst_index).center(), Qt.DropAction.MoveAction)
    assert study.id in hierarchy.studies_in(window.library, target.id)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert study.id not in hierarchy.studies_in(window.library, target.id)
    assert study.id in hierarchy.studies_in(window.library, source.id)

    out = window.export("hierarchy-markdown", tmp_path / "review.md")
    assert out is not None and out.read_text().startswith("# ")
