"""Replaying screening on a labelled dataset: the same ranking core as the app, the oracle's labels as decisions.

Per seed: start from the priors ``labelled.pick_priors`` draws (identical to ASReview's), then repeatedly
screen the top-ranked unscreened record and retrain, until the last relevant record is found (ASReview's
``last_relevant`` stopper); the rest, all irrelevant, is appended in the final ranking's order. The order is
then scored by ``metrics`` (the contract) and the stopping rule is replayed on it: the rule sees what the app
would (the priors first, then the order, out of all records), and its stop is measured on the contract's terms
(the records after the priors: share screened, and recall of the relevant records not known beforehand).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from litreview.jobs import CancelToken, ProgressCallback, ProgressEvent, no_progress
from litreview.screening.features import tfidf_matrix
from litreview.screening.labelled import LabelledDataset, pick_priors
from litreview.screening.metrics import metrics_from_positions, post_prior_sequence, share_at_stop
from litreview.screening.model import ActiveLearner, best_candidate, order_by_score
from litreview.screening.stop_rule import ranked_stop_position
from litreview.screening.stopping import n_in_a_row_position

SUMMARY_KEYS = ("wss95", "rrf10", "atd", "loss", "records_to_first_relevant", "stop_recall", "stop_fraction")
TARGET, CONFIDENCE = 0.95, 0.95


@dataclass
class SeedRun:
    seed: int
    priors: list[int]
    order: list[int]            # every row once, priors first
    metrics: dict[str, float]
    stop: int                   # post-prior records screened when the stopping rule suggests stopping
    stop_recall: float          # % of the post-prior relevant records found by then
    stop_fraction: float        # % of the post-prior records screened by then
    row100: dict[str, float] = field(default_factory=dict)  # the same for "100 irrelevant in a row"
    seconds: float = 0.0


def simulate_order(learner: ActiveLearner, labels: np.ndarray, priors: Sequence[int],
                   cancel: CancelToken | None = None, progress: ProgressCallback = no_progress,
                   stage: str = "simulate") -> list[int]:
    """The screening order (priors first, then every row once) that ``learner`` produces with the oracle."""
    labels = np.asarray(labels, dtype=int)
    n = len(labels)
    screened = np.zeros(n, dtype=bool)
    order = [int(p) for p in priors]
    screened[order] = True
    to_find = int(labels.sum()) - int(labels[order].sum())
    scores = learner.scores(np.asarray(order), labels[order])
    while to_find > 0:
        if cancel is not None:
            cancel.check()
        row = best_candidate(scores, np.flatnonzero(~screened))
        order.append(row)
        screened[row] = True
        to_find -= int(labels[row])
        if to_find > 0:
            scores = learner.scores(np.asarray(order), labels[order])
        progress(ProgressEvent(stage, len(order), n))
    order.extend(int(r) for r in order_by_score(scores, np.flatnonzero(~screened)))
    return order


def simulate_seed(dataset: LabelledDataset, seed: int, X=None, blank_rule: bool = True,
                  prior_counts: tuple[int, int] = (1, 1), cancel: CancelToken | None = None,
                  progress: ProgressCallback = no_progress, target: float = TARGET,
                  confidence: float = CONFIDENCE) -> SeedRun:
    started = time.perf_counter()
    X = tfidf_matrix(dataset.texts) if X is None else X
    priors = pick_priors(dataset.labels, seed, *prior_counts)
    order = simulate_order(ActiveLearner(X, blank_rule=blank_rule), dataset.labels, priors, cancel, progress,
                           stage=f"seed {seed}")
    return score_order(dataset.labels, seed, priors, order, time.perf_counter() - started, target, confidence)


def score_order(labels: np.ndarray, seed: int, priors: list[int], order: list[int], seconds: float = 0.0,
                target: float = TARGET, confidence: float = CONFIDENCE) -> SeedRun:
    """Contract metrics plus both stopping rules for one order (ours or anyone's)."""
    labels = np.asarray(labels)
    post_labels = labels[post_prior_sequence(order, labels, priors)]  # computed once, used four times
    positions, n = np.flatnonzero(post_labels == 1) + 1, len(post_labels)
    metrics = metrics_from_positions(positions, n)
    seen = np.concatenate([labels[list(priors)], post_labels])
    stop = max(0, ranked_stop_position(seen, len(seen), target, confidence, start=len(priors)) - len(priors))
    stop_recall, stop_fraction = share_at_stop(positions, n, stop)
    row100 = n_in_a_row_position(post_labels.tolist(), 100)
    recall100, fraction100 = share_at_stop(positions, n, row100)
    return SeedRun(seed, priors, order, metrics, stop, stop_recall, stop_fraction,
                   {"stop": row100, "recall": recall100, "fraction": fraction100}, seconds)


def simulate(dataset: LabelledDataset, seeds: int = 5, prior_counts: tuple[int, int] = (1, 1),
             blank_rule: bool = True, cancel: CancelToken | None = None,
             progress: ProgressCallback = no_progress, target: float = TARGET,
             confidence: float = CONFIDENCE) -> tuple[dict, list[SeedRun]]:
    """Run ``seeds`` seeds (0 .. seeds-1); returns the summary (the CLI's JSON) and the per-seed runs."""
    started = time.perf_counter()
    X = tfidf_matrix(dataset.texts)
    runs = [simulate_seed(dataset, seed, X, blank_rule, prior_counts, cancel, progress, target, confidence)
            for seed in range(seeds)]
    return summarise(dataset, runs, time.perf_counter() - started, target), runs


def summarise(dataset: LabelledDataset, runs: list[SeedRun], seconds: float, target: float = TARGET) -> dict:
    """Means over the runs, each run's own figures (a mean hides the run that stopped short), and the share of
    runs whose suggested stop reached the target recall."""
    summary: dict = {"dataset": dataset.name, "n": len(dataset), "n_included": int(dataset.labels.sum()),
                     "seeds": len(runs)}
    for key in SUMMARY_KEYS:
        values = [getattr(run, key) if key.startswith("stop_") else run.metrics[key] for run in runs]
        summary[key] = round(float(np.mean(values)), 4)
    summary["target_recall"] = target
    summary["stop_reached_target"] = round(float(np.mean([run.stop_recall >= 100 * target - 1e-9 for run in runs])), 4)
    summary["runs"] = [{"seed": run.seed, "wss95": round(run.metrics["wss95"], 4), "atd": round(run.metrics["atd"], 4),
                        "stop_position": run.stop, "stop_recall": round(run.stop_recall, 4),
                        "stop_fraction": round(run.stop_fraction, 4)} for run in runs]
    summary["seconds"] = round(seconds, 2)
    return summary
