"""The ranking core: scores for every record from the decisions so far. Pure arrays in, arrays out.

The same code ranks a real library (``ranking.Ranker``) and a simulation (``simulate``), so what the bench
measures is what users get.

* Cold start (no include or no exclude yet): BM25 of each record against the protocol text; without a
  protocol, file order (the caller says which).
* Active learning (>= 1 include and >= 1 exclude), retrained from scratch after every decision on one TF-IDF
  matrix computed once (a fit on the labelled rows plus one sparse product: milliseconds):

  - the classifier is ASReview's ELAS u4 linear SVM (C = 0.11, relevant records weighted 9.8x in total,
    tuned by its authors on 26 SYNERGY reviews, none of which we bench on), queried "max" (best first);
  - what we add is Cormack & Grossman's AutoTAR/BMI device (the TREC Total Recall baseline): at every
    retraining, 100 random unscreened records join the training set "temporarily labelled irrelevant".
    At 1-5 % prevalence they almost all are, and they show the classifier what the collection at large looks
    like, which one or two real exclusions cannot; later they keep the model from over-trusting the
    few, atypical records reviewers happened to exclude. The draw is seeded by the number of decisions,
    so a ranking is reproducible.

* A BM25 prior (only when there is a protocol) is blended in with a weight that fades as includes accumulate
  (1 / (1 + includes)): it carries the reviewer's stated intent while the classifier knows little, and gets
  out of the way once it knows more.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.svm import LinearSVC

COMPONENTS = ("svm+bg",)
"""Ensemble members, standardised and averaged: "svm" (ELAS u4) trained on the decisions, "svm+bg" the same
with the background pseudo-negatives. Kept as a tuple so the bench can run ELAS u4 alone as its baseline."""

PSEUDO_NEGATIVES = 100


def balanced_weights(y: np.ndarray, ratio: float) -> np.ndarray:
    """ASReview's ``Balanced`` sample weights: relevant rows carry ``ratio`` times the irrelevant rows' total."""
    n_relevant, n_irrelevant = int(np.sum(y == 1)), int(np.sum(y == 0))
    weights = np.where(y == 1, 1.0, n_relevant / (ratio * n_irrelevant))
    return weights * (len(y) / weights.sum())


def _standardise(values: np.ndarray) -> np.ndarray:
    spread = values.std()
    return (values - values.mean()) / spread if spread > 0 else np.zeros_like(values)


def svm_scores(X: sparse.csr_matrix, train: np.ndarray, y: np.ndarray) -> np.ndarray:
    """ELAS u4: linear SVM decision values for every row."""
    model = LinearSVC(C=0.11, loss="squared_hinge", dual="auto")
    model.fit(X[train], y, sample_weight=balanced_weights(y, 9.8))
    return np.asarray(X @ model.coef_.ravel()).ravel() + model.intercept_[0]


class ActiveLearner:
    """Scores all records of one fixed set (its TF-IDF matrix and optional BM25 prior) from labelled rows."""

    def __init__(self, X: sparse.csr_matrix, prior: np.ndarray | None = None, components: Sequence[str] = COMPONENTS,
                 pseudo_negatives: int = PSEUDO_NEGATIVES):
        unknown = set(components) - {"svm", "svm+bg"}
        if unknown or not components:
            raise ValueError(f"unknown ranking components: {sorted(unknown) or 'none given'}")
        self.X = X.tocsr()
        self.prior = None if prior is None or not np.any(prior) else np.asarray(prior, dtype=float)
        self.components = tuple(components)
        self.pseudo_negatives = pseudo_negatives

    @staticmethod
    def can_learn(labels: np.ndarray) -> bool:
        return bool(np.any(labels == 1) and np.any(labels == 0))

    def scores(self, labelled: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """Higher = screen sooner. ``labelled`` are row indices, ``labels`` their 0/1 decisions."""
        labelled = np.asarray(labelled, dtype=int)
        labels = np.asarray(labels, dtype=int)
        if not self.can_learn(labels):
            return self.cold_scores()
        total = np.zeros(self.X.shape[0])
        for name in self.components:
            train, y = self.with_background(labelled, labels) if name == "svm+bg" else (labelled, labels)
            total += _standardise(svm_scores(self.X, train, y))
        total /= len(self.components)
        if self.prior is not None:
            total += _standardise(self.prior) / (1.0 + float(np.sum(labels == 1)))
        return total

    def with_background(self, labelled: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The labelled rows plus up to ``pseudo_negatives`` random unscreened rows labelled irrelevant."""
        unlabelled = np.setdiff1d(np.arange(self.X.shape[0]), labelled)
        count = min(self.pseudo_negatives, len(unlabelled))
        if count <= 0:
            return labelled, labels
        extra = np.random.default_rng(len(labelled)).choice(unlabelled, count, replace=False)
        return np.concatenate([labelled, extra]), np.concatenate([labels, np.zeros(count, dtype=int)])

    def cold_scores(self) -> np.ndarray:
        """Before the first include and exclude: the BM25 prior, or all equal (file order) without one."""
        return self.prior.copy() if self.prior is not None else np.zeros(self.X.shape[0])


def order_by_score(scores: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Candidates best first; equal scores keep file order (stable, deterministic)."""
    candidates = np.asarray(candidates, dtype=int)
    return candidates[np.lexsort((candidates, -scores[candidates]))]


def best_candidate(scores: np.ndarray, candidates: np.ndarray) -> int:
    """The top of ``order_by_score`` without sorting; ``candidates`` ascending, so ties go to the first row."""
    values = scores[candidates]
    return int(candidates[np.flatnonzero(values == values.max())[0]])
