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
import csv
import gzip
import hashlib
import inspect
import io
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from litreview.screening.labelled import load_labelled, pick_priors  # noqa: E402
from litreview.screening.simulate import SeedRun, score_order, simulate_order, simulate_seed  # noqa: E402

DATA = Path(os.environ.get("LITREVIEW_SHARED_DATA", ROOT.parent / "shared" / "data")) / "screening"
OUT = ROOT / "bench" / "out"
ASREVIEW_VENV = ROOT / "bench" / ".venv-asreview"
ASREVIEW_CACHE = OUT / "asreview"
ASREVIEW_VERSION = "2.x"
QUICK_DATASETS = ["synergy_Sep_2021.csv", "cohen2006/Cohen_2006_Antihistamines.csv.gz"]


ABSTRACT_STAGE = OUT / "datasets"  # derived: each Cohen review with its title/abstract-stage labels as target


def datasets(quick: bool) -> list[Path]:
    """The ten dev datasets, then one more per Cohen review judged by its abstract-stage labels."""
    if quick:
        return [DATA / name for name in QUICK_DATASETS]
    cohen = sorted(DATA.glob("cohen2006/*.csv.gz"))
    return sorted(DATA.glob("*.csv")) + cohen + [p for p in map(abstract_stage_dataset, cohen) if p is not None]


def abstract_stage_dataset(path: Path) -> Path | None:
    """``label_abstract_screening`` as ``label_included`` (a second target per review: which records passed
    title/abstract screening), written once under bench/out/datasets; None when it equals the final labels."""
    target = ABSTRACT_STAGE / path.name.replace("Cohen_2006_", "Cohen_2006_abstracts_")
    if target.exists():
        return target
    text = gzip.decompress(path.read_bytes()).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    if all(int(float(r["label_abstract_screening"])) == int(r["label_included"]) for r in rows):
        return None
    buffer = io.StringIO(newline="")
    fields = ["record_id", "title", "abstract", "label_included"]
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({"record_id": r["record_id"], "title": r["title"], "abstract": r["abstract"],
                         "label_included": int(float(r["label_abstract_screening"]))})
    ABSTRACT_STAGE.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(gzip.compress(buffer.getvalue().encode("utf-8"), mtime=0))
    partial.replace(target)
    return target


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


# -- ours, side by side ---------------------------------------------------------------------------------------
# cached orders are reused only while the code that makes them is unchanged (the stopping rule only rescores them)
MODEL_TAG = hashlib.sha256(b"".join([(ROOT / "litreview" / "screening" / f).read_bytes()
                                     for f in ("model.py", "features.py", "stopping.py")]
                                    + [inspect.getsource(simulate_order).encode()])).hexdigest()[:16]


def _our_run(path: Path, seed: int) -> SeedRun:
    """One simulated run, or the order cached by an earlier bench run of the same model (rescored)."""
    cache = OUT / "screening" / f"{path.name}.seed{seed}.json"
    dataset = load_labelled(path)
    if cache.exists():
        cached = json.loads(cache.read_text())
        if cached.get("model") == MODEL_TAG:
            return score_order(dataset.labels, seed, cached["priors"], cached["order"], cached["seconds"])
    run = simulate_seed(dataset, seed)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps({"seed": seed, "model": MODEL_TAG, "priors": run.priors, "order": run.order,
                                 "seconds": run.seconds}))
    return run


def compare(paths: list[Path], seeds: int, jobs: int) -> list[dict]:
    """Per dataset and seed: our run and ASReview's order, both scored by the contract.

    Our runs go first (``jobs`` processes, largest datasets first), so the background ASReview cache fill
    has time to finish before its orders are needed.
    """
    tasks = sorted(((p, s) for p in paths for s in range(seeds)), key=lambda t: -t[0].stat().st_size)
    ours: dict[tuple[str, int], SeedRun] = {}
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_our_run, path, seed): (path, seed) for path, seed in tasks}
        for future in as_completed(futures):
            path, seed = futures[future]
            run = ours[(path.name, seed)] = future.result()
            print(f"  ours {path.name} seed {seed}: WSS@95 {run.metrics['wss95']:.1f} ({run.seconds:.0f} s)",
                  file=sys.stderr, flush=True)
    rows = []
    for path in paths:
        dataset = load_labelled(path)
        for seed in range(seeds):
            run = ours[(path.name, seed)]
            theirs = score_order(dataset.labels, seed, run.priors, asreview_order(path, seed, run.priors))
            rows.append({"dataset": dataset.name, "n": len(dataset), "included": int(dataset.labels.sum()),
                         "seed": seed, "ours": _flat(run), "asreview": _flat(theirs)})
    return rows


def _flat(run: SeedRun) -> dict:
    return {**{k: run.metrics[k] for k in ("wss95", "rrf10", "atd", "loss", "records_to_first_relevant")},
            "stop_recall": run.stop_recall, "stop_fraction": run.stop_fraction,
            "row100_recall": run.row100["recall"], "row100_fraction": run.row100["fraction"], "seconds": run.seconds}


def report(rows: list[dict]) -> dict:
    names = list(dict.fromkeys(r["dataset"] for r in rows))
    header = (f"{'dataset':34} {'n/incl':>9} | {'WSS@95':>11} | {'RRF@10':>11} | {'ATD %':>11} | {'loss':>11} |"
              f" {'our stop: recall/screened':>25} | {'100-in-a-row ours / ASR':>29}")
    print(header)
    print(f"{'':34} {'':>9} | {'ours  ASR':>11} | {'ours  ASR':>11} | {'ours  ASR':>11} | {'ours  ASR':>11} |"
          f" {'':>25} | {'recall/screened':>29}")
    print("-" * len(header))
    per = {}
    for name in names:
        group = [r for r in rows if r["dataset"] == name]
        mean = {side: {k: float(np.mean([g[side][k] for g in group])) for k in group[0][side]}
                for side in ("ours", "asreview")}
        per[name] = mean
        o, a = mean["ours"], mean["asreview"]
        print(f"{name[:34]:34} {group[0]['n']:>5}/{group[0]['included']:<3} | {o['wss95']:5.1f} {a['wss95']:5.1f} |"
              f" {o['rrf10']:5.1f} {a['rrf10']:5.1f} | {o['atd']:5.1f} {a['atd']:5.1f} | {o['loss']:5.3f} {a['loss']:5.3f} |"
              f" {o['stop_recall']:11.1f} / {o['stop_fraction']:5.1f} % |"
              f" {o['row100_recall']:5.1f}/{o['row100_fraction']:5.1f} {a['row100_recall']:5.1f}/{a['row100_fraction']:5.1f}")
    print("-" * len(header))
    overall = {side: {k: float(np.mean([per[n][side][k] for n in names])) for k in per[names[0]][side]}
               for side in ("ours", "asreview")}
    o, a = overall["ours"], overall["asreview"]
    print(f"{'MEAN over datasets':34} {'':>9} | {o['wss95']:5.1f} {a['wss95']:5.1f} | {o['rrf10']:5.1f} {a['rrf10']:5.1f} |"
          f" {o['atd']:5.1f} {a['atd']:5.1f} | {o['loss']:5.3f} {a['loss']:5.3f} |"
          f" {o['stop_recall']:11.1f} / {o['stop_fraction']:5.1f} % |"
          f" {o['row100_recall']:5.1f}/{o['row100_fraction']:5.1f} {a['row100_recall']:5.1f}/{a['row100_fraction']:5.1f}")
    reached = float(np.mean([r["ours"]["stop_recall"] >= 95.0 for r in rows]))
    reached100 = float(np.mean([r["asreview"]["row100_recall"] >= 95.0 for r in rows]))
    worst = min(per[n]["ours"]["wss95"] - per[n]["asreview"]["wss95"] for n in names)
    summary = {
        "datasets": len(names), "runs": len(rows),
        "wss95_ours": o["wss95"], "wss95_asreview": a["wss95"], "wss95_gain": o["wss95"] - a["wss95"],
        "worst_dataset_gap": worst, "atd_ours": o["atd"], "atd_asreview": a["atd"],
        "stop_runs_reaching_95": reached, "stop_fraction_ours": o["stop_fraction"],
        "row100_fraction_asreview": a["row100_fraction"], "row100_runs_reaching_95_asreview": reached100,
    }
    print()
    print(f"WSS@95: ours {o['wss95']:.1f} vs ASReview {a['wss95']:.1f} (gain {o['wss95'] - a['wss95']:+.1f} points,"
          f" target >= +2; worst dataset {worst:+.1f}, target >= -3)")
    print(f"ATD: ours {o['atd']:.2f} % vs ASReview {a['atd']:.2f} % (ratio {o['atd'] / a['atd']:.3f}, target < 1)")
    print(f"suggested stop reached >= 95 % recall in {reached:.0%} of {len(rows)} runs (target >= 90 %), screening"
          f" {o['stop_fraction']:.1f} % on average; '100 irrelevant in a row' screens {o['row100_fraction']:.1f} % on our"
          f" orders and {a['row100_fraction']:.1f} % on ASReview's (reaching 95 % in {reached100:.0%} of runs)")
    return summary


# -- ranking update time -------------------------------------------------------------------------------------
def update_times(n_records: int, decisions: int = 200, repeats: int = 20) -> dict:
    """Seconds per Ranker.rank() after a decision in a real library of ``n_records`` studies (titles+abstracts
    pooled from every dataset, cycled if needed), against the ELAS-u4-like SVM alone as the baseline."""
    from litreview.screening import Ranker, decide
    from litreview.store import Library

    pool = [load_labelled(p) for p in datasets(quick=False)]
    records = [(t, a, int(y)) for d in pool for t, a, y in zip(d.titles, d.abstracts, d.labels)]
    records = [records[i % len(records)] for i in range(n_records)]
    results = {}
    with tempfile.TemporaryDirectory(prefix="screening-bench-") as folder:
        library = Library(folder)
        with library.command("bench studies") as cmd:
            ids = [cmd.insert("studies", {"title": t, "abstract": a, "source": "csv"}) for t, a, _ in records]
        rng = np.random.default_rng(0)
        order = rng.permutation(len(ids))
        positives = [i for i in order if records[i][2] == 1][: decisions // 10]
        negatives = [i for i in order if records[i][2] == 0][: decisions - len(positives)]
        for i in positives + negatives:
            decide(library, ids[i], "include" if records[i][2] else "exclude")
        started = time.perf_counter()
        Ranker(library).rank()
        results["first_rank_s"] = time.perf_counter() - started  # vectorising once + the first ranking
        rankers = {"ours": Ranker(library), "svm_only": Ranker(library, blank_rule=False)}
        for label, ranker in rankers.items():
            ranker.rank()
            times = []
            for k in range(repeats):
                decide(library, ids[int(order[-(k + 1) - (repeats if label == "svm_only" else 0)])], "exclude")
                started = time.perf_counter()
                ranker.rank()
                times.append(time.perf_counter() - started)
            results[label] = {"median_s": statistics.median(times), "p95_s": float(np.percentile(times, 95))}
        library.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2 small datasets, 2 seeds, 2,000-record timing")
    parser.add_argument("--seeds", type=int, default=None, help="seeds per dataset (default 5, quick 2)")
    parser.add_argument("--asreview-only", action="store_true", help="only fill the ASReview order cache")
    parser.add_argument("--jobs", type=int, default=2, help="processes for our simulations (default 2)")
    parser.add_argument("--no-timing", action="store_true", help="skip the 10,000-record update timing")
    args = parser.parse_args()
    seeds = args.seeds or (2 if args.quick else 5)
    paths = datasets(args.quick)
    if args.asreview_only:
        run_asreview_only(paths, seeds)
        return 0
    started = time.perf_counter()
    rows = compare(paths, seeds, args.jobs)
    print(f"\nscreening bench: {len(paths)} datasets x {seeds} seeds, ours vs ASReview {ASREVIEW_VERSION} (ELAS u4),"
          f" same priors (screening-metrics.md); percentages 0-100\n")
    summary = report(rows)
    if not args.no_timing:
        n_records = 2000 if args.quick else 10000
        timing = update_times(n_records)
        o, b = timing["ours"], timing["svm_only"]
        print(f"ranking update at {n_records} records (Ranker.rank() after a decision, 200 decisions made): median"
              f" {o['median_s']:.3f} s, p95 {o['p95_s']:.3f} s (target <= 1 s); SVM alone (ELAS-u4-like) median"
              f" {b['median_s']:.3f} s -> ratio {o['median_s'] / b['median_s']:.2f}; first ranking (vectorising"
              f" included) {timing['first_rank_s']:.1f} s")
        summary["timing"] = timing
    OUT.mkdir(parents=True, exist_ok=True)
    name = "screening_bench_quick.json" if args.quick else "screening_bench.json"
    (OUT / name).write_text(json.dumps({"summary": summary, "rows": rows}, indent=1))
    print(f"({time.perf_counter() - started:.0f} s; per-run figures in bench/out/{name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
