"""The ranking core: scores for every record from the decisions so far. Pure arrays in, arrays out.

The same code ranks a real library (``ranking.Ranker``) and a simulation (``simulate``), so what the bench
measures is what users get.

* Cold start (no include or no exclude yet): BM25 of each record against the protocol text; without a
  protocol, file order (the caller says which).
* Active learning (>= 1 include and >= 1 exclude), retrained from scratch after every decision on one TF-IDF
  matrix computed once (a fit on the labelled rows plus one sparse product: milliseconds). The classifier is
  ASReview's ELAS u4 linear SVM (C = 0.11, relevant records weighted 9.8x in total, tuned by its authors on 26
  SYNERGY reviews, none of which we bench on), queried "max" (best first).
* Records with no usable words (no title, no abstract: 3-4 % of the Cohen drug reviews, and some of them are
  included) give the classifier nothing to read, so its score for them is its intercept, which ranks them near
  the end: an ELAS ranking finds such a relevant record only after most of the collection. We rank them by the
  probability ranking principle instead: a blank record is as likely to be relevant as the collection's known
  base rate (found / records), and it goes to the top once the ranking's current discovery rate (the stopping
  model's posterior mean, ``stopping.discovery_rate``) has fallen below that. Early the ranking beats the base
  rate and they wait; in the tail they are the better bet. Screened blank records stay out of the classifier's
  fit: a row of zeros would only move its intercept (and did cost UrinaryIncontinence 8 points).
  Whether the blank records already screened should lower that estimate (a Beta prior worth
  ``BLANK_PRIOR_WEIGHT`` records, updated by them) was judged leave-one-dataset-out on 16 dev datasets
  (bench/screening_bench.py, weights 0.5-32 and infinity): every fold chose infinity, i.e. no update (held-out
  mean WSS@95 37.95 against 37.22 for the weight 2 used before; worst fold -2.3), so the base rate stands.
* A BM25 prior (only when there is a protocol) is blended in with a weight that fades as includes accumulate
  (1 / (1 + includes)): it carries the reviewer's stated intent while the classifier knows little, and gets
  out of the way once it knows more.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import sparse
from sklearn.svm import LinearSVC

from litreview.screening.stopping import discovery_rate

BLANK_PRIOR_WEIGHT = math.inf  # the base rate, not updated by screened blank records (see above)


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
    """Scores all records of one fixed set (its TF-IDF matrix and optional BM25 prior) from labelled rows.

    ``blank_rule=False`` gives ELAS u4 alone (the bench's baseline, identical to ASReview's default model).
    """

    def __init__(self, X: sparse.csr_matrix, prior: np.ndarray | None = None, blank_rule: bool = True):
        self.X = X.tocsr()
        self.prior = None if prior is None or not np.any(prior) else np.asarray(prior, dtype=float)
        self.blank = np.asarray(self.X.getnnz(axis=1) == 0) if blank_rule else np.zeros(self.X.shape[0], bool)

    def readable(self, labelled: np.ndarray) -> np.ndarray:
        """Mask of the labelled rows the classifier can read (a blank row would only move its intercept)."""
        return ~self.blank[np.asarray(labelled, dtype=int)]

    def can_learn(self, labelled: np.ndarray, labels: np.ndarray) -> bool:
        """At least one include and one exclude among the records the classifier can read."""
        taught = np.asarray(labels)[self.readable(labelled)]
        return bool(np.any(taught == 1) and np.any(taught == 0))

    def scores(self, labelled: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """Higher = screen sooner. ``labelled`` are row indices in screening order, ``labels`` their 0/1 decisions."""
        labelled = np.asarray(labelled, dtype=int)
        labels = np.asarray(labels, dtype=int)
        if not self.can_learn(labelled, labels):
            return self.cold_scores()
        readable = self.readable(labelled)
        total = svm_scores(self.X, labelled[readable], labels[readable])
        if self.prior is not None:
            total = _standardise(total) + _standardise(self.prior) / (1.0 + float(np.sum(labels == 1)))
        if self.blank.any() and discovery_rate(labels) < self.blank_relevance(labelled, labels):
            total[self.blank] = total.max() + 1.0
        return total

    def blank_relevance(self, labelled: np.ndarray, labels: np.ndarray) -> float:
        """Probability that an unscreened blank record is relevant: the base rate found / records (as a Beta prior
        worth ``BLANK_PRIOR_WEIGHT`` records updated by the blank records screened so far; infinite = no update)."""
        base_rate = float(np.sum(labels == 1)) / self.X.shape[0]
        if math.isinf(BLANK_PRIOR_WEIGHT):
            return base_rate
        seen = self.blank[labelled]
        return (float(labels[seen].sum()) + BLANK_PRIOR_WEIGHT * base_rate) / (float(seen.sum()) + BLANK_PRIOR_WEIGHT)

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
