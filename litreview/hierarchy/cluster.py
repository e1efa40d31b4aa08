"""Clustering with an automatically chosen number of clusters, and nested subclusters for a tree.

No gold k exists in a real review, so k is chosen by the data: spherical KMeans (KMeans on L2-normalised LSA
vectors) for every k in a range, scored by the cosine silhouette times the partition's stability (mean
adjusted Rand index between the clustering of random 80 % subsamples and the full clustering on the same
studies). Silhouette alone rewards many tiny, tight clusters in small libraries (30 studies of 3 reviews
gave k = 8); a k that does not reproduce on subsamples is not structure. Among near-best scores the
smallest k wins (a simpler partition when the evidence does not favour a finer one). Subclusters are made by re-embedding a
cluster's own texts (so the words that separate *inside* the cluster count, not the ones it shares) and
splitting only when the split is clearly better than noise (its silhouette beats that of a shuffled copy) and every
child must be big enough to be worth a heading. That keeps trees shallow where the data is flat.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score

from litreview.hierarchy.vectors import embed_texts

# A split must beat the same clustering of a structureless copy of the data (every coordinate shuffled
# across studies independently, which keeps each dimension's spread but destroys what co-occurs) by this
# much silhouette, in each of NULL_REPEATS tries: a permutation test rather than a fixed floor, so it adapts
# to the dimension and size of each cluster.
SPLIT_MARGIN = 0.02
NULL_REPEATS = 3
# Scores within this share of the best are treated as ties; the smallest k among them wins.
K_TIE_TOLERANCE = 0.03
SUBSAMPLES = 6
SUBSAMPLE_SHARE = 0.8


@dataclass
class Partition:
    labels: np.ndarray       # cluster of each row, 0..k-1
    k: int
    silhouette: float
    scores: dict[int, float] = field(default_factory=dict)  # silhouette x stability per k tried


@dataclass
class ClusterNode:
    """One cluster of a nested clustering: indices into the texts it was built from, and its subclusters."""

    members: list[int]
    children: list[ClusterNode] = field(default_factory=list)


def choose_partition(vectors: np.ndarray, *, k_min: int = 2, k_max: int = 12, min_size: int = 3,
                     seed: int = 0) -> Partition | None:
    """The best spherical-KMeans partition over k in [k_min, k_max] by silhouette x stability, or None when the
    rows cannot be split into clusters of at least ``min_size`` (too few rows, or all identical)."""
    n = len(vectors)
    k_max = min(k_max, n // max(min_size, 1), n - 1)
    if k_max < k_min or not np.any(vectors):
        return None
    rng = np.random.default_rng(seed)
    results: dict[int, tuple[float, float, np.ndarray]] = {}
    for k in range(k_min, k_max + 1):
        labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(vectors)
        if len(set(labels.tolist())) < 2:
            continue
        silhouette = float(silhouette_score(vectors, labels, metric="cosine"))
        results[k] = (silhouette * stability(vectors, labels, k, rng, seed), silhouette, labels)
    if not results:
        return None
    best = max(score for score, _, _ in results.values())
    k = min(k for k, (score, _, _) in results.items() if score >= best * (1 - K_TIE_TOLERANCE))
    _, silhouette, labels = results[k]
    return Partition(_relabel_by_size(labels), k, silhouette, {kk: round(s, 4) for kk, (s, _, _) in results.items()})


def stability(vectors: np.ndarray, labels: np.ndarray, k: int, rng: np.random.Generator, seed: int = 0) -> float:
    """Mean adjusted Rand index between k-means on random subsamples and ``labels`` on the same rows."""
    n = len(vectors)
    size = int(SUBSAMPLE_SHARE * n)
    if size <= k:
        return 1.0
    agreement = []
    for b in range(SUBSAMPLES):
        rows = rng.choice(n, size=size, replace=False)
        sub = KMeans(n_clusters=k, n_init=4, random_state=seed + b + 1).fit_predict(vectors[rows])
        agreement.append(adjusted_rand_score(labels[rows], sub))
    return max(0.0, float(np.mean(agreement)))


def nested_clusters(texts: list[str], top: Partition, *, depth: int, min_split: int = 12, min_child: int = 4,
                    cancel_check: Callable[[], None] = lambda: None) -> list[ClusterNode]:
    """The top partition as nodes, each split again (up to ``depth`` levels in all) where its own texts
    separate clearly. ``min_split``: the smallest cluster worth splitting; ``min_child``: smallest child."""
    nodes = []
    for c in range(top.k):
        members = [int(i) for i in np.flatnonzero(top.labels == c)]
        nodes.append(ClusterNode(members, _split(texts, members, depth - 1, min_split, min_child, cancel_check)))
    return nodes


def _split(texts: list[str], members: list[int], levels: int, min_split: int, min_child: int,
           cancel_check: Callable[[], None]) -> list[ClusterNode]:
    if levels <= 0 or len(members) < max(min_split, 2 * min_child):
        return []
    cancel_check()
    space = embed_texts([texts[i] for i in members], max_dims=50)
    partition = choose_partition(space.vectors, k_min=2, k_max=6, min_size=min_child)
    if partition is None or partition.silhouette < null_silhouette(space.vectors, partition.k) + SPLIT_MARGIN:
        return []
    sizes = np.bincount(partition.labels)
    if sizes.min() < min_child:
        return []
    children = []
    for c in range(partition.k):
        sub = [members[i] for i in np.flatnonzero(partition.labels == c)]
        children.append(ClusterNode(sub, _split(texts, sub, levels - 1, min_split, min_child, cancel_check)))
    return children


def null_silhouette(vectors: np.ndarray, k: int, *, seed: int = 0) -> float:
    """The best cosine silhouette of k-means with ``k`` clusters on coordinate-shuffled copies of ``vectors``."""
    rng = np.random.default_rng(seed)
    best = -1.0
    for _ in range(NULL_REPEATS):
        shuffled = np.column_stack([rng.permutation(column) for column in vectors.T])
        norms = np.linalg.norm(shuffled, axis=1, keepdims=True)
        shuffled = shuffled / np.maximum(norms, 1e-12)
        labels = KMeans(n_clusters=k, n_init=4, random_state=seed).fit_predict(shuffled)
        if len(set(labels.tolist())) > 1:
            best = max(best, float(silhouette_score(shuffled, labels, metric="cosine")))
    return best


def _relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Cluster 0 is the largest: stable, readable order for positions and names."""
    order = np.argsort(-np.bincount(labels), kind="stable")
    mapping = np.empty_like(order)
    mapping[order] = np.arange(len(order))
    return mapping[labels]
