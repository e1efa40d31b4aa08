"""Desktop-app figures: the library table over 10,000 studies, the window's reaction to one change, and
start-up to the first paint.

    .venv/bin/python bench/ui_bench.py [--quick]

Reaction (the one-writer architecture, 10,000 studies and 1,000 decisions, a hierarchy of 50 categories): a
screening keypress to the next record painted (median, p95; baseline in the same run: painting a record alone);
the library page's refresh after one decision and the tree's after one move (each against a full refresh of
everything, what a view without ``Changes`` must do); undo-log bytes per imported page (against the page text
bytes themselves, what storing every page twice costs).

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

from litreview.store import Changes, Library  # noqa: E402
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
    model.setRowCount(len(rows))
    for row, (title, authors, year, venue, decision, source) in enumerate(rows):
        cells = (title, author_line(json.loads(authors or "[]")), year, venue, decision, source)
        for column, value in enumerate(cells):  # setItem, not appendRow: PySide6 6.12 crashed appending 10,000
            model.setItem(row, column, QStandardItem(str(value or "")))
    return model


def add_decisions_and_hierarchy(library: Library, decisions: int, categories: int) -> None:
    """``decisions`` screening decisions (one in ten an include) and a one-aspect hierarchy of ``categories``
    categories holding the first 2,000 studies."""
    from litreview.screening import decide

    ids = [r[0] for r in library.conn.execute("SELECT id FROM studies ORDER BY id")]
    with library.group("Screen", origin="user"):
        for study_id in ids[:decisions]:
            decide(library, study_id, "include" if study_id % 10 == 0 else "exclude")
    with library.command("Build hierarchy") as cmd:
        hierarchy = cmd.insert("hierarchies", {"name": "bench", "model": "bench"})
        aspect = cmd.insert("categories", {"hierarchy_id": hierarchy, "name": "Topic"})
        made = [cmd.insert("categories", {"hierarchy_id": hierarchy, "parent_id": aspect, "name": f"Category {n}",
                                          "position": n}) for n in range(categories)]
        for number, study_id in enumerate(ids[:2000]):
            cmd.insert("assignments", {"category_id": made[number % categories], "study_id": study_id,
                                       "source": "stats"})


def ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def reaction_figures(folder: Path, keys: int) -> None:
    """How fast the window reacts to one change, on the library in ``folder``."""
    from litreview.hierarchy import tree
    from litreview.screening import decide
    from ui.main_window import MainWindow

    app = QApplication.instance()
    window = MainWindow(folder)
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    window.tabs.setCurrentWidget(window.screening)
    deadline = time.perf_counter() + 120
    while not window.screening.ranked_once and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.01)
    presses, paints = [], []
    for _ in range(keys):
        shown = window.screening.current
        started = time.perf_counter()
        window.screening.decide("exclude")
        while window.screening.current == shown:
            app.processEvents()
        window.screening.record.viewport().repaint()
        presses.append(ms_since(started))
        started = time.perf_counter()
        window.screening._show_record()
        window.screening.record.viewport().repaint()
        paints.append(ms_since(started))
    print(f"screening keypress to the next record painted: {summary(presses, 'keys')}")
    print(f"  baseline, painting a record alone: {summary(paints, 'records')}; ratio of medians "
          f"{statistics.median(presses) / statistics.median(paints):.1f}")

    window.tabs.setCurrentWidget(window.page)
    app.processEvents()
    study = window.table_model.study_id(5)
    one, full = [], []
    for n in range(5):
        window.ops.call(lambda library, d=("include" if n % 2 else "exclude"): decide(library, study, d))
        started = time.perf_counter()
        window.page.refresh(Changes(tables={"decisions"}, studies={study}))
        app.processEvents()
        one.append(ms_since(started))
        started = time.perf_counter()
        window.page.refresh(None)
        app.processEvents()
        full.append(ms_since(started))
    print(f"library page after one decision: median {statistics.median(one):.1f} ms "
          f"(full refresh {statistics.median(full):.1f} ms, ratio {statistics.median(one) / statistics.median(full):.2f})")

    hierarchy_id = tree.latest_hierarchy_id(window.library)
    graph = tree.load_graph(window.library, hierarchy_id)
    first, second = tree.children(graph, tree.aspect_ids(graph)[0])[:2]
    moving = tree.studies_in(window.library, first)[0]
    moves, full = [], []
    for n in range(4):
        source, target = (first, second) if n % 2 == 0 else (second, first)
        started = time.perf_counter()
        window.hierarchy_actions.drop_studies([moving], source, target, False)
        app.processEvents()
        moves.append(ms_since(started))
        started = time.perf_counter()
        window.refresh(None)
        app.processEvents()
        full.append(ms_since(started))
    print(f"tree after one move (the edit, its op and the redraw): median {statistics.median(moves):.1f} ms "
          f"(full refresh {statistics.median(full):.1f} ms)")
    window.close()


def undo_log_per_page(tmp: Path) -> None:
    """Bytes the undo log holds per imported page, against the bytes of page text."""
    from litreview.importing import import_paths

    pdfs = sorted((ROOT.parent / "shared" / "data" / "pdfs" / "jose").glob("*.pdf"))[:10]
    if not pdfs:
        print("undo log per page: skipped (../shared/data/pdfs/jose not found)")
        return
    with Library(tmp / "import") as library:
        import_paths(library, pdfs, workers=1)
        pages, text = library.conn.execute("SELECT count(*), sum(length(text)) FROM pages").fetchone()
        logged = library.conn.execute("SELECT coalesce(sum(length(before)), 0) + coalesce(sum(length(after)), 0) "
                                      "FROM undo_log WHERE tbl = 'pages'").fetchone()[0]
        total = library.conn.execute("SELECT coalesce(sum(length(before)), 0) + coalesce(sum(length(after)), 0) "
                                     "FROM undo_log").fetchone()[0]
    print(f"undo log per imported page: {logged / pages:.0f} bytes of page images ({total / pages:.0f} bytes in all) "
          f"against {text / pages:.0f} bytes of page text per page ({len(pdfs)} PDFs, {pages} pages)")


def summary(frames: list[float], unit: str = "screenfuls") -> str:
    frames = sorted(frames)
    return (f"median {statistics.median(frames):.2f} ms, p95 {frames[int(len(frames) * 0.95)]:.2f} ms, "
            f"worst {frames[-1]:.2f} ms over {len(frames)} {unit}")


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

        with Library(Path(tmp) / "lib") as library:
            add_decisions_and_hierarchy(library, n // 10, 50)
        reaction_figures(Path(tmp) / "lib", 10 if args.quick else 40)
        undo_log_per_page(Path(tmp))

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
