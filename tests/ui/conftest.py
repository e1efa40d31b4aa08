"""Fixtures for the desktop app's tests: a real window on a real library folder (drops, screenshots and the
window's writer: ``tests.helpers``)."""

from __future__ import annotations

import pytest

from tests.helpers.window import add_studies_through_window, run_on_writer

# The offscreen platform plugin says this about every top-level window; it is harmless (ux.md §3, pitfall 7).
OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/ui/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))
            item.add_marker(pytest.mark.gui)


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    """The main window on a fresh library folder and its own settings folder, shown and active (shortcuts only
    fire in the active window)."""
    from ui.main_window import MainWindow

    monkeypatch.setenv("LITREVIEW_CONFIG", str(tmp_path / "config"))
    win = MainWindow(tmp_path / "library")
    win.ask_sources = False  # the source dialog has its own test; elsewhere drops import at once
    qtbot.addWidget(win)
    with qtbot.waitActive(win):
        win.show()
        win.activateWindow()
    yield win
    win.close()


@pytest.fixture
def tree_window(window):
    """The window over a small library with one hierarchy: aspect 'Topic' with 'Teaching' and 'Software'."""
    from litreview.hierarchy import edits

    ids = add_studies_through_window(window, ["Teaching Python", "Teaching statistics", "A plotting library", "A solver"])

    def build(lib):
        with lib.command("Build hierarchy") as cmd:
            hierarchy_id = cmd.insert("hierarchies", {"name": "Test review", "model": "test"})
        aspect = edits.new_category(lib, None, "Topic", hierarchy_id=hierarchy_id)
        teaching = edits.new_category(lib, aspect, "Teaching")
        software = edits.new_category(lib, aspect, "Software")
        for study_id, category in zip(ids, (teaching, teaching, software, software)):
            edits.assign_study(lib, study_id, category)
        return aspect, teaching, software

    aspect, teaching, software = run_on_writer(window, build)
    window.refresh()
    window.tree.expandAll()
    window.ids = {"studies": ids, "aspect": aspect, "teaching": teaching, "software": software}
    return window
