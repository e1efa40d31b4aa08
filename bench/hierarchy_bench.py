"""Hierarchy figures: litreview side by side with a TF-IDF + KMeans baseline measured in the same run.

    .venv/bin/python bench/hierarchy_bench.py [--models none default quality] [--mixtures NAME ...]
        [--skip-throughput] [--skip-corpora] [--claims-check] [--quick]

Over every dev mixture (``bench/hierarchy_mixtures.py``: the shipped dev_cohen and dev_mixed plus 11 built by the
same recipe from ``../shared/data/screening``, written under bench/out/mixtures; gold topic = the review a study
came from, never shown to the model):

* **baseline**: TF-IDF + KMeans with k by silhouette over 3..12 (the mixtures README's classical baseline);
* **litreview** with each model (``none`` = statistics only; ``default`` = gemma-3-270m; ``quality`` =
  Qwen2.5-Coder-1.5B-Instruct), through ``evaluate_mixture`` (the code of ``litreview eval hierarchy``): HP / NMI /
  ARI of the best top-level aspect and of "Topic (finest level)", the chosen k, the uncategorised share, name
  quality (share of "Word: term, term" names, grounded share, gold-topic word match) and seconds per stage.

Mean AND worst per family (Cohen-style, mixed). Leave-one-mixture-out: no constant of the method was fitted to
these mixtures (k is the silhouette's argmax, a split must beat a Gaussian null at p < 0.1), so each mixture's score
is already a held-out score; the table says so rather than re-running an empty selection.

Also: embedding throughput at 1 and 2 threads (and TF-IDF+SVD for scale), the trees and facet assignments with
their evidence on ``../shared/data/pdfs/jose`` + ``varied`` and on ``synergy_Sep_2021.csv`` (every record), and
(``--claims-check``) the same build with and without the default model's claims on dev_cohen and dev_mixed.
Writes only under bench/out/. Timings depend on the machine's load (the 1-minute load average is printed).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import hierarchy_mixtures  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.metrics import silhouette_score  # noqa: E402

from litreview.hierarchy.evaluate import FINEST, evaluate_mixture, load_scorer, read_mixture, tree_lines  # noqa: E402

SHARED = hierarchy_mixtures.SHARED
SCORER = SHARED.parent / "notes" / "hierarchy_eval.py"
OUT = ROOT / "bench" / "out"
METRICS = ("harmonic_purity", "nmi", "ari")


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
    return {**metrics, "k": k, "seconds": round(time.perf_counter() - started, 1)}


def open_model(which: str):
    from litreview.llm import LlmSettings, open_engine
    from litreview.llm.model_store import FETCHABLE, QUALITY_KEY, default_model_path
    from litreview.paths import models_dir

    if which == "none":
        return None
    path = default_model_path() if which == "default" else models_dir() / FETCHABLE[QUALITY_KEY].filename
    if not path.is_file():
        return None
    return open_engine(LlmSettings(model_path=str(path)))


def summarise(result: dict) -> dict:
    """The figures of one litreview run: best top-level aspect, the finest Topic level, k, names, stages."""
    aspects = {a["name"]: a for a in result.get("aspects", [])}
    top = max((a for a in aspects.values() if a["name"] != FINEST), key=lambda a: a["harmonic_purity"])
    finest = aspects.get(FINEST, top)
    topic = aspects.get("Topic", top)
    return {"top": {m: top[m] for m in METRICS}, "top_aspect": top["name"], "finest": {m: finest[m] for m in METRICS},
            "k": topic["n_categories"], "uncategorised": topic["uncategorised_share"], "names": result["names"],
            "stages": result["stage_seconds"], "seconds": result["seconds"], "vectors": result["vectors"],
            "failed_calls": result["model_calls_failed"], "calls": result["model_calls"], "trees": result["trees"]}


def family_table(records: list[dict], pick, label: str) -> list[str]:
    """One line per family: mean / worst of each metric of ``pick(record)`` (None: not run)."""
    lines = []
    for family in ("cohen", "mixed"):
        rows = [pick(r) for r in records if r["family"] == family and pick(r) is not None]
        if not rows:
            continue
        cells = []
        for metric in METRICS:
            values = [row[metric] for row in rows]
            cells.append(f"{statistics.mean(values):.3f} / {min(values):.3f}")
        lines.append(f"| {label:34} | {family:5} | {len(rows):2} | " + " | ".join(cells) + " |")
    return lines


def run_mixtures(names: list[str], models: list[str], scorer, paths: dict[str, Path]) -> list[dict]:
    from litreview.embeddings import load_encoder

    encoder = load_encoder()
    records = []
    engines = {m: open_model(m) for m in models}
    try:
        for name in names:
            rows = read_mixture(paths[name])
            record = {"mixture": name, "family": hierarchy_mixtures.family(name), "n": len(rows),
                      "topics": len({r["topic"] for r in rows})}
            base = baseline(rows, scorer)
            record["baseline"] = {**{m: base[m] for m in METRICS}, "k": base["k"]}
            for model, engine in engines.items():
                if model != "none" and engine is None:
                    continue
                result = evaluate_mixture(paths[name], engine, scorer=scorer, claims=False,
                                          encoder_factory=lambda: encoder,
                                          predictions_path=OUT / f"hierarchy_{model}_{name}.json")
                record[model] = summarise(result)
                s = record[model]
                print(f"{name:18} {model:8} k {s['k']:2} (true {record['topics']:2}, baseline {base['k']:2})  "
                      f"top {s['top_aspect']}: HP {s['top']['harmonic_purity']:.3f} NMI {s['top']['nmi']:.3f} "
                      f"ARI {s['top']['ari']:.3f} | finest HP {s['finest']['harmonic_purity']:.3f} NMI "
                      f"{s['finest']['nmi']:.3f} | baseline HP {base['harmonic_purity']:.3f} NMI {base['nmi']:.3f} | "
                      f"uncat {s['uncategorised']:.3f} | names kw {s['names']['keyword_pattern_share']:.2f} grounded "
                      f"{s['names']['grounded_share']:.2f} gold {s['names']['gold_word_match_share']:.2f} | "
                      f"calls {s['calls']} failed {s['failed_calls']} | {s['stages']}", flush=True)
            records.append(record)
    finally:
        for engine in engines.values():
            if engine is not None:
                engine.close()
    return records


def report_mixtures(records: list[dict], models: list[str]) -> None:
    print("\n## Structure over the dev mixtures: mean / WORST (each score held out: nothing was fitted to them)")
    print("| method                             | family | n | HP | NMI | ARI |\n|---|---|---|---|---|---|")
    lines = family_table(records, lambda r: r["baseline"], "baseline TF-IDF+KMeans (k by silhouette)")
    for model in models:
        lines += family_table(records, lambda r, m=model: r[m]["top"] if m in r else None,
                              f"litreview {model}: best top-level aspect")
        lines += family_table(records, lambda r, m=model: r[m]["finest"] if m in r else None,
                              f"litreview {model}: Topic (finest level)")
        lines += family_table(records, lambda r, m=model: max((r[m]["top"], r[m]["finest"]),
                                                             key=lambda x: x["harmonic_purity"]) if m in r else None,
                              f"litreview {model}: best of the two")
    print("\n".join(lines))
    print("\n## Per mixture: chosen k (true k), uncategorised share, names")
    print("| mixture | true k | baseline k | " + " | ".join(f"{m} k / uncat / kw / grounded / gold" for m in models)
          + " |")
    for r in records:
        cells = []
        for m in models:
            if m in r:
                s = r[m]
                cells.append(f"{s['k']} / {s['uncategorised']:.3f} / {s['names']['keyword_pattern_share']:.2f} / "
                             f"{s['names']['grounded_share']:.2f} / {s['names']['gold_word_match_share']:.2f}")
            else:
                cells.append("-")
        print(f"| {r['mixture']} | {r['topics']} | {r['baseline']['k']} | " + " | ".join(cells) + " |")
    for m in models:
        runs = [r[m] for r in records if m in r]
        if not runs:
            continue
        mean = {key: statistics.mean(s["names"][key] for s in runs)
                for key in ("keyword_pattern_share", "grounded_share", "gold_word_match_share")}
        worst_uncat = max(s["uncategorised"] for s in runs)
        stages = {k: round(statistics.mean(s["stages"].get(k, 0) for s in runs), 2) for k in runs[0]["stages"]}
        print(f"\n{m}: names keyword-pattern {mean['keyword_pattern_share']:.3f}, grounded {mean['grounded_share']:.3f}, "
              f"gold word match {mean['gold_word_match_share']:.3f}; uncategorised mean "
              f"{statistics.mean(s['uncategorised'] for s in runs):.3f} worst {worst_uncat:.3f}; mean seconds per stage "
              f"{stages}; model calls {sum(s['calls'] for s in runs)} failed {sum(s['failed_calls'] for s in runs)}")
        first = next((r for r in records if r["mixture"] == "dev_cohen" and m in r), None)
        if first:
            print(f"  dev_cohen tree with {m}:")
            for tree in first[m]["trees"][:1]:
                print("    " + "\n    ".join(tree))


def throughput() -> dict:
    """Studies per second of the embedding model at 1 and 2 threads on dev_cohen (no cache), and TF-IDF+SVD."""
    from sklearn.decomposition import TruncatedSVD

    from litreview.embeddings import load_encoder

    rows = read_mixture(SHARED / "hierarchy" / "dev_cohen.csv")
    texts = [f"{r['title']}. {r['abstract']}" for r in rows]
    out = {"load_average": round(os.getloadavg()[0], 2), "studies": len(texts)}
    for threads in (1, 2):
        encoder = load_encoder(threads=threads)
        started = time.perf_counter()
        encoder.encode(texts)
        out[f"threads_{threads}"] = round(len(texts) / (time.perf_counter() - started), 1)
    started = time.perf_counter()
    matrix = TfidfVectorizer(sublinear_tf=True, min_df=2, ngram_range=(1, 2)).fit_transform(texts)
    TruncatedSVD(n_components=100, random_state=0).fit_transform(matrix)
    out["tfidf_svd"] = round(len(texts) / (time.perf_counter() - started), 1)
    print(f"\n## Embedding throughput (studies/s, {len(texts)} studies, load average {out['load_average']}): "
          f"1 thread {out['threads_1']}, 2 threads {out['threads_2']}; TF-IDF+SVD {out['tfidf_svd']}; "
          f"ratio 2 threads / TF-IDF {out['threads_2'] / out['tfidf_svd']:.3f}")
    return out


def corpora(models: list[str]) -> dict:
    """Trees and facet evidence on the real PDFs (jose + varied) and on every synergy_Sep_2021 record."""
    from litreview.hierarchy.build import build_hierarchy
    from litreview.hierarchy.evaluate import load_into
    from litreview.importing import import_paths
    from litreview.store import Library

    out = {}
    sep = list(csv.DictReader(open(SHARED / "screening" / "synergy_Sep_2021.csv", newline="", encoding="utf-8")))
    pdfs = sorted((SHARED / "pdfs" / "jose").glob("*.pdf")) + sorted((SHARED / "pdfs" / "varied").glob("*.pdf"))
    with tempfile.TemporaryDirectory(prefix="litreview-bench-") as scratch:
        for label in ("pdfs jose+varied", "synergy_Sep_2021 (all records)"):
            for model in models:
                engine = open_model(model)
                if model != "none" and engine is None:
                    continue
                folder = Path(scratch) / f"{label.split()[0]}-{model}"
                with Library(folder) as library:
                    if label.startswith("pdfs"):
                        import_paths(library, pdfs, workers=1)
                    else:
                        load_into(library, [{"study_id": r["record_id"], "title": r["title"], "abstract": r["abstract"]}
                                            for r in sep if r["title"] or r["abstract"]])
                    if engine is not None:
                        engine.record_to(library)
                    report = build_hierarchy(library, engine, aspects=5, depth=3)
                    lines = [line for a in report.aspects for line in tree_lines(library, report.hierarchy_id,
                                                                                  a.aspect_id)]
                    print(f"\n## {label}, {model} model: {report.studies} studies, {report.seconds} s "
                          f"{report.stage_seconds}, vectors {report.vectors}")
                    for note in report.notes:
                        print(f"  note: {note}")
                    print("  " + "\n  ".join(lines))
                    out[f"{label} / {model}"] = {"lines": lines, "notes": report.notes, "stages": report.stage_seconds}
                if engine is not None:
                    engine.close()
    return out


def claims_check(scorer, paths: dict[str, Path]) -> dict:
    """The same build with and without the default model's claims: claims must not make the structure worse."""
    engine = open_model("default")
    out = {}
    try:
        for name in ("dev_cohen", "dev_mixed"):
            for claims in (False, True):
                result = evaluate_mixture(paths[name], engine, scorer=scorer, claims=claims)
                s = summarise(result)
                out[f"{name} claims={claims}"] = s
                print(f"{name:10} claims {claims!s:5}: top HP {s['top']['harmonic_purity']:.3f} NMI "
                      f"{s['top']['nmi']:.3f} ARI {s['top']['ari']:.3f} | finest HP {s['finest']['harmonic_purity']:.3f}"
                      f" | names grounded {s['names']['grounded_share']:.2f}", flush=True)
    finally:
        if engine is not None:
            engine.close()
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=["none", "default", "quality"],
                        choices=("none", "default", "quality"))
    parser.add_argument("--mixtures", nargs="+", help="only these mixtures (default: all dev mixtures)")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-corpora", action="store_true")
    parser.add_argument("--claims-check", action="store_true", help="also build with the default model's claims")
    parser.add_argument("--quick", action="store_true", help="dev_mixed and cohen4_unbalanced, statistics only")
    args = parser.parse_args(argv)
    if not SCORER.is_file():
        print(f"reference scorer not found at {SCORER}", file=sys.stderr)
        return 2
    scorer = load_scorer(SCORER)
    OUT.mkdir(parents=True, exist_ok=True)
    paths = hierarchy_mixtures.write_all()
    models = ["none"] if args.quick else args.models
    names = ["dev_mixed", "cohen4_unbalanced"] if args.quick else (args.mixtures or list(paths))
    record: dict = {"load_average_start": round(os.getloadavg()[0], 2)}
    if not args.skip_throughput:
        record["throughput"] = throughput()
    record["mixtures"] = run_mixtures(names, models, scorer, paths)
    report_mixtures(record["mixtures"], models)
    if args.claims_check:
        record["claims"] = claims_check(scorer, paths)
    if not (args.skip_corpora or args.quick):
        record["corpora"] = corpora(models)
    target = OUT / "hierarchy_bench.json"
    target.write_text(json.dumps(record, indent=1, default=str), encoding="utf-8")
    print(f"\nwritten: {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
