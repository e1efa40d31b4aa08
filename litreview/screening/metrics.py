"""Screening metrics, exactly as ``../shared/notes/screening-metrics.md`` defines them (the contract).

Every ranker (ours, ASReview's, a baseline) is scored by these functions from nothing but its screening
order, so the numbers compare. Priors are removed from the order and counted nowhere; records never screened
are appended at the end, which is allowed only when none of them is relevant.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from litreview.errors import InputError


class MetricsError(InputError):
    """The order cannot be scored (no relevant record left after the priors, a relevant record never screened)."""


def post_prior_sequence(order: Sequence[int], labels: ArrayLike, priors: Sequence[int]) -> list[int]:
    """The rows screened after the priors, each once, completed with the never-screened rows in file order.

    A ranker may stop at the last relevant record (ASReview does); the completed sequence is what a reviewer
    who kept screening would have seen, so stopping rules replayed on it see the whole collection.
    """
    labels = np.asarray(labels, dtype=int)
    prior_set = set(int(p) for p in priors)
    seen: set[int] = set()
    sequence: list[int] = []
    for row in order:
        row = int(row)
        if row in prior_set or row in seen:
            continue
        seen.add(row)
        sequence.append(row)
    unscreened = [r for r in range(len(labels)) if r not in seen and r not in prior_set]
    if any(labels[r] == 1 for r in unscreened):
        raise MetricsError("a relevant record was never screened: the order must reach every relevant record")
    return sequence + unscreened


def post_prior_positions(order: Sequence[int], labels: ArrayLike, priors: Sequence[int]) -> tuple[np.ndarray, int]:
    """1-based positions of the relevant records in the order with the priors removed, and N."""
    sequence = np.asarray(post_prior_sequence(order, labels, priors), dtype=int)
    return np.flatnonzero(np.asarray(labels)[sequence] == 1) + 1, len(sequence)


def metrics_from_positions(positions: np.ndarray, n: int) -> dict[str, float]:
    """WSS@95, RRF@10, ATD (percentages), loss and the position counts, from relevant positions and N."""
    r = len(positions)
    if r == 0 or n == 0:
        raise MetricsError("no relevant record left after the priors: the metrics are undefined")
    positions = np.sort(np.asarray(positions, dtype=float))
    k = math.ceil(0.95 * r)
    r95 = positions[k - 1]
    first_tenth = math.floor(0.10 * n)
    found_sum = float(np.sum(n - positions + 1))  # sum over t of found(t): each record counts from its position on
    loss = (r * (n - (r - 1) / 2) - found_sum) / (r * (n - r)) if n > r else 0.0
    return {
        "wss95": float(100.0 * ((n - r95) / n - 0.05)),
        "rrf10": 100.0 * float(np.sum(positions <= first_tenth)) / r,
        "atd": 100.0 * float(np.mean(positions)) / n,
        "atd_records": float(np.mean(positions)),
        "loss": float(loss),
        "records_to_first_relevant": int(positions[0]),
        "records_to_95": int(r95),
        "records_to_100": int(positions[-1]),
        "recall_at_100": 100.0 * float(np.sum(positions <= 100)) / r,
        "tnr95": float(100.0 * (n - r95 - (r - k)) / (n - r)) if n > r else 100.0,
        "wss95_ferdinands": float(100.0 * (k / r - r95 / n)),
    }


def screening_metrics(order: Sequence[int], labels: ArrayLike, priors: Sequence[int]) -> dict[str, float]:
    """All contract metrics for one simulated run (``order`` may include the priors; they are dropped)."""
    positions, n = post_prior_positions(order, labels, priors)
    return metrics_from_positions(positions, n)


def recall_at_stop(order: Sequence[int], labels: ArrayLike, priors: Sequence[int], stop: int) -> tuple[float, float]:
    """Recall (%) and share of N screened (%) when screening stops after ``stop`` post-prior records."""
    return share_at_stop(*post_prior_positions(order, labels, priors), stop)


def share_at_stop(positions: np.ndarray, n: int, stop: int) -> tuple[float, float]:
    """``recall_at_stop`` from the relevant records' post-prior positions and N."""
    if len(positions) == 0 or n == 0:
        raise MetricsError("no relevant record left after the priors")
    return 100.0 * float(np.sum(positions <= stop)) / len(positions), 100.0 * min(stop, n) / n
