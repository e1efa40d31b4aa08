"""Two imports of the same export running at once (two windows, or the app and the CLI) store each record once:
the duplicate check is repeated inside the write transaction, and the second copy's records are duplicates."""

from __future__ import annotations

import multiprocessing
import queue
import sys

import pytest

from litreview.store import Library
from tests.helpers.paths import need_shared

RUNS = 20
RECORDS = 270

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="spawns importer processes that share a barrier")


def _importer(folders, export, barrier, results) -> None:
    """One process: for each library, wait for the other process, then import the export."""
    from litreview.importing import import_paths, summarise

    for folder in folders:
        barrier.wait(timeout=300)
        with Library(folder) as library:
            report = import_paths(library, [export])
        duplicates = [o.reason for o in report if o.status == "duplicate"]
        results.put((str(folder), summarise(report), duplicates[:1]))


def test_two_processes_importing_the_same_csv_at_once_store_each_record_once(tmp_path):
    export = need_shared("screening/synergy_Sep_2021.csv")
    folders = [tmp_path / f"lib{run:02d}" for run in range(RUNS)]
    for folder in folders:
        Library(folder).close()  # created up front: opening a brand-new library at once is another test's case
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    processes = [context.Process(target=_importer, args=(folders, export, barrier, results)) for _ in range(2)]
    for process in processes:
        process.start()
    try:
        summaries: dict[str, list] = {}
        for _ in range(2 * RUNS):
            folder, counts, duplicates = results.get(timeout=600)
            summaries.setdefault(folder, []).append((counts, duplicates))
    except queue.Empty:
        pytest.fail("an importer process stopped answering")
    finally:
        for process in processes:
            process.join(timeout=60)
            if process.is_alive():
                process.kill()
    assert [p.exitcode for p in processes] == [0, 0]

    stored_once = 0
    for folder in folders:
        with Library(folder) as library:
            studies = library.study_count()
            outcomes = dict(library.conn.execute(
                "SELECT status, count(*) FROM import_outcomes GROUP BY status").fetchall())
        counts = sorted((c["imported"], c["duplicate"], c["failed"]) for c, _ in summaries[str(folder)])
        stored_once += studies == RECORDS and outcomes == {"imported": RECORDS, "duplicate": RECORDS} \
            and counts == [(0, RECORDS, 0), (RECORDS, 0, 0)]
    assert stored_once == RUNS, f"each record stored once in {stored_once} of {RUNS} runs"
    # the copy that lost the race says which study it matched, by title and year, never by an internal id
    reasons = [d[0] for entries in summaries.values() for _, d in entries if d]
    assert len(reasons) == RUNS and all(r.startswith("same record as “") and "study " not in r for r in reasons)


def _pdf_importer(folders, pdfs, barrier, results) -> None:
    from litreview.importing import import_paths, summarise

    for folder in folders:
        barrier.wait(timeout=300)
        with Library(folder) as library:
            report = import_paths(library, pdfs, workers=1)
        results.put((str(folder), summarise(report)))


def test_two_processes_importing_the_same_pdfs_at_once_store_each_file_once(tmp_path):
    """The PDF side of the race: no 'UNIQUE constraint failed: files.sha256', no missing partial file; the copy
    that comes second is a duplicate."""
    pdfs = sorted(need_shared("pdfs/jose").glob("*.pdf"))[:4]
    folders = [tmp_path / f"lib{run}" for run in range(3)]
    for folder in folders:
        Library(folder).close()
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    processes = [context.Process(target=_pdf_importer, args=(folders, pdfs, barrier, results)) for _ in range(2)]
    for process in processes:
        process.start()
    try:
        counts = [results.get(timeout=600) for _ in range(2 * len(folders))]
    finally:
        for process in processes:
            process.join(timeout=60)
            if process.is_alive():
                process.kill()
    assert all(c["failed"] == 0 and c["imported"] + c["duplicate"] == len(pdfs) for _, c in counts), counts
    for folder in folders:
        with Library(folder) as library:
            assert library.study_count() == len(pdfs)
            assert library.conn.execute("SELECT count(*) FROM files").fetchone()[0] == len(pdfs)
            assert not list((folder / "files").rglob("*.part"))
