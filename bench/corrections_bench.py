"""Learning from corrections: what a handful of a simulated user's corrections fixes among the studies the user
never touched, learner against the corrections alone (apply-only, the baseline of the same run) and against the
learner with zero corrections (placebo).

    .venv/bin/python bench/corrections_bench.py [--mixtures NAME ...] [--seeds 3] [--starts app under over noisy]
        [--weights 1 3 10 30] [--skip-timing | --timing-only] [--timing-studies 1000] [--quick]

Over every dev mixture (``bench/hierarchy_mixtures.py``: the shipped dev_cohen and dev_mixed plus the 11 it
builds), 3 seeds each, through ``litreview.hierarchy.correction_sim`` (the code of ``litreview eval
corrections``): the build uses no language model (statistics only: sentence embeddings, names without the model),
then a simulated user corrects the Topic level by protocol LFC-1. Start states: the app's own build (``app``, the
real target) and LFC-1's controlled starts (``under`` k-2, ``over`` k+3, ``noisy`` 30 % misplaced), because the
app's build already places 96-100 % of the dev studies and leaves almost nothing to learn from.

Printed: per start, mean and WORST mixture after 10 corrections of the learner's HP gain over apply-only and over
the placebo, untouched studies fixed per correction (learner minus apply-only, per correction), regressions; then
the leave-one-mixture-out check of ``learner.USER_WEIGHT`` (the weight that would have been chosen on the other
mixtures, and what it gives on the held-out one); then re-scoring time after one correction on a 1,000-study
library (median and p95), against a full rebuild of the same library measured in the same run. Writes
``bench/out/corrections_bench.json``. Timings depend on the machine's load (the load average is printed).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import hierarchy_mixtures  # noqa: E402

from litreview.hierarchy import learner  # noqa: E402
from litreview.hierarchy.correction_sim import DEFAULT_BUDGETS, simulate  # noqa: E402
from litreview.hierarchy.evaluate import load_scorer  # noqa: E402

SCORER = hierarchy_mixtures.SHARED.parent / "notes" / "hierarchy_eval.py"
OUT = ROOT / "bench" / "out"
AT = 10                       # the budget for the targets
TARGETS = {"vs_apply": 0.05, "vs_placebo": 0.03, "fixed_per_correction": 0.8, "rescore_seconds": 1.0}


def cell(result: dict, budget: int = AT) -> dict:
    return next(b for b in result["budgets"] if b["budget"] == budget)


def figures(result: dict, budget: int = AT) -> dict:
    """The issue's figures of one mixture at one budget."""
    row = cell(result, budget)
    return {"corrections": row["corrections"], "untouched": row["untouched"],
            "apply_only": row["apply_only"]["hp"], "learner": row["learner"]["hp"], "placebo": row["placebo"]["hp"],
            "vs_apply": round(row["learner"]["hp"] - row["apply_only"]["hp"], 4),
            "vs_placebo": round(row["learner"]["hp"] - row["placebo"]["hp"], 4),
            "fixed_per_correction": row["fixed_per_correction"] or 0.0, "regressions": row["regressions"],
            "start_hp": cell(result, 0)["apply_only"]["hp"]}


def run_mixtures(names: list[str], paths: dict[str, Path], scorer, seeds: int, starts: list[str],
                 weights: list[float]) -> dict:
    from litreview.embeddings import load_encoder

    encoder = load_encoder()
    out: dict = {}
    for name in names:
        began = time.perf_counter()
        results = simulate(paths[name], scorer=scorer, budgets=DEFAULT_BUDGETS, seeds=seeds, starts=tuple(starts),
                           user_weights=tuple(weights), encoder_factory=lambda: encoder)
        for (start, weight), result in results.items():
            result.pop("per_seed", None)
            out.setdefault(start, {}).setdefault(str(weight), {})[name] = result
        line = ", ".join(f"{s} {figures(results[(s, learner.USER_WEIGHT)])['vs_apply']:+.3f}" for s in starts
                         if (s, learner.USER_WEIGHT) in results)
        print(f"  {name:20} ({time.perf_counter() - began:.0f} s) learner - apply-only HP @{AT}: {line}", flush=True)
    return out


def table(records: dict, weight: float) -> list[str]:
    lines = [f"\nAfter {AT} corrections (untouched studies, Topic top level; mean / WORST mixture; learner weight "
             f"{weight:g})",
             "| start | mixtures | start HP | apply-only HP | learner HP | placebo HP | learner - apply | "
             "learner - placebo | fixed / correction | regressions |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for start, by_weight in records.items():
        rows = [figures(r) for r in by_weight[str(weight)].values()]

        def both(key: str, worst=min, rows=rows) -> str:
            values = [r[key] for r in rows]
            return f"{statistics.mean(values):.3f} / {worst(values):.3f}"

        lines.append(f"| {start} | {len(rows)} | {both('start_hp')} | {both('apply_only')} | {both('learner')} | "
                     f"{both('placebo')} | {both('vs_apply')} | {both('vs_placebo')} | "
                     f"{both('fixed_per_correction')} | {both('regressions', max)} |")
    return lines


def leave_one_out(records: dict, weights: list[float]) -> list[str]:
    """For each held-out mixture: the weight with the best mean learner - apply-only HP gain on the others (all
    starts pooled), and the gain it gives on the held-out one, beside the default weight's."""
    lines = [f"\nLeave-one-mixture-out check of USER_WEIGHT (default {learner.USER_WEIGHT:g}; grid "
             f"{', '.join(f'{w:g}' for w in weights)}; learner - apply-only HP @{AT}, all starts pooled)"]
    names = sorted(next(iter(records.values()))[str(weights[0])])
    chosen, held, default = [], [], []

    def gain(weight: float, mixtures: list[str]) -> float:
        return statistics.mean(figures(records[s][str(weight)][m])["vs_apply"] for s in records for m in mixtures)

    for name in names:
        others = [m for m in names if m != name]
        best = max(weights, key=lambda w: (round(gain(w, others), 4), w == learner.USER_WEIGHT))
        chosen.append(best)
        held.append(gain(best, [name]))
        default.append(gain(learner.USER_WEIGHT, [name]))
    lines.append(f"weights chosen per fold: {', '.join(f'{w:g}' for w in chosen)}")
    lines.append(f"held-out gain with the chosen weight: mean {statistics.mean(held):+.4f} / worst {min(held):+.4f}; "
                 f"with the default: mean {statistics.mean(default):+.4f} / worst {min(default):+.4f}")
    return lines


# -- re-scoring time on 1,000 studies ------------------------------------------------------------------------------
def timing_mixture(count: int) -> Path:
    """``count`` records with title and abstract, as many from each of the ten reviews (any screening label: for a
    timing only the size matters), written as a mixture CSV under bench/out/mixtures."""
    per = -(-count // len(hierarchy_mixtures.REVIEWS))
    rows = []
    for topic, source in hierarchy_mixtures.REVIEWS.items():
        path = hierarchy_mixtures.SHARED / "screening" / source
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", newline="") as handle:
            pool = [r for r in csv.DictReader(handle) if r.get("title", "").strip() and r.get("abstract", "").strip()]
        for row in random.Random(f"timing:{source}").sample(pool, min(per, len(pool))):
            rows.append({"title": row["title"].strip(), "abstract": row["abstract"].strip(), "topic": topic})
    rows = rows[:count]
    random.Random("timing").shuffle(rows)
    target = hierarchy_mixtures.OUT / f"timing{count}.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["study_id", "title", "abstract", "topic"])
        writer.writeheader()
        writer.writerows({"study_id": f"S{i:04d}", **row} for i, row in enumerate(rows, start=1))
    return target


def timing(count: int, corrections: int = 20) -> dict:
    """Build a ``count``-study library, make ``corrections`` simulated corrections through the app's op, and time
    the learner's re-scoring after each (and the whole op: learner before and after + the suggestions), against
    the build of the same library."""
    from litreview.embeddings import load_encoder
    from litreview.hierarchy.build import build_hierarchy
    from litreview.hierarchy.correction_sim import _topic_aspect, simulated_correction
    from litreview.hierarchy.evaluate import load_into, read_mixture
    from litreview.store import Library

    rows = read_mixture(timing_mixture(count))
    encoder = load_encoder()
    with tempfile.TemporaryDirectory(prefix="litreview-timing-") as scratch:
        library = Library(Path(scratch) / "lib")
        try:
            id_map = load_into(library, rows)
            gold = {s: rows[int(ref[1:]) - 1]["topic"] for s, ref in id_map.items()}
            began = time.perf_counter()
            report = build_hierarchy(library, None, aspects=1, encoder_factory=lambda: encoder)
            build = time.perf_counter() - began
            aspect = _topic_aspect(library, report.hierarchy_id)
            rng, touched = random.Random("timing"), set()
            rescores, ops = [], []
            for spent in range(corrections):
                began = time.perf_counter()
                if not simulated_correction(library, report.hierarchy_id, aspect, gold, touched, rng, spent):
                    break
                ops.append(time.perf_counter() - began)
                rescores.append(learner.learn(library, report.hierarchy_id).seconds)
            build_again = build_hierarchy(library, None, aspects=1, encoder_factory=lambda: encoder).seconds
        finally:
            library.close()

    def p95(values: list[float]) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    return {"studies": len(rows), "corrections": len(rescores),
            "rescore_median": round(statistics.median(rescores), 3), "rescore_p95": round(p95(rescores), 3),
            "op_median": round(statistics.median(ops), 3), "op_p95": round(p95(ops), 3),
            "first_build_seconds": round(build, 1), "rebuild_seconds": round(build_again, 1),
            "load_average": round(os.getloadavg()[0], 2)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mixtures", nargs="+", help="only these mixtures (default: all dev mixtures)")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--starts", nargs="+", default=["app", "under", "over", "noisy"],
                        choices=("app", "true_k", "under", "over", "noisy"))
    parser.add_argument("--weights", nargs="+", type=float, default=[1.0, 3.0, 10.0, 30.0])
    parser.add_argument("--skip-timing", action="store_true")
    parser.add_argument("--timing-studies", type=int, default=1000)
    parser.add_argument("--timing-only", action="store_true", help="only the re-scoring time")
    parser.add_argument("--quick", action="store_true", help="dev_cohen and dev_mixed, 1 seed, no timing")
    args = parser.parse_args(argv)
    if not SCORER.is_file():
        print(f"reference scorer not found at {SCORER}", file=sys.stderr)
        return 2
    weights = sorted(set(args.weights) | {learner.USER_WEIGHT})
    scorer = load_scorer(SCORER)
    OUT.mkdir(parents=True, exist_ok=True)
    paths = hierarchy_mixtures.write_all()
    names = ["dev_cohen", "dev_mixed"] if args.quick else (args.mixtures or list(paths))
    seeds = 1 if args.quick else args.seeds
    record: dict = {"load_average_start": round(os.getloadavg()[0], 2), "seeds": seeds, "budgets": DEFAULT_BUDGETS,
                    "model": "none (statistics only)", "targets": TARGETS}
    print(f"corrections bench: {'timing only' if args.timing_only else f'{len(names)} mixtures, {seeds} seeds'}, "
          f"starts {', '.join(args.starts)}, load average {record['load_average_start']}", flush=True)
    lines: list[str] = []
    if not args.timing_only:
        record["results"] = run_mixtures(names, paths, scorer, seeds, args.starts, weights)
        lines += table(record["results"], learner.USER_WEIGHT)
        if len(names) > 2 and len(weights) > 1:
            lines += leave_one_out(record["results"], weights)
    if not (args.skip_timing or args.quick):
        record["timing"] = timing(args.timing_studies)
        t = record["timing"]
        lines.append(f"\nRe-scoring after one correction, {t['studies']} studies ({t['corrections']} corrections, "
                     f"load average {t['load_average']}): median {t['rescore_median']} s, p95 {t['rescore_p95']} s "
                     f"(target <= {TARGETS['rescore_seconds']} s); the whole correction op (learner before and after + "
                     f"suggestions) median {t['op_median']} s, p95 {t['op_p95']} s; baseline in the same run: a "
                     f"rebuild of the same library {t['rebuild_seconds']} s (first build with embeddings "
                     f"{t['first_build_seconds']} s), ratio {t['rescore_median'] / max(t['rebuild_seconds'], 1e-9):.3f}")
    print("\n".join(lines))
    record["table"] = lines
    target = OUT / ("corrections_timing.json" if args.timing_only else "corrections_bench.json")
    target.write_text(json.dumps(record, indent=1, default=str), encoding="utf-8")
    print(f"\nwritten: {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
