"""Take the README's screenshots of the app: the library page with the hierarchy, the screening view with the
stopping rule, and the PRISMA dialog, on the demo corpus, offscreen.

    PYTHONPATH=. LITREVIEW_MODELS=... .venv/bin/python docs/images/make_screenshots.py [--keep DIR]

The demo corpus is imported through the window (as a drop would), fourteen keys screen it, a hierarchy is built by
the app's own job with the configured model, and one study is moved to show the suggestions the learner makes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

IMAGES = Path(__file__).resolve().parent


def wait(app: QApplication, condition, seconds: float = 900) -> None:
    deadline = time.perf_counter() + seconds
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app did not get there in time")
        app.processEvents()
        time.sleep(0.02)


def settle(app: QApplication, seconds: float = 0.5) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.02)


def grab(widget, name: str) -> None:
    path = IMAGES / name
    widget.grab().save(str(path))
    print(f"wrote {path}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", help="build the demo library in this folder (default: a temporary one)")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="litreview-shots-") as tmp:
        os.environ["LITREVIEW_CONFIG"] = str(Path(tmp) / "config")
        from ui.main_window import MainWindow

        window = MainWindow(Path(args.keep) if args.keep else Path(tmp) / "Urban health review")
        window.ask_sources = False
        window.resize(1400, 860)
        window.show()
        window.open_demo_corpus()
        wait(app, lambda: window.pipeline.busy() is None and window.last_summary is not None)
        window.last_summary.accept()

        window.tabs.setCurrentWidget(window.screening)
        window.screening.setFocus()
        wait(app, lambda: window.screening.ranked_once)
        for key in "IIEIMIEIIE":
            QTest.keyClick(window.screening, getattr(Qt.Key, f"Key_{key}"))
            if key == "E":
                QTest.keyClick(window.screening, Qt.Key.Key_1)  # the first reason of the review's list
            settle(app, 0.2)
        settle(app, 3)
        grab(window, "screenshot-screening.png")

        window.tabs.setCurrentWidget(window.page)
        window.pipeline.run_build()
        wait(app, lambda: window.pipeline.busy() is None)
        window.tree.expandAll()
        settle(app)
        categories = [window.tree_model.node(window.tree_model.index(r, 0, window.tree_model.index(0, 0)))
                      for r in range(window.tree_model.rowCount(window.tree_model.index(0, 0)))]
        first = next((c for c in categories if c.kind == "category"), None)
        if first is not None:
            window.tree.setCurrentIndex(window.tree_model.find("category", first.id))
            window.table.selectRow(0)
        settle(app)
        grab(window, "screenshot-library.png")

        window.show_prisma()
        settle(app, 2)
        grab(window.prisma_dialog, "screenshot-prisma.png")
        window.prisma_dialog.close()
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
