"""Desktop-app figures: the library table over 10,000 studies, and start-up to the first paint.

    .venv/bin/python bench/ui_bench.py [--quick]

Table: the app's LibraryTableModel (ids in memory, rows read from SQLite a page at a time) against a baseline
measured in the same run, the naive QStandardItemModel holding every cell. For each: time to show the table
(model built + first paint) and the time to paint each screenful while scrolling from top to bottom (median,
95th percentile, worst). A frame under 16 ms is smooth. Start-up: launch to first paint of
``python -m ui.app --smoke`` (offscreen) on an empty library, median of 3, against a baseline of a bare
QApplication + QMainWindow launched, shown and closed the same way.
Writes nothing but prints; runs offscreen.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtGui import QStandardItem, QStandardItemModel  # noqa: E402
from PySide6.QtWidgets import QApplication, QTableView  # noqa: E402

from litreview.store import Library  # noqa: E402
from ui.library_model import COLUMNS, LibraryTableModel, author_line  # noqa: E402

WORDS = "teaching statistics python reproducible open source software education students data analysis".split()


def fill(library: Library, n: int) -> None:
    """n studies written as one import command (titles and abstracts from a small vocabulary)."""
    with library.command(f"Import {n} studies") as cmd:
        for i in range(n):
            title = " ".join(WORDS[(i * k) % len(WORDS)] for k in (1, 3, 7, 11)).capitalize() + f" {i}"
            cmd.insert("studies", {
                "title": title, "abstract": " ".join(WORDS[(i + k) % len(WORDS)] for k in range(30)),
                "year": 1990 + i % 35, "venue": f"Journal {i % 40}", "source": "ris",
                "authors": json.dumps([{"given": "A", "family": f"Author{i % 997}"}, {"given": "B", "family": "Other"}]),
            })


def scroll_frames(view: QTableView, rows: int) -> list[float]:
    """Paint every screenful from top to bottom; ms per screenful."""
    app = QApplication.instance()
    per_page = max(1, view.viewport().height() // view.verticalHeader().defaultSectionSize())
    frames = []
    for top in range(0, rows, per_page):
        started = time.perf_counter()
        view.verticalScrollBar().setValue(top)
        view.viewport().repaint()
        app.processEvents()
        frames.append((time.perf_counter() - started) * 1000)
    return frames


def show(view: QTableView, model) -> float:
    started = time.perf_counter()
    view.setModel(model)
    view.viewport().repaint()
    QApplication.instance().processEvents()
    return (time.perf_counter() - started) * 1000


def naive_model(library: Library) -> QStandardItemModel:
    model = QStandardItemModel(0, len(COLUMNS))
    model.setHorizontalHeaderLabels(list(COLUMNS))
    rows = library.conn.execute(
        "SELECT s.title, s.authors, s.year, s.venue, d.decision, s.source FROM studies s "
        "LEFT JOIN decisions d ON d.study_id = s.id ORDER BY s.title COLLATE NOCASE").fetchall()
    for title, authors, year, venue, decision, source in rows:
        model.appendRow([QStandardItem(str(v or "")) for v in (title, author_line(authors), year, venue, decision, source)])
    return model


def summary(frames: list[float]) -> str:
    frames = sorted(frames)
    return (f"median {statistics.median(frames):.2f} ms, p95 {frames[int(len(frames) * 0.95)]:.2f} ms, "
            f"worst {frames[-1]:.2f} ms over {len(frames)} screenfuls")


def startup(args: list[str], env: dict[str, str]) -> float:
    """Seconds from launch to the first paint (the app reports it; the bare window is timed to its exit)."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True,
                            timeout=300)
    found = re.search(r"first paint after ([0-9.]+) s", result.stdout)
    return float(found.group(1)) if found else time.perf_counter() - started


BARE_QT = ("from PySide6.QtWidgets import QApplication, QMainWindow; from PySide6.QtCore import QTimer; "
           "a = QApplication([]); w = QMainWindow(); w.resize(1280, 800); w.show(); QTimer.singleShot(0, a.quit); a.exec()")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 studies and one start-up each")
    args = parser.parse_args()
    n = 2000 if args.quick else 10_000
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="litreview-ui-bench-") as tmp:
        library = Library(Path(tmp) / "lib")
        started = time.perf_counter()
        fill(library, n)
        print(f"library: {n} studies written in {time.perf_counter() - started:.1f} s")

        view = QTableView()
        view.resize(900, 700)
        view.show()
        paged_show = show(view, model := LibraryTableModel(library))
        paged = scroll_frames(view, model.rowCount())
        started = time.perf_counter()
        model.set_filters(search="teaching python")
        search_ms = (time.perf_counter() - started) * 1000
        hits = model.rowCount()
        model.set_filters(search="")

        baseline_view = QTableView()
        baseline_view.resize(900, 700)
        baseline_view.show()
        started = time.perf_counter()
        baseline_model = naive_model(library)
        baseline_show = show(baseline_view, baseline_model) + (time.perf_counter() - started) * 1000
        baseline = scroll_frames(baseline_view, baseline_model.rowCount())
        library.close()

        print(f"table, paged model (the app):      shown in {paged_show:.1f} ms; scrolling: {summary(paged)}")
        print(f"table, all cells in memory (base): shown in {baseline_show:.1f} ms; scrolling: {summary(baseline)}")
        print(f"ratio shown-in (app / baseline): {paged_show / baseline_show:.3f}; "
              f"median frame ratio: {statistics.median(paged) / statistics.median(baseline):.2f}")
        print(f"FTS filter 'teaching python' over {n}: {search_ms:.1f} ms ({hits} rows)")

        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LITREVIEW_CONFIG": str(Path(tmp) / "config")}
        repeats = 1 if args.quick else 3
        app_runs = [startup(["-m", "ui.app", "--smoke", "--library", str(Path(tmp) / f"start{i}")], env)
                    for i in range(repeats)]
        bare_runs = [startup(["-c", BARE_QT], env) for _ in range(repeats)]
        app_s, bare_s = statistics.median(app_runs), statistics.median(bare_runs)
        print(f"start-up to the first paint: app {app_s:.2f} s, bare Qt window started and closed {bare_s:.2f} s "
              f"(ratio {app_s / bare_s:.2f}; median of {repeats})")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
