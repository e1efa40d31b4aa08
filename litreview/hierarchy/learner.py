"""Learning from corrections: the user's moves teach the category profiles, and the other studies are re-scored.

A hierarchy's statistical assignment (``assign``) compares each study with the members of each category. A
correction says more than "this study belongs there": it says the boundary between two categories was in the
wrong place near that study. The learner turns the feedback log into labelled examples and re-scores every
study the user has not judged, so the fix reaches the studies that look like the corrected one (LFC-1 in
``../shared/notes/corrections.md``; its pilot measured Rocchio centroids with the user's studies up-weighted far
ahead of nearest-neighbour propagation).

* **Examples** (``feedback.examples``): moves, assignments, take-outs, splits of selected studies and answers to
  suggestions are the user's word on one study: +1 where it was put, -1 where it was taken from or refused. A
  merge carries its studies along as a group: they count as ordinary members, not as judged studies.
* **Profiles**, per top-level category of a clustered aspect (Topic): its members' study vectors (the sentence
  embeddings cached per study by ``litreview.embeddings``, or the build's TF-IDF+LSA when it had to fall back),
  the studies the user placed there weighted ``USER_WEIGHT``, the ones the user took out or refused subtracted
  at ``NEGATIVE_SHARE`` of that weight (Rocchio's textbook ratio gamma / beta = 0.15 / 0.75).
* **Scores**: two features, leave-one-out (a study never votes for itself): cosine to the weighted centroid,
  and the similarity-weighted vote of its ``NEIGHBOURS`` nearest placed studies, each voting with its weight;
  calibrated to probabilities by the build's own ``Calibrator`` on the current memberships, so "more likely than
  not" means what it means in the build. The build's second feature (mean cosine to the nearest members) cannot
  hear a correction: one moved study among forty members does not move it. Measured once, on dev_cohen with a
  topic swallowed by another (the only mixture looked at before choosing): 10 corrections gained +0.02 HP over
  apply-only with it and +0.05 with the vote; every other mixture's figure was seen only afterwards.
* **Decision**: a study is proposed another category when that category is more likely than not
  (``THRESHOLD``) and more likely than its own; an uncategorised study when one category is more likely than not.
* **Never moved**: studies the user judged (every example above but a merge's), studies with a locked
  placement or in a locked category; no study is proposed into a locked category.

The constants are not fitted here: ``USER_WEIGHT`` = 10 is the up-weighting of the LFC-1 pilot (not tuned
there), ``NEGATIVE_SHARE`` is Rocchio's, ``NEIGHBOURS`` and ``THRESHOLD`` are the build's.
``bench/corrections_bench.py`` checks ``USER_WEIGHT`` leave-one-mixture-out against 1, 3 and 30 (10 is what
every fold picks).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
from threadpoolctl import threadpool_limits

from litreview import feedback
from litreview.hierarchy import tree
from litreview.hierarchy.assign import MAX_LABELS, NEIGHBOURS, THRESHOLD, UNCATEGORISED_BELOW, Calibrator, CategoryProfile

USER_WEIGHT = 10.0      # one study the user judged counts as this many machine-placed members in a profile
NEGATIVE_SHARE = 0.2    # a taken-out / refused study is subtracted at this share of USER_WEIGHT (Rocchio 0.15/0.75)
RULES = "rules"         # aspects built from evidence rules (facets) decide alone; the learner leaves them
FINDINGS = "findings"   # clustered on claims, not on study vectors


@dataclass(frozen=True)
class Move:
    """The learner's proposal for one study in one aspect: leave ``from_category`` (a top-level category, or
    None when it is uncategorised there) for ``to_category`` (top level), landing in ``leaf`` (the deepest
    sub-category whose members it is nearest)."""

    study_id: int
    aspect_id: int
    from_category: int | None
    to_category: int
    leaf: int
    score: float


@dataclass
class AspectScores:
    aspect_id: int
    categories: list[int]                  # top-level category ids, in profile order
    study_ids: list[int]
    probabilities: np.ndarray              # (studies, categories)
    current: list[int | None]              # index of each study's primary category (None: uncategorised)
    frozen: np.ndarray                     # bool per study: the learner never moves it
    proposed: list[int | None]             # index of the proposed category, None: it stays
    leaves: dict[int, int] = field(default_factory=dict)   # row -> leaf category of its proposal

    def moves(self) -> list[Move]:
        out = []
        for row, target in enumerate(self.proposed):
            if target is None:
                continue
            current = self.current[row]
            out.append(Move(self.study_ids[row], self.aspect_id,
                            self.categories[current] if current is not None else None, self.categories[target],
                            self.leaves.get(row, self.categories[target]),
                            round(float(self.probabilities[row, target]), 4)))
        return out

    def placement(self) -> dict[int, int | None]:
        """study id -> top-level category after the learner's proposals (None: uncategorised)."""
        out = {}
        for row, study in enumerate(self.study_ids):
            pick = self.proposed[row] if self.proposed[row] is not None else self.current[row]
            out[study] = self.categories[pick] if pick is not None else None
        return out


@dataclass
class Learned:
    hierarchy_id: int
    aspects: list[AspectScores] = field(default_factory=list)
    seconds: float = 0.0

    def moves(self) -> list[Move]:
        return [m for a in self.aspects for m in a.moves()]

    def aspect(self, aspect_id: int) -> AspectScores | None:
        return next((a for a in self.aspects if a.aspect_id == aspect_id), None)


@dataclass
class WeightedProfile:
    """A category's profile: member rows with their weights (negative for studies the user took out)."""

    key: Hashable
    rows: np.ndarray
    weights: np.ndarray

    @property
    def members(self) -> list[int]:
        return [int(r) for r, w in zip(self.rows, self.weights) if w > 0]


# -- the public entry points ------------------------------------------------------------------------------------
def learn(library, hierarchy_id: int, *, user_weight: float = USER_WEIGHT) -> Learned:
    """Re-score every study of the hierarchy's clustered aspects from its current state and the feedback log."""
    started = time.perf_counter()
    graph = tree.load_graph(library, hierarchy_id)
    result = Learned(hierarchy_id)
    aspects = learnable_aspects(library, hierarchy_id, graph)
    if not aspects:
        return result
    study_ids, vectors = study_matrix(library, hierarchy_id, tree.scope_study_ids(library, hierarchy_id))
    if not study_ids:
        return result
    rows = library.query(
        "SELECT a.study_id, a.category_id, a.score, a.label, a.implied, a.locked FROM assignments a "
        "JOIN categories c ON c.id = a.category_id WHERE c.hierarchy_id = ? ORDER BY a.id", (hierarchy_id,))
    examples = feedback.examples(library, hierarchy_id)
    with threadpool_limits(1):   # BLAS threads fighting over a busy 2-core machine made this 10x slower (measured)
        for aspect_id in aspects:
            scores = _score_aspect(graph, aspect_id, study_ids, vectors, rows, examples, user_weight)
            if scores is not None:
                result.aspects.append(scores)
    result.seconds = round(time.perf_counter() - started, 4)
    return result


def learnable_aspects(library, hierarchy_id: int, graph: nx.DiGraph | None = None) -> list[int]:
    """The aspects the learner re-scores: clustered ones over study vectors with at least two categories."""
    graph = graph if graph is not None else tree.load_graph(library, hierarchy_id)
    kinds = tree.settings(library, hierarchy_id).get("aspect_kinds", {})
    return [a for a in tree.aspect_ids(graph)
            if kinds.get(str(a)) != RULES and tree.name_key(graph.nodes[a]["name"]) != FINDINGS
            and len(tree.children(graph, a)) >= 2]


def learned_profiles(library, hierarchy_id: int, aspect_id: int, index: dict[int, int],
                     user_weight: float = USER_WEIGHT) -> list[WeightedProfile]:
    """The top-level categories of ``aspect_id`` as weighted profiles over the rows of ``index`` (study id ->
    row), for placing new studies (``build.assign_new_studies``)."""
    graph = tree.load_graph(library, hierarchy_id)
    rows = library.query(
        "SELECT a.study_id, a.category_id, a.score, a.label, a.implied, a.locked FROM assignments a "
        "JOIN categories c ON c.id = a.category_id WHERE c.hierarchy_id = ? ORDER BY a.id", (hierarchy_id,))
    tops = tree.children(graph, aspect_id)
    top_of = _top_of(graph, aspect_id)
    members, _, _ = _memberships(rows, top_of, tops, index)
    positives, negatives, _ = _example_rows(feedback.examples(library, hierarchy_id), top_of, tops, index)
    return [_profile(j, members[j], positives[j], negatives[j], user_weight) for j in range(len(tops))]


def place(vectors: np.ndarray, profiles: list[WeightedProfile], only: list[int]) -> list[tuple[int, int, float]]:
    """The build's decision rule over learned profiles, for new studies: (row, profile index, probability) for
    the best category unless even it is improbable, and any further one more likely than not (at most
    ``MAX_LABELS``)."""
    with threadpool_limits(1):
        centroid, nearest = features(vectors, profiles)
        probs = _calibrated(centroid, nearest, profiles)
    out = []
    for row in only:
        p = probs[row]
        order = [j for j in np.argsort(-p) if p[j] >= UNCATEGORISED_BELOW][:MAX_LABELS]
        out += [(row, int(j), round(float(p[j]), 4)) for n, j in enumerate(order) if n == 0 or p[j] >= THRESHOLD]
    return out


# -- the study vectors ----------------------------------------------------------------------------------------
_TFIDF_MEMO: dict[str, tuple[list[int], np.ndarray]] = {}


def study_matrix(library, hierarchy_id: int, study_ids: list[int]) -> tuple[list[int], np.ndarray]:
    """(ids, unit vectors) of the studies that have a vector in the geometry the hierarchy was built on: the
    cached sentence embeddings (studies without one, e.g. imported after the build and not yet placed, are left
    out: the learner never loads the model inside an edit), or TF-IDF+LSA of titles and abstracts when the build
    fell back to it (computed once per set of texts in this process)."""
    if tree.settings(library, hierarchy_id).get("vectors") == "tfidf":
        return _tfidf_matrix(library, study_ids)
    from litreview.embeddings import MAX_TOKENS, MODEL_ID

    model = f"{MODEL_ID}@{MAX_TOKENS}"   # the id ``SentenceEncoder`` stores with the default cut-off
    found: dict[int, np.ndarray] = {}
    for start in range(0, len(study_ids), 500):
        chunk = study_ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for study_id, blob in library.conn.execute(
                f"SELECT study_id, vector FROM study_vectors WHERE model = ? AND study_id IN ({marks})",
                [model, *chunk]):
            found[study_id] = np.frombuffer(blob, dtype=np.float32)
    ids = [s for s in study_ids if s in found]
    if not ids:
        return [], np.zeros((0, 1))
    matrix = np.vstack([found[s] for s in ids]).astype(np.float64)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return ids, matrix / np.maximum(norms, 1e-12)


def _tfidf_matrix(library, study_ids: list[int]) -> tuple[list[int], np.ndarray]:
    from litreview.hierarchy.vectors import embed_texts

    texts: dict[int, str] = {}
    for start in range(0, len(study_ids), 500):
        chunk = study_ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for study_id, title, abstract in library.conn.execute(
                f"SELECT id, title, abstract FROM studies WHERE id IN ({marks})", chunk):
            text = f"{(title or '').strip()}. {(abstract or '').strip()}".strip(". ")
            if text:
                texts[study_id] = text
    ids = [s for s in study_ids if s in texts]
    digest = hashlib.sha256("\x00".join(f"{s}\x01{texts[s]}" for s in ids).encode()).hexdigest()
    if digest not in _TFIDF_MEMO:
        if len(_TFIDF_MEMO) > 8:
            _TFIDF_MEMO.clear()
        _TFIDF_MEMO[digest] = (ids, embed_texts([texts[s] for s in ids]).vectors.astype(np.float64))
    return _TFIDF_MEMO[digest]


# -- scoring one aspect ---------------------------------------------------------------------------------------
def _score_aspect(graph: nx.DiGraph, aspect_id: int, study_ids: list[int], vectors: np.ndarray, rows: list[dict],
                  examples: list[feedback.Example], user_weight: float) -> AspectScores | None:
    tops = tree.children(graph, aspect_id)
    top_of = _top_of(graph, aspect_id)
    index = {s: i for i, s in enumerate(study_ids)}
    members, current, locked_rows = _memberships(rows, top_of, tops, index)
    positives, negatives, judged = _example_rows(examples, top_of, tops, index)
    profiles = [_profile(j, members[j], positives[j], negatives[j], user_weight) for j in range(len(tops))]
    if sum(1 for p in profiles if len(p.members)) < 2:
        return None
    frozen = judged | locked_rows
    for node in top_of:
        if graph.nodes[node]["locked"]:
            frozen |= _rows_in(rows, {node, *nx.descendants(graph, node)}, index)
    centroid, nearest = features(vectors, profiles)
    probs = _calibrated(centroid, nearest, profiles)
    targets = np.array([not graph.nodes[t]["locked"] and bool(len(profiles[j].members)) for j, t in enumerate(tops)])
    refused = {(row, j) for j in range(len(tops)) for row in negatives[j]}
    frozen_mask = np.zeros(len(study_ids), dtype=bool)
    frozen_mask[list(frozen)] = True
    proposed: list[int | None] = []
    for row in range(len(study_ids)):
        proposed.append(None if frozen_mask[row] else _decide(probs[row], current[row], targets, refused, row))
    scores = AspectScores(aspect_id, tops, study_ids, probs, current, frozen_mask, proposed)
    for row, target in enumerate(proposed):
        if target is not None:
            scores.leaves[row] = _leaf(graph, tops[target], row, vectors, rows, index)
    return scores


def _decide(p: np.ndarray, current: int | None, targets: np.ndarray, refused: set[tuple[int, int]],
            row: int) -> int | None:
    """The proposed category of one study, or None when it stays (module docstring, "Decision")."""
    allowed = [j for j in range(len(p)) if targets[j] and (row, j) not in refused and j != current]
    if not allowed:
        return None
    best = max(allowed, key=lambda j: p[j])
    if p[best] < THRESHOLD:
        return None
    if current is not None and p[current] >= p[best]:
        return None
    return best


def features(vectors: np.ndarray, profiles: list[WeightedProfile]) -> tuple[np.ndarray, np.ndarray]:
    """(weighted leave-one-out centroid cosine, weighted vote of the ``NEIGHBOURS`` nearest placed studies),
    each (studies, categories).

    Centroid: for unit vectors x_i and centroid sum t with row i's own weight w_i, the leave-one-out cosine is
    (x_i.t - w_i) / |t - w_i x_i|, computed without copying t per row. Vote: among the study's nearest placed
    studies (itself excluded), the share of their similarity-weighted placement weight that falls on each
    category; a study the user placed votes with its user weight, so the studies around a correction follow it.
    """
    n, k = len(vectors), len(profiles)
    centroid = np.zeros((n, k))
    placed = np.zeros((n, k))                      # positive weight of each study in each category
    for j, profile in enumerate(profiles):
        if not len(profile.rows):
            continue
        own = np.zeros(n)
        np.add.at(own, profile.rows, profile.weights)
        total = profile.weights @ vectors[profile.rows]
        dots = vectors @ total
        norm2 = np.maximum(total @ total - 2 * own * dots + own * own, 0.0)
        norm = np.sqrt(norm2)
        centroid[:, j] = np.where(norm > 1e-9, (dots - own) / np.maximum(norm, 1e-9), 0.0)
        placed[:, j] = np.maximum(own, 0.0)
    labelled = np.flatnonzero(placed.sum(axis=1) > 0)
    vote = np.zeros((n, k))
    if len(labelled) >= 2:
        sims = vectors @ vectors[labelled].T
        sims[labelled, np.arange(len(labelled))] = -np.inf      # a study does not vote for itself
        m = min(NEIGHBOURS, len(labelled) - 1)
        nearest = np.argpartition(-sims, m - 1, axis=1)[:, :m]
        close = np.maximum(np.take_along_axis(sims, nearest, axis=1), 0.0)     # (n, m)
        weights = placed[labelled[nearest]]                                       # (n, m, k)
        vote = np.einsum("nm,nmk->nk", close, weights)
        totals = vote.sum(axis=1, keepdims=True)
        vote = np.where(totals > 0, vote / np.maximum(totals, 1e-12), 0.0)
    return centroid, vote


def _calibrated(centroid: np.ndarray, nearest: np.ndarray, profiles: list[WeightedProfile]) -> np.ndarray:
    categories = [CategoryProfile(j, "", members=p.members) for j, p in enumerate(profiles)]
    return Calibrator().fit(centroid, nearest, categories).probabilities(centroid, nearest)


def _profile(key: Hashable, members: set[int], positives: set[int], negatives: set[int],
             user_weight: float) -> WeightedProfile:
    weights: dict[int, float] = {row: 1.0 for row in members}
    for row in positives:
        weights[row] = user_weight
    for row in negatives:
        weights[row] = -NEGATIVE_SHARE * user_weight
    ordered = sorted(weights)
    return WeightedProfile(key, np.array(ordered, dtype=int), np.array([weights[r] for r in ordered], dtype=float))


# -- reading the state ------------------------------------------------------------------------------------------
def _top_of(graph: nx.DiGraph, aspect_id: int) -> dict[int, int]:
    """category id -> its top-level ancestor (itself for a top-level category), for one aspect."""
    return {node: tree.path_ids(graph, node)[1] for node in nx.descendants(graph, aspect_id)}


def _memberships(rows: list[dict], top_of: dict[int, int], tops: list[int],
                 index: dict[int, int]) -> tuple[list[set[int]], list[int | None], set[int]]:
    """Per top category its member rows; per study its primary top category (direct rows, best score first, as
    ``evaluate.predictions`` reads it); and the rows with a locked placement."""
    position = {t: j for j, t in enumerate(tops)}
    members: list[set[int]] = [set() for _ in tops]
    direct: dict[int, list[tuple[float, int]]] = {}
    locked: set[int] = set()
    for r in rows:
        top = top_of.get(r["category_id"])
        row = index.get(r["study_id"])
        if top is None or row is None:
            continue
        if r["locked"]:
            locked.add(row)
        if r["label"] != 1:
            continue
        members[position[top]].add(row)
        if not r["implied"]:
            direct.setdefault(row, []).append((r["score"] if r["score"] is not None else 0.0, position[top]))
    current: list[int | None] = [None] * len(index)
    for row, scored in direct.items():
        current[row] = sorted(scored, key=lambda t: -t[0])[0][1]
    return members, current, locked


def _example_rows(examples: list[feedback.Example], top_of: dict[int, int], tops: list[int],
                  index: dict[int, int]) -> tuple[list[set[int]], list[set[int]], set[int]]:
    """Per top category the rows the user placed there and the rows taken out of (or refused for) it, and every
    row the user judged in this aspect (frozen). An example on a sub-category counts for its top category when
    it places a study (it is then in the top category too); a take-out from a sub-category says nothing about
    its parent."""
    position = {t: j for j, t in enumerate(tops)}
    positives: list[set[int]] = [set() for _ in tops]
    negatives: list[set[int]] = [set() for _ in tops]
    judged: set[int] = set()
    for e in examples:
        top = top_of.get(e.category_id)
        row = index.get(e.study_id)
        if top is None or row is None or not e.individual:
            continue
        judged.add(row)
        if e.verdict > 0:
            positives[position[top]].add(row)
        elif e.category_id == top:
            negatives[position[top]].add(row)
    for j in range(len(tops)):
        negatives[j] -= positives[j]
    return positives, negatives, judged


def _rows_in(rows: list[dict], categories: set[int], index: dict[int, int]) -> set[int]:
    return {index[r["study_id"]] for r in rows
            if r["category_id"] in categories and r["label"] == 1 and r["study_id"] in index}


def _leaf(graph: nx.DiGraph, top: int, row: int, vectors: np.ndarray, rows: list[dict],
          index: dict[int, int]) -> int:
    """Down from a top category to the sub-category whose members the study is nearest (children partition their
    parent, as in the build)."""
    return nearest_leaf(graph, top, row, vectors,
                        lambda kid: _rows_in(rows, {kid, *nx.descendants(graph, kid)}, index))


def nearest_leaf(graph: nx.DiGraph, top: int, row: int, vectors: np.ndarray,
                 members_of: Callable[[int], Iterable[int]]) -> int:
    """Down from ``top`` to the sub-category whose members' mean vector the study in ``row`` is nearest, level by
    level, stopping where no child has members (``members_of(category)``: rows of its studies)."""
    current = top
    while True:
        kids = tree.children(graph, current)
        if not kids:
            return current
        scores = []
        for kid in kids:
            members = [m for m in members_of(kid) if m != row]
            scores.append(float(vectors[row] @ vectors[members].mean(axis=0)) if members else -1.0)
        if max(scores) < 0:
            return current
        current = kids[int(np.argmax(scores))]




__all__ = ["NEGATIVE_SHARE", "USER_WEIGHT", "AspectScores", "Learned", "Move", "WeightedProfile", "features",
           "learn", "learnable_aspects", "learned_profiles", "place", "study_matrix"]
