"""Screening bench: litreview's ranker vs ASReview 2.x's default model (ELAS u4), same datasets, seeds, priors.

    .venv/bin/python bench/screening_bench.py [--quick] [--seeds 5] [--asreview-only] [--no-asreview]

ASReview runs in its own venv (bench/.venv-asreview, created here if missing) so it cannot disturb ours; its
orders are cached under bench/out/asreview/ (one JSON per dataset and seed), so a rerun only simulates what is
missing. Both orders are scored by ``litreview.screening.metrics`` (screening-metrics.md). Prints per dataset
WSS@95, RRF@10, ATD, loss and the stopping results (our suggested stop vs "100 irrelevant in a row"), means over
datasets, and the ranking update time at 10,000 records. Writes only under bench/out/.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from litreview.screening.labelled import LabelledDataset, load_labelled, pick_priors  # noqa: E402
from litreview.screening.metrics import screening_metrics  # noqa: E402

DATA = Path(os.environ.get("LITREVIEW_SHARED_DATA", ROOT.parent / "shared" / "data")) / "screening"
OUT = ROOT / "bench" / "out"
ASREVIEW_VENV = ROOT / "bench" / ".venv-asreview"
ASREVIEW_CACHE = OUT / "asreview"
QUICK_DATASETS = ["synergy_Sep_2021.csv", "cohen2006/Cohen_2006_Antihistamines.csv.gz"]


def datasets(quick: bool) -> list[Path]:
    if quick:
        return [DATA / name for name in QUICK_DATASETS]
    return sorted(DATA.glob("*.csv")) + sorted(DATA.glob("cohen2006/*.csv.gz"))


# -- ASReview ------------------------------------------------------------------------------------------------
def ensure_asreview() -> Path:
    executable = ASREVIEW_VENV / "bin" / "asreview"
    if not executable.exists():
        print("creating bench/.venv-asreview (asreview>=2.2,<3) ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(ASREVIEW_VENV)], check=True)
        subprocess.run([str(ASREVIEW_VENV / "bin" / "pip"), "install", "-q", "asreview>=2.2,<3"], check=True)
    return executable


def asreview_order(path: Path, seed: int, priors: list[int]) -> list[int]:
    """ASReview's labelling order (0-based CSV rows, priors first) for one seed, from the cache or a fresh run."""
    ASREVIEW_CACHE.mkdir(parents=True, exist_ok=True)
    cache = ASREVIEW_CACHE / f"{path.name}.seed{seed}.json"
    if cache.exists():
        cached = json.loads(cache.read_text())
        if cached["priors"] == priors:
            return cached["order"]
    executable = ensure_asreview()
    with tempfile.TemporaryDirectory(prefix="asreview-") as folder:
        work = Path(folder)
        data = work / "data.csv"
        data.write_bytes(gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes())
        started = time.perf_counter()
        subprocess.run(
            [str(executable), "simulate", str(data), "-o", str(work / "run.asreview"), "--seed", str(seed),
             "--prior-idx", *map(str, priors)],
            cwd=work, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        seconds = time.perf_counter() - started
        with zipfile.ZipFile(work / "run.asreview") as archive:
            archive.extractall(work / "project")
        results = next((work / "project" / "reviews").glob("*/results.db"))
        with sqlite3.connect(results) as conn:
            record_ids = [r[0] for r in conn.execute("SELECT record_id FROM results ORDER BY rowid")]
        with sqlite3.connect(work / "project" / "data_store.db") as conn:
            row_of = dict(conn.execute("SELECT record_id, dataset_row FROM record"))
    order = [int(row_of[r]) for r in record_ids]
    cache.write_text(json.dumps({"dataset": path.name, "seed": seed, "priors": priors, "order": order,
                                 "seconds": seconds}))
    return order


def run_asreview_only(paths: list[Path], seeds: int) -> None:
    for path in paths:
        labels = load_labelled(path).labels
        for seed in range(seeds):
            started = time.perf_counter()
            asreview_order(path, seed, pick_priors(labels, seed))
            print(f"asreview {path.name} seed {seed}: {time.perf_counter() - started:.1f}s", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2 small datasets, 2 seeds")
    parser.add_argument("--seeds", type=int, default=None, help="seeds per dataset (default 5, quick 2)")
    parser.add_argument("--asreview-only", action="store_true", help="only fill the ASReview order cache")
    args = parser.parse_args()
    seeds = args.seeds or (2 if args.quick else 5)
    paths = datasets(args.quick)
    if args.asreview_only:
        run_asreview_only(paths, seeds)
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
