"""Clustering with the number of clusters chosen by the data, and nested subclusters that exist only where the
data has them.

No gold k exists in a real review. Two principled rules, no constant fitted to the dev data:

* **k = the best cosine silhouette** of spherical KMeans (KMeans on unit vectors) over k in [2, 12]. On sentence
  embeddings the silhouette curve is informative (0.15-0.45, peaking at the true k on 12 of 13 dev mixtures;
  ``bench/hierarchy_bench.py``), unlike on TF-IDF where it is nearly flat.
* **A split must beat a structureless copy of the same data** (a parametric bootstrap): the clustering's
  silhouette is compared with the best silhouette KMeans finds on ``NULL_REPEATS`` samples from one Gaussian with
  the cluster's own mean and covariance (same size, same spread in every direction, but one blob). A group splits
  only when it beats every such sample, i.e. at p < 1/(NULL_REPEATS + 1). Shuffling each coordinate on its own
  (the test this replaces) destroys the correlations of embedding dimensions, so every real group beat it; the
  Gaussian keeps them, so only a group with several modes does.

KMeans and the silhouette run with one BLAS/OpenMP thread: on a busy 2-core machine their thread pools fought
each other and the structure stage took 33 s for 158 studies instead of 2 s (measured).

The same rule decides the top level (a corpus with no structure is one category) and every level below it; a
top category that groups related topics ("three cardiovascular drug classes") splits at the next level when its
members form separate groups. Children must be at least ``min_child`` studies, so a heading is worth having.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

NULL_REPEATS = 9             # p < 0.1 for a split
SILHOUETTE_SAMPLE = 2000     # silhouette on a sample beyond this many rows (it is quadratic in rows)


@dataclass
class Partition:
    labels: np.ndarray       # cluster of each row, 0..k-1 (0 = the largest)
    k: int
    silhouette: float
    scores: dict[int, float] = field(default_factory=dict)  # silhouette per k tried
    null: float | None = None                               # best silhouette of the structureless copies


@dataclass
class ClusterNode:
    """One cluster of a nested clustering: indices into the rows it was built from, and its subclusters."""

    members: list[int]
    children: list[ClusterNode] = field(default_factory=list)


def best_partition(vectors: np.ndarray, *, k_min: int = 2, k_max: int = 12, min_size: int = 3, seed: int = 0,
                   n_init: int = 10) -> Partition | None:
    """The spherical-KMeans partition with the best cosine silhouette over k in [k_min, k_max] whose clusters all
    have at least ``min_size`` rows; None when no such partition exists (too few rows, or all identical)."""
    n = len(vectors)
    k_max = min(k_max, n // max(min_size, 1), n - 1)
    if k_max < k_min or not np.any(vectors):
        return None
    best: Partition | None = None
    scores: dict[int, float] = {}
    for k in range(k_min, k_max + 1):
        labels = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit_predict(vectors)
        sizes = np.bincount(labels, minlength=k)
        if (sizes > 0).sum() < 2 or sizes.min() < min_size:
            continue
        score = _silhouette(vectors, labels, seed)
        scores[k] = round(score, 4)
        if best is None or score > best.silhouette:
            best = Partition(_relabel_by_size(labels), k, score)
    if best is not None:
        best.scores = scores
    return best


def significant_partition(vectors: np.ndarray, *, k_min: int = 2, k_max: int = 12, min_size: int = 3,
                          seed: int = 0) -> Partition | None:
    """``best_partition``, kept only when its silhouette beats every structureless copy (module docstring)."""
    with threadpool_limits(1):
        partition = best_partition(vectors, k_min=k_min, k_max=k_max, min_size=min_size, seed=seed)
        if partition is None:
            return None
        partition.null = null_silhouette(vectors, k_min=k_min, k_max=k_max, min_size=min_size, seed=seed)
    return partition if partition.silhouette > partition.null else None


def null_silhouette(vectors: np.ndarray, *, k_min: int, k_max: int, min_size: int, seed: int = 0) -> float:
    """The best silhouette ``best_partition`` reaches on ``NULL_REPEATS`` samples of one Gaussian with the rows'
    mean and covariance (drawn as mean + Z @ centred rows / sqrt(n - 1), which has exactly their covariance
    even when there are fewer rows than dimensions), each sample normalised like the real vectors."""
    rng = np.random.default_rng(seed)
    n = len(vectors)
    mean = vectors.mean(axis=0)
    centred = vectors - mean
    best = -1.0
    for _ in range(NULL_REPEATS):
        sample = normalize(mean + rng.standard_normal((n, n)) @ centred / np.sqrt(max(n - 1, 1)))
        found = best_partition(sample, k_min=k_min, k_max=k_max, min_size=min_size, seed=seed, n_init=4)
        if found is not None:
            best = max(best, found.silhouette)
    return best


def nested_clusters(vectors: np.ndarray, top: Partition | None, *, depth: int, min_split: int = 12,
                    min_child: int = 4, cancel_check: Callable[[], None] = lambda: None) -> list[ClusterNode]:
    """The top partition as nodes (one node with every row when ``top`` is None), each split again (up to
    ``depth`` levels in all) where its own rows separate significantly. ``min_split``: the smallest cluster worth
    splitting; ``min_child``: the smallest child."""
    if top is None:
        return [ClusterNode(list(range(len(vectors))))]
    nodes = []
    for c in range(top.k):
        members = [int(i) for i in np.flatnonzero(top.labels == c)]
        nodes.append(ClusterNode(members, _split(vectors, members, depth - 1, min_split, min_child, cancel_check)))
    return nodes


def _split(vectors: np.ndarray, members: list[int], levels: int, min_split: int, min_child: int,
           cancel_check: Callable[[], None]) -> list[ClusterNode]:
    if levels <= 0 or len(members) < max(min_split, 2 * min_child):
        return []
    cancel_check()
    partition = significant_partition(vectors[members], k_min=2, k_max=6, min_size=min_child)
    if partition is None:
        return []
    children = []
    for c in range(partition.k):
        sub = [members[i] for i in np.flatnonzero(partition.labels == c)]
        children.append(ClusterNode(sub, _split(vectors, sub, levels - 1, min_split, min_child, cancel_check)))
    return children


def _silhouette(vectors: np.ndarray, labels: np.ndarray, seed: int) -> float:
    sample = SILHOUETTE_SAMPLE if len(vectors) > SILHOUETTE_SAMPLE else None
    return float(silhouette_score(vectors, labels, metric="cosine", sample_size=sample, random_state=seed))


def _relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Cluster 0 is the largest: stable, readable order for positions and names."""
    order = np.argsort(-np.bincount(labels), kind="stable")
    mapping = np.empty_like(order)
    mapping[order] = np.arange(len(order))
    return mapping[labels]
