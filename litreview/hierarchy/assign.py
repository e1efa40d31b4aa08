"""Assignment: how well each category of an aspect fits each study, decided multi-label from statistics.

CHIME's assignment by the generating LLM was its weak point (P 0.71 / R 0.53), the small default model is worse
than statistics at picking a topic, and asking the quality model about every study costs ~5 s per study and
aspect on this machine (the budget of a 150-study build allows none of it). So the decision is statistical:

1. Scores: cosine of the study to the category centroid and mean cosine to its nearest members (both
   leave-one-out for a member, so a study never votes for itself), and to the category's name + description
   when it has no members.
2. Calibration: a logistic model fitted on the build's own categories (member = positive, other categories =
   negative) turns the scores into a probability, so one threshold (0.5) means the same in every library.
3. Decision: the best category is the primary one unless even it is improbable (then the study is listed as
   uncategorised, not forced); further categories whose probability passes the threshold are added.

Nothing a study's text says can create, rename or select a category: only vectors are compared.
"""

from __future__ import annotations

from collections.abc import Hashable, Set
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from litreview.jobs import CancelToken, ProgressEvent, no_progress

THRESHOLD = 0.5             # calibrated probability above which a category is assigned
UNCATEGORISED_BELOW = 0.1   # a study whose best category is less likely than this fits nowhere
MAX_LABELS = 3
NEIGHBOURS = 5


@dataclass
class CategoryProfile:
    """A category as assignment sees it. ``members``: indices of studies known to belong (the cluster, or the
    user's assignments); ``fixed``: locked by the user, so its memberships are kept and never recomputed."""

    key: Hashable
    name: str
    description: str = ""
    members: list[int] = field(default_factory=list)
    fixed: bool = False


@dataclass
class Decision:
    study: int            # index into the studies being assigned
    key: Any              # CategoryProfile.key (the build uses list indices)
    label: int            # 1 = assigned, 0 = rejected by the verifier
    score: float          # final probability
    primary: bool = False
    source: str = "stats"


@dataclass
class AssignmentResult:
    decisions: list[Decision]
    probabilities: np.ndarray                # (studies, categories) calibrated statistics only
    stats_primary: list[Any]                 # keys (or None) statistics alone would have chosen (for the bench)
    uncategorised: list[int]


def similarity_features(vectors: np.ndarray, profiles: list[CategoryProfile],
                        described: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(centroid cosine, nearest-member cosine), each (studies, categories); leave-one-out for members.
    A category without members is scored against its projected name + description (``described`` row)."""
    n, c = len(vectors), len(profiles)
    centroid = np.zeros((n, c))
    nearest = np.zeros((n, c))
    for j, profile in enumerate(profiles):
        members = [m for m in profile.members if 0 <= m < n]
        if not members:
            if described is not None:
                centroid[:, j] = nearest[:, j] = vectors @ described[j]
            continue
        block = vectors[members]
        total = block.sum(axis=0)
        sims = vectors @ block.T                      # (n, m)
        loo = np.tile(total, (n, 1))
        for pos, m in enumerate(members):
            loo[m] -= vectors[m]
            sims[m, pos] = -np.inf
        norms = np.linalg.norm(loo, axis=1)
        centroid[:, j] = np.where(norms > 0, np.einsum("ij,ij->i", vectors, loo) / np.maximum(norms, 1e-12), 0.0)
        k = min(NEIGHBOURS, len(members))
        top = -np.sort(-sims, axis=1)[:, :k]
        finite = np.isfinite(top)
        counts = finite.sum(axis=1)
        nearest[:, j] = np.where(counts > 0, np.where(finite, top, 0.0).sum(axis=1) / np.maximum(counts, 1), 0.0)
    return centroid, nearest


class Calibrator:
    """Platt scaling of the similarity features on the build's own memberships."""

    def __init__(self) -> None:
        self.model: LogisticRegression | None = None

    def fit(self, centroid: np.ndarray, nearest: np.ndarray, profiles: list[CategoryProfile]) -> Calibrator:
        x, y = [], []
        for j, profile in enumerate(profiles):
            members = set(profile.members)
            if not members:
                continue
            for i in range(centroid.shape[0]):
                x.append((centroid[i, j], nearest[i, j]))
                y.append(1 if i in members else 0)
        if len(set(y)) == 2:
            self.model = LogisticRegression(C=10.0).fit(np.array(x), np.array(y))
        return self

    def probabilities(self, centroid: np.ndarray, nearest: np.ndarray) -> np.ndarray:
        if self.model is None:  # nothing to learn from (a single category): rank by similarity alone
            return np.clip((centroid + nearest) / 2, 0.0, 1.0)
        flat = np.column_stack([centroid.ravel(), nearest.ravel()])
        return self.model.predict_proba(flat)[:, 1].reshape(centroid.shape)


def assign(vectors: np.ndarray, profiles: list[CategoryProfile], *,
           rejected: Set[tuple[int, Hashable]] = frozenset(), described: np.ndarray | None = None,
           only: list[int] | None = None, progress=no_progress, cancel: CancelToken | None = None,
           stage: str = "hierarchy.assign", calibrator: Calibrator | None = None,
           max_labels: int = MAX_LABELS) -> AssignmentResult:
    """Decide the categories of the studies ``only`` (default: all rows of ``vectors``).

    ``rejected``: (study index, category key) pairs the user removed; they are never assigned again.
    ``max_labels``: 1 where the categories are not separate groups (a division for reading): there, calibrated
    probabilities hover near 0.5 and would put a third of the studies in two places (measured on 46 PDFs).
    """
    rows = list(range(len(vectors))) if only is None else list(only)
    centroid, nearest = similarity_features(vectors, profiles, described)
    calibrator = calibrator or Calibrator().fit(centroid, nearest, profiles)
    probs = calibrator.probabilities(centroid, nearest)
    for i, key in rejected:
        for j, profile in enumerate(profiles):
            if profile.key == key and 0 <= i < len(probs):
                probs[i, j] = 0.0
    decisions: list[Decision] = []
    stats_primary: list[Any] = []
    uncategorised: list[int] = []
    for done, i in enumerate(rows):
        if cancel is not None and done % 100 == 0:
            cancel.check()
        p = probs[i]
        order = [j for j in np.argsort(-p) if p[j] >= UNCATEGORISED_BELOW][:max_labels]
        picked = [j for n_, j in enumerate(order) if n_ == 0 or p[j] >= THRESHOLD]
        stats_primary.append(profiles[picked[0]].key if picked else None)
        if not picked:
            uncategorised.append(i)
        for rank, j in enumerate(picked):
            decisions.append(Decision(i, profiles[j].key, 1, round(float(p[j]), 4), rank == 0, "stats"))
    progress(ProgressEvent(stage, len(rows), len(rows)))
    return AssignmentResult(decisions, probs, stats_primary, uncategorised)
