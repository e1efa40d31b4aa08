"""Import speed: litreview's PDF import against raw PyMuPDF on the same files, measured in the same run.

The 46 real PDFs of ../shared/data/pdfs (jose/ + varied/) are imported into a fresh library with one worker
process and with two, and compared with the floor: one process doing PyMuPDF open + get_text of every page
of the same files, nothing else. The import does more than the floor (sha256, header metadata heuristics,
copying into the content-addressed store, one SQLite transaction per file with undo log and FTS index), so the
ratio says what that costs. Targets (issue 2): one worker <= 2.0x the floor, two workers faster than the floor.

"cold" is the first import of the run: it also starts the worker server (a fresh Python that imports PyMuPDF),
which a running app pays once. "warm" is the median of the later runs. Wall times on a shared, busy machine
swing a lot, so the bench also reports CPU time of the same work done in one process, which does not.

    .venv/bin/python bench/import_bench.py [--quick]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pymupdf  # noqa: E402

from litreview.importing import import_paths, summarise  # noqa: E402
from litreview.importing.dedup import DedupIndex  # noqa: E402
from litreview.importing.outcomes import record_outcomes  # noqa: E402
from litreview.importing.pdf_import import write_pdf  # noqa: E402
from litreview.importing.pdf_reader import read_pdf  # noqa: E402
from litreview.store import Library, sha256_file  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "pdfs"
OUT = ROOT / "bench" / "out" / "import_bench"


def pdf_files() -> list[Path]:
    files = sorted((DATA / "jose").glob("*.pdf")) + sorted((DATA / "varied").glob("*.pdf"))
    if not files:
        sys.exit(f"no PDFs under {DATA}: the bench needs ../shared/data")
    return files


def raw_pymupdf(files: list[Path]) -> float:
    start = time.perf_counter()
    for path in files:
        with pymupdf.open(path) as doc:
            for page in doc:
                page.get_text()
    return time.perf_counter() - start


def cpu_seconds(files: list[Path]) -> tuple[float, float, float]:
    """CPU time of the raw loop, of litreview's reading (what a worker does) and of its writing (what the parent
    does), all in this process without a pool: ratios that a busy machine's scheduling does not distort."""
    start = time.process_time()
    raw_pymupdf(files)
    raw = time.process_time() - start
    start = time.process_time()
    readings = [(path, sha256_file(path), read_pdf(path)) for path in files]
    read = time.process_time() - start
    folder = OUT / "lib-cpu"
    shutil.rmtree(folder, ignore_errors=True)
    with Library(folder) as library:
        index = DedupIndex.load(library)
        start = time.process_time()
        for path, sha, reading in readings:  # what each file's op does, inline
            with library.atomic():
                index.sync(library)
                outcome, _ = write_pdf(library, index, path, sha, reading, link=False)
                record_outcomes(library, "bench", [outcome])
        write = time.process_time() - start
    shutil.rmtree(folder, ignore_errors=True)
    return raw, read, write


def litreview_import(files: list[Path], workers: int, run: int) -> float:
    folder = OUT / f"lib-w{workers}-{run}"
    shutil.rmtree(folder, ignore_errors=True)
    with Library(folder) as library:
        start = time.perf_counter()
        outcomes = import_paths(library, files, workers=workers)
        seconds = time.perf_counter() - start
    counts = summarise(outcomes)
    if counts["failed"] or counts["imported"] + counts["duplicate"] != len(files):
        sys.exit(f"import went wrong: {counts}")
    shutil.rmtree(folder, ignore_errors=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one warm run instead of three")
    args = parser.parse_args()
    files = pdf_files()
    pages = sum(pymupdf.open(p).page_count for p in files)
    OUT.mkdir(parents=True, exist_ok=True)
    runs = 1 if args.quick else 3

    cold = litreview_import(files, 1, 0)  # starts the worker server; reported on its own
    raw, one, two = [], [], []
    for run in range(1, runs + 1):  # interleaved, so machine load affects all three alike
        raw.append(raw_pymupdf(files))
        one.append(litreview_import(files, 1, run))
        two.append(litreview_import(files, 2, run))
    raw_s, one_s, two_s = statistics.median(raw), statistics.median(one), statistics.median(two)
    raw_cpu, read_cpu, write_cpu = cpu_seconds(files)

    print(f"files: {len(files)} PDFs, {pages} pages (jose/ + varied/); {runs} warm run(s), median")
    print(f"raw PyMuPDF open+get_text, 1 process : {raw_s:6.2f} s  ({pages / raw_s:5.0f} pages/s)  [baseline]")
    print(f"litreview import, 1 worker (warm)     : {one_s:6.2f} s  ratio {one_s / raw_s:4.2f}x  (target <= 2.0x)")
    print(f"litreview import, 2 workers (warm)    : {two_s:6.2f} s  ratio {two_s / raw_s:4.2f}x  (target < 1.0x)")
    print(f"litreview import, 1 worker (cold)     : {cold:6.2f} s  ratio {cold / raw_s:4.2f}x  (includes worker start)")
    print(f"CPU time in one process (no pool)     : raw {raw_cpu:.2f} s; litreview reading {read_cpu:.2f} s "
          f"({read_cpu / raw_cpu:.2f}x, the workers' part) + writing {write_cpu:.2f} s ({write_cpu / raw_cpu:.2f}x, "
          f"the parent's part, overlapped with reading)")
    print(f"runs: raw {[f'{t:.2f}' for t in raw]}, 1 worker {[f'{t:.2f}' for t in one]}, "
          f"2 workers {[f'{t:.2f}' for t in two]}")


if __name__ == "__main__":
    main()
