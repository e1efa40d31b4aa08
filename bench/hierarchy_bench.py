"""Hierarchy figures: litreview (default and quality model) side by side with a classical clustering baseline.

    .venv/bin/python bench/hierarchy_bench.py [--quick] [--mixtures dev_cohen dev_mixed] [--no-claims]
        [--only all|default|quality] [--quality PATH] [--quality-mixtures dev_mixed] [--quality-n 30]
        [--quality-aspects 2]

For each mixture of ``../shared/data/hierarchy`` (gold topic = the review a study came from, never shown to
the model), in the same run:

* **baseline**: TF-IDF + KMeans with k chosen by silhouette over 3..12 (the README's classical baseline; no
  gold k), scored by the reference scorer;
* **litreview, default model** (gemma-3-270m): claims + build via ``evaluate_mixture`` (the same code as
  ``litreview eval hierarchy``), best aspect's top level; also what statistics alone chose before the model's
  votes (``stats``), so the model's contribution is visible rather than assumed;
* **litreview, quality model** (Qwen2.5-Coder-1.5B-Instruct, capable: TnT-LLM aspects, ``choose`` and
  verification blended in) on the first ``--quality-n`` studies of ``--quality-mixtures`` with
  ``--quality-aspects`` aspects (its CPU cost on 2 cores, ~10 s per choose call, rules out the full
  mixtures), with the baseline and the default model re-run on the same subset and settings.

Prints HP / NMI / ARI / BCubed F1 / uncategorised share, the ratio of NMI to the baseline's, LLM calls and
prompt/completion tokens per study and per stage (from ``llm_runs``), seconds, and every top-level category's
name and one-line description. Metrics come from ``../shared/notes/hierarchy_eval.py`` (loaded, not copied).
Writes only under bench/out/.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sklearn.cluster import KMeans  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.metrics import silhouette_score  # noqa: E402

from litreview.hierarchy.evaluate import evaluate_mixture, load_scorer, read_mixture  # noqa: E402

SHARED = Path(os.environ.get("LITREVIEW_SHARED_DATA", ROOT.parent / "shared" / "data"))
SCORER = SHARED.parent / "notes" / "hierarchy_eval.py"
OUT = ROOT / "bench" / "out"
QUALITY = ROOT / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
KEYS = ("harmonic_purity", "nmi", "ari", "bcubed_f1", "uncategorised_share", "n_primary_categories")


def baseline(rows: list[dict[str, str]], scorer) -> dict:
    """TF-IDF + KMeans, k by silhouette over 3..12 (cosine), as in the mixtures' README."""
    started = time.perf_counter()
    texts = [f"{r['title']} {r['abstract']}" for r in rows]
    matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=2).fit_transform(texts)
    best = None
    for k in range(3, min(12, len(rows) - 1) + 1):
        labels = KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(matrix)
        score = silhouette_score(matrix, labels, metric="cosine")
        if best is None or score > best[0]:
            best = (score, k, labels)
    _, k, labels = best
    pred = {r["study_id"]: [f"cluster {labels[i]}"] for i, r in enumerate(rows)}
    metrics = scorer.evaluate(pred, {r["study_id"]: r["topic"] for r in rows})
    return {**metrics, "k": k, "seconds": round(time.perf_counter() - started, 1), "llm_calls": 0, "tokens": 0}


def open_model(path: Path | None):
    from litreview.llm import LlmSettings, open_engine

    return open_engine(LlmSettings(model_path=str(path) if path else None))


def litreview_run(path: Path, engine, scorer, *, claims: bool, label: str, aspects: int = 5) -> dict:
    return evaluate_mixture(path, engine, scorer=scorer, claims=claims, aspects=aspects,
                            predictions_path=OUT / f"hierarchy_{label}_{path.stem}.json")


def subset(path: Path, n: int) -> Path:
    """The first n rows (the mixtures are shuffled, so this is a neutral sample); written under bench/out."""
    rows = read_mixture(path)[:n]
    target = OUT / f"{path.stem}_first{n}.csv"
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return target


def row_of(method: str, mixture: str, m: dict, base_nmi: float) -> str:
    ratio = m["nmi"] / base_nmi if base_nmi else float("nan")
    n = m.get("n_studies") or 1
    calls = m.get("llm_calls", 0)
    tokens = m.get("tokens", 0)
    return (f"| {method:28} | {mixture:16} | {m['harmonic_purity']:.3f} | {m['nmi']:.3f} | {m['ari']:.3f} | "
            f"{m['bcubed_f1']:.3f} | {m['uncategorised_share']:.3f} | {m.get('n_primary_categories', '')!s:>3} | "
            f"{ratio:.3f} | {calls / n:6.1f} | {tokens / n:8.0f} | {m.get('seconds', 0):7.1f} | "
            f"{m.get('claims_grounded') if m.get('claims_grounded') is not None else '-'} |")


HEADER = ("| method                       | mixture          | HP    | NMI   | ARI   | B3 F1 | uncat | k   | "
          "NMI/base | calls/study | tokens/study | seconds | claims grounded |\n|---|---|---|---|---|---|---|---|---|"
          "---|---|---|---|")


def print_details(label: str, result: dict) -> None:
    print(f"\n## {label} on {result['mixture']}: best aspect {result.get('best_aspect')!r} "
          f"({result['model']}, {result['capability']})")
    for category in result["top_categories"]:
        print(f"  - {category['name']} ({category['studies']} studies, named by {category['name_source']}): "
              f"{category['description']}")
    print("  per aspect: " + ", ".join(f"{a['name']} HP {a['harmonic_purity']:.3f} NMI {a['nmi']:.3f} "
                                       f"uncat {a['uncategorised_share']:.2f}" for a in result.get("aspects", [])))
    n = result.get("n_studies") or 1
    for stage, usage in result["stages"].items():
        print(f"  stage {stage:34} calls {usage['calls']:5} ({usage['calls'] / n:5.2f}/study)  prompt tok "
              f"{usage['prompt_tokens'] / n:7.0f}/study  completion tok {usage['completion_tokens'] / n:6.1f}/study"
              f"  {usage['seconds']:7.1f} s")
    stats = result.get("stats_only") or {}
    if stats.get("nmi") is not None:
        print(f"  statistics alone (before the model's votes): HP {stats['harmonic_purity']:.3f} NMI {stats['nmi']:.3f}"
              f" -> with the model: HP {result['harmonic_purity']:.3f} NMI {result['nmi']:.3f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="dev_mixed only, no claims, quality model on 30 studies")
    parser.add_argument("--mixtures", nargs="+", default=["dev_cohen", "dev_mixed"])
    parser.add_argument("--no-claims", action="store_true")
    parser.add_argument("--only", choices=("all", "default", "quality"), default="all")
    parser.add_argument("--quality", type=Path, default=QUALITY, help="GGUF of the quality model")
    parser.add_argument("--quality-mixtures", nargs="+", default=["dev_mixed"])
    parser.add_argument("--quality-n", type=int, default=30, help="studies per mixture for the quality model")
    parser.add_argument("--quality-aspects", type=int, default=2, help="aspects for the quality comparison")
    args = parser.parse_args(argv)
    if not SCORER.is_file():
        print(f"reference scorer not found at {SCORER}", file=sys.stderr)
        return 2
    scorer = load_scorer(SCORER)
    OUT.mkdir(parents=True, exist_ok=True)
    mixtures = ["dev_mixed"] if args.quick else args.mixtures
    claims = not (args.no_claims or args.quick)
    quality_n = 30 if args.quick else args.quality_n
    lines, details, record = [], [], {"runs": []}

    default = open_model(None)
    try:
        for name in mixtures if args.only in ("all", "default") else []:
            path = SHARED / "hierarchy" / f"{name}.csv"
            rows = read_mixture(path)
            base = baseline(rows, scorer)
            lines.append(row_of(f"baseline TF-IDF+KMeans k={base['k']}", name, base, base["nmi"]))
            ours = litreview_run(path, default, scorer, claims=claims, label="default")
            lines.append(row_of("litreview default (gemma)", name, ours, base["nmi"]))
            lines.append(row_of("  statistics alone", name, {**ours, **ours["stats_only"], "llm_calls": 0,
                                                             "tokens": 0, "seconds": 0}, base["nmi"])
                         if ours["stats_only"].get("nmi") is not None else "")
            details.append(("litreview default", ours))
            record["runs"] += [{"method": "baseline", "mixture": name, **base},
                               {"method": "default", **ours}]
            print(lines[-3], flush=True)
            print(lines[-2], flush=True)
    finally:
        default.close()

    if args.only in ("all", "quality") and args.quality.is_file():
        quality = open_model(args.quality)
        default = open_model(None)
        try:
            for name in ["dev_mixed"] if args.quick else args.quality_mixtures:
                path = subset(SHARED / "hierarchy" / f"{name}.csv", quality_n)
                label = f"{name}[:{quality_n}]"
                rows = read_mixture(path)
                base = baseline(rows, scorer)
                lines.append(row_of(f"baseline TF-IDF+KMeans k={base['k']}", label, base, base["nmi"]))
                small = litreview_run(path, default, scorer, claims=claims, label="default_subset",
                                      aspects=args.quality_aspects)
                lines.append(row_of("litreview default (gemma)", label, small, base["nmi"]))
                details.append(("litreview default", small))
                ours = litreview_run(path, quality, scorer, claims=claims, label="quality",
                                     aspects=args.quality_aspects)
                lines.append(row_of("litreview quality (qwen 1.5B)", label, ours, base["nmi"]))
                lines.append(row_of("  statistics alone", label, {**ours, **ours["stats_only"], "llm_calls": 0,
                                                                  "tokens": 0, "seconds": 0}, base["nmi"])
                             if ours["stats_only"].get("nmi") is not None else "")
                details.append(("litreview quality", ours))
                record["runs"] += [{"method": "baseline", "mixture": label, **base},
                                   {"method": "default", **small}, {"method": "quality", **ours}]
        finally:
            quality.close()
            default.close()
    elif args.only != "default":
        lines.append(f"| quality model not run: {args.quality} not found |")

    print("\n" + HEADER)
    print("\n".join(line for line in lines if line))
    for label, result in details:
        print_details(label, result)
    (OUT / f"hierarchy_bench_{args.only}.json").write_text(json.dumps(record, indent=1, default=str), encoding="utf-8")
    print(f"\nwritten: {OUT / f'hierarchy_bench_{args.only}.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
