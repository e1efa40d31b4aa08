"""Ranking a library's unscreened studies: the pure core in ``model`` applied to the studies and decisions.

A ``Ranker`` vectorises the library's titles and abstracts once (the slow part, seconds at 10,000 records) and
then re-reads only the title/abstract decisions and the protocol on every ``rank()``, so re-ranking after a
decision is a classifier fit plus a sparse product. The desktop app keeps one Ranker per library; it notices
new or edited studies and rebuilds itself.

While a random check runs (``random_check``), the records it still needs come first, in its random order: that
is what makes them a random sample.
"""

from __future__ import annotations

import hashlib

import numpy as np
from scipy import sparse

from litreview.screening.decisions import decisions
from litreview.screening.features import bm25_scores, tfidf_matrix
from litreview.screening.model import ActiveLearner, order_by_score
from litreview.screening.protocol import get_protocol, ranking_query
from litreview.screening.random_check import check_progress, next_in_check, random_check
from litreview.screening.settings import stopping_settings
from litreview.store import Library

LABELS = {"include": 1, "exclude": 0}  # "maybe" is screened but teaches the model nothing either way
RANKER = ("active learning retrained after every decision: TF-IDF of word 1-2-grams and a linear SVM with "
          "ASReview LAB's default (ELAS u4) settings, records without title and abstract ranked by the base rate, "
          "a BM25 match with the review question before the first include and exclude")


def _record_text(title: str | None, abstract: str | None) -> str:
    return f"{title or ''} {abstract or ''}".strip()


class Ranker:
    """Ranks the unscreened studies of one library, best first."""

    def __init__(self, library: Library, blank_rule: bool = True):
        self.library = library
        self.blank_rule = blank_rule
        self._signature: tuple | None = None
        self._query: str | None = None
        self.mode = "empty"  # "active", "bm25", "file order", "random check" or "empty": how the last rank() ordered
        self._load()

    def _study_signature(self) -> tuple:
        row = self.library.conn.execute(
            "SELECT count(*), coalesce(max(id), 0), coalesce(sum(length(title) + length(coalesce(abstract, ''))), 0) "
            "FROM studies"
        ).fetchone()
        return tuple(row)

    def _load(self) -> None:
        rows = self.library.query("SELECT id, title, abstract FROM studies ORDER BY id")
        self.ids = np.asarray([r["id"] for r in rows], dtype=int)
        self.row_of = {int(i): n for n, i in enumerate(self.ids)}
        self.texts = [_record_text(r["title"], r["abstract"]) for r in rows]
        self.X = self._cached_matrix() if rows else None
        self._signature = self._study_signature()
        self._query = None
        self._bm25: np.ndarray | None = None

    def _cached_matrix(self) -> sparse.csr_matrix:
        """The TF-IDF matrix, from ``cache/screening-tfidf.npz`` in the library folder when the studies' ids and
        texts are unchanged (so `litreview screen next` does not re-vectorise 10,000 records on every call)."""
        digest = hashlib.sha256()
        for study_id, text in zip(self.ids, self.texts):
            digest.update(f"{study_id}\x00{text}\x01".encode())
        key = digest.hexdigest()
        path = self.library.folder / "cache" / "screening-tfidf.npz"
        try:
            with np.load(path, allow_pickle=False) as stored:
                if str(stored["key"]) == key:
                    return sparse.csr_matrix((stored["data"], stored["indices"], stored["indptr"]),
                                             shape=tuple(stored["shape"]))
        except (OSError, KeyError, ValueError):
            pass  # no cache yet, or an unreadable one: recompute and rewrite it
        matrix = tfidf_matrix(self.texts)
        path.parent.mkdir(exist_ok=True)
        partial = path.with_name("screening-tfidf.part.npz")
        np.savez(partial, key=key, data=matrix.data, indices=matrix.indices, indptr=matrix.indptr,
                 shape=np.asarray(matrix.shape))
        partial.replace(path)
        return matrix

    def _prior(self) -> np.ndarray | None:
        """BM25 against the protocol (recomputed only when the protocol changes)."""
        query = ranking_query(get_protocol(self.library))
        if query != self._query:
            self._query = query
            self._bm25 = bm25_scores(self.texts, query) if query else None
        if self._bm25 is None or not np.any(self._bm25):
            return None
        return self._bm25

    def rank(self) -> list[int]:
        """Unscreened study ids, best first (ties keep import order)."""
        if self._study_signature() != self._signature:
            self._load()
        if not len(self.ids):
            self.mode = "empty"
            return []
        made = [d for d in decisions(self.library) if d["study_id"] in self.row_of]
        screened = np.zeros(len(self.ids), dtype=bool)
        screened[[self.row_of[d["study_id"]] for d in made]] = True
        taught = [(self.row_of[d["study_id"]], LABELS[d["decision"]]) for d in made if d["decision"] in LABELS]
        rows = np.asarray([r for r, _ in taught], dtype=int)
        labels = np.asarray([y for _, y in taught], dtype=int)
        included = [int(r) for r, y in taught if y == 1]
        learner = ActiveLearner(self.X, self._prior(), self.blank_rule)
        if learner.can_learn(rows, labels):
            self.mode = "active"
            scores = learner.scores(rows, labels)
        else:
            scores = self._cold_scores(learner, included)
        ranking = [int(self.ids[r]) for r in order_by_score(scores, np.flatnonzero(~screened))]
        check = random_check(self.library)
        if check is None:
            return ranking
        check = {**check, "order": [i for i in check["order"] if i in self.row_of]}  # deleted studies drop out
        relevant = {int(d["study_id"]): int(d["decision"] != "exclude") for d in made}
        progress = check_progress(check, relevant, sum(relevant.values()), *stopping_settings(self.library))
        first = next_in_check({**check, "order": check["order"][:progress["needed"]]}, set(relevant))
        if first:
            self.mode = "random check"
        chosen = set(first)
        return first + [i for i in ranking if i not in chosen]

    def _cold_scores(self, learner: ActiveLearner, included: list[int]) -> np.ndarray:
        """Before the first include and exclude: BM25 on the protocol plus the included records' text."""
        extra = " ".join(self.texts[r] for r in included)
        if extra:
            self.mode = "bm25"
            query = f"{self._query or ''} {extra}"
            return bm25_scores(self.texts, query)
        if learner.prior is not None:
            self.mode = "bm25"
            return learner.cold_scores()
        self.mode = "file order"
        return np.zeros(len(self.ids))


def next_study(library: Library, ranker: Ranker | None = None) -> int | None:
    """The study to screen next, or None when every study has a decision."""
    ranking = (ranker or Ranker(library)).rank()
    return ranking[0] if ranking else None
