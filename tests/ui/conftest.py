"""Fixtures for the desktop app's tests: a real window on a real library folder, and synthetic drops.

Drops are simulated the way ``../shared/notes/qt_probe.py`` measured works offscreen: a QMimeData sent as
QDragEnter → QDragMove → QDrop events with ``QApplication.sendEvent``.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "bench" / "out" / "screenshots"

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


def send_drop(target: QWidget, mime: QMimeData, pos: QPoint,
              action: Qt.DropAction = Qt.DropAction.CopyAction,
              modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> bool:
    """Enter → move → drop on ``target``; True when the drop was accepted."""
    button = Qt.MouseButton.LeftButton
    enter = QDragEnterEvent(pos, action, mime, button, modifiers)  # enter and move take a QPoint, the drop a QPointF
    QApplication.sendEvent(target, enter)
    if not enter.isAccepted():
        return False
    QApplication.sendEvent(target, QDragMoveEvent(pos, action, mime, button, modifiers))
    drop = QDropEvent(QPointF(pos), action, mime, button, modifiers)
    QApplication.sendEvent(target, drop)
    return drop.isAccepted()


def file_drop_mime(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def wait_for_job(qtbot, window, timeout_s: float = 180) -> None:
    """Wait until no pipeline job runs (the job's own signals may already have fired)."""
    qtbot.waitUntil(lambda: window.runner.busy("pipeline") is None, timeout=int(timeout_s * 1000))


def save_screenshot(widget: QWidget, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()
    path = SCREENSHOTS / f"{name}.png"
    assert widget.grab().save(str(path))
    return path


def import_now(qtbot, window, paths: list[Path], timeout_s: float = 180) -> None:
    """Import through the window (a real worker) and wait for it to finish."""
    started = time.perf_counter()
    assert window.import_paths(paths)
    wait_for_job(qtbot, window, timeout_s)
    assert time.perf_counter() - started < timeout_s


def write(window, op):
    """Run ``op(library)`` through the window's one writer, as the app's own edits do (views refresh at once)."""
    return window.ops.call(op)


def add_studies(window, titles: list[str]) -> list[int]:
    """Studies written the way an import writes reference records: one command each."""
    def op(library):
        ids = []
        for number, title in enumerate(titles, start=1):
            with library.command(f"Import {title}") as cmd:
                ids.append(cmd.insert("studies", {
                    "title": title, "abstract": f"An abstract about {title.lower()}.",
                    "year": 2018 + number % 5, "source": "ris",
                    "authors": f'[{{"given": "Ada", "family": "Author{number}"}}]'}))
        return ids

    return write(window, op)


@pytest.fixture
def tree_window(window):
    """The window over a small library with one hierarchy: aspect 'Topic' with 'Teaching' and 'Software'."""
    from litreview.hierarchy import edits

    ids = add_studies(window, ["Teaching Python", "Teaching statistics", "A plotting library", "A solver"])

    def build(lib):
        with lib.command("Build hierarchy") as cmd:
            hierarchy_id = cmd.insert("hierarchies", {"name": "Test review", "model": "test"})
        aspect = edits.new_category(lib, None, "Topic", hierarchy_id=hierarchy_id)
        teaching = edits.new_category(lib, aspect, "Teaching")
        software = edits.new_category(lib, aspect, "Software")
        for study_id, category in zip(ids, (teaching, teaching, software, software)):
            edits.assign_study(lib, study_id, category)
        return aspect, teaching, software

    aspect, teaching, software = write(window, build)
    window.refresh()
    window.tree.expandAll()
    window.ids = {"studies": ids, "aspect": aspect, "teaching": teaching, "software": software}
    return window
