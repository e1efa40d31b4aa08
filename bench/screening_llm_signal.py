"""Does an LLM relevance signal add to screening? Measured before it is built into the ranking.

    .venv/bin/python bench/screening_llm_signal.py [--model PATH.gguf] [--chat] [--only NAME] [--seeds 5]

The labelled datasets carry no review question, so this bench states one per dataset, taken from the published
review's title and scope (below). For every record the engine's ``choose`` gives P(" yes") to "does this record
meet the criteria?" (the protocol first, so llama.cpp reuses its KV cache; the record's text is untrusted and
only " yes" or " no" can come back). Printed per dataset:

* AUC of the LLM's P(yes) against the final inclusion labels, beside BM25 on the same question (the cold-start
  ranking the app already has) and a random ranking (0.5);
* WSS@95 and ATD of the full simulation (same seeds and priors as screening_bench) with each signal as the
  ranking prior (faded by 1 / (1 + includes), as the app blends BM25), and with no prior (the default bench run).

The LLM signal joins the ranking only if it beats BM25 here. Writes bench/out/screening_llm_signal_MODEL.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.screening_bench import DATA, OUT  # noqa: E402
from litreview.screening.features import bm25_scores, tfidf_matrix  # noqa: E402
from litreview.screening.labelled import load_labelled, pick_priors  # noqa: E402
from litreview.screening.metrics import screening_metrics  # noqa: E402
from litreview.screening.model import ActiveLearner  # noqa: E402
from litreview.screening.simulate import simulate_order  # noqa: E402

QUESTIONS = {
    "synergy_Sep_2021.csv": (
        "Which variables affect rodents' performance in the object-in-context recognition memory task?",
        "Studies in rats or mice that test object-in-context (contextual object recognition) memory."),
    "cohen2006/Cohen_2006_Antihistamines.csv.gz": (
        "How do the newer (second-generation) antihistamines compare in efficacy and safety?",
        "Trials of newer antihistamines (cetirizine, desloratadine, fexofenadine, levocetirizine, loratadine) "
        "for allergic rhinitis or urticaria reporting efficacy or adverse effects."),
}


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Probability that a random relevant record outscores a random irrelevant one (ties count half)."""
    from scipy.stats import rankdata

    ranks = rankdata(scores)
    positives = labels == 1
    n_pos, n_neg = int(positives.sum()), int((~positives).sum())
    return float((ranks[positives].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def llm_scores(engine, question: str, inclusion: str, titles: list[str], abstracts: list[str],
               chat: bool) -> np.ndarray:
    head = f"A systematic review screens records.\nReview question: {question}\nInclusion criteria: {inclusion}\n\n"
    ask = "Does this record meet the inclusion criteria?"
    values = []
    for title, abstract in zip(titles, abstracts):
        record = f"Record title: {title}\nAbstract: {abstract[:700]}\n\n{ask}"
        if chat:  # instruct models: the protocol as the system turn (shared prefix), the record as the user turn
            messages = [{"role": "system", "content": head + "Answer yes or no."}, {"role": "user", "content": record}]
            values.append(engine.choose(messages, ["yes", "no"], stage="bench-screening-signal")["yes"])
        else:
            prompt = head + record + " Answer:"
            values.append(engine.choose(prompt, [" yes", " no"], stage="bench-screening-signal")[" yes"])
    return np.asarray(values)


def simulated(dataset, X, prior: np.ndarray | None, seeds: int) -> dict:
    rows = []
    for seed in range(seeds):
        priors = pick_priors(dataset.labels, seed)
        order = simulate_order(ActiveLearner(X, prior), dataset.labels, priors)
        rows.append(screening_metrics(order, dataset.labels, priors))
    return {k: float(np.mean([r[k] for r in rows])) for k in ("wss95", "atd")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=None, help="GGUF file (default: the small default model)")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--chat", action="store_true", help="ask in chat turns (instruct models)")
    parser.add_argument("--only", default="", help="run only the datasets whose file name contains this")
    args = parser.parse_args()
    from litreview.llm import LlmSettings, open_engine

    results = {}
    with open_engine(LlmSettings(model_path=str(args.model) if args.model else None)) as engine:
        model = args.model.name if args.model else "default model"
        for name, (question, inclusion) in QUESTIONS.items():
            if args.only not in name:
                continue
            dataset = load_labelled(DATA / name)
            started = time.perf_counter()
            llm = llm_scores(engine, question, inclusion, dataset.titles, dataset.abstracts, args.chat)
            seconds = time.perf_counter() - started
            bm25 = bm25_scores(dataset.texts, f"{question} {inclusion}")
            X = tfidf_matrix(dataset.texts)
            row = {"records": len(dataset), "llm_seconds_per_record": seconds / len(dataset),
                   "auc_llm": auc(llm, dataset.labels), "auc_bm25": auc(bm25, dataset.labels),
                   "no_prior": simulated(dataset, X, None, args.seeds),
                   "bm25_prior": simulated(dataset, X, bm25, args.seeds),
                   "llm_prior": simulated(dataset, X, llm, args.seeds)}
            results[dataset.name] = row
            print(f"{dataset.name} ({len(dataset)} records, {model}, {row['llm_seconds_per_record']:.2f} s/record): "
                  f"AUC LLM {row['auc_llm']:.3f} vs BM25 {row['auc_bm25']:.3f} (random 0.5); WSS@95 / ATD with no"
                  f" prior {row['no_prior']['wss95']:.1f} / {row['no_prior']['atd']:.1f}, BM25 prior"
                  f" {row['bm25_prior']['wss95']:.1f} / {row['bm25_prior']['atd']:.1f}, LLM prior"
                  f" {row['llm_prior']['wss95']:.1f} / {row['llm_prior']['atd']:.1f}", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / f"screening_llm_signal_{Path(model).stem.replace(' ', '_')}.json"
    target.write_text(json.dumps({"model": model, "datasets": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
