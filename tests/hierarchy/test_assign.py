"""Assignment: calibrated multi-label decisions, uncategorised studies, user rejections respected."""

from __future__ import annotations

import numpy as np
from sklearn.preprocessing import normalize

from litreview.hierarchy.assign import CategoryProfile, assign, similarity_features


def _blobs(seed: int = 0, per: int = 10) -> tuple[np.ndarray, list[CategoryProfile]]:
    """Three tight groups of unit vectors around orthogonal axes, plus one study on its own axis (row 30)."""
    rng = np.random.default_rng(seed)
    rows = []
    for axis in range(3):
        centre = np.zeros(8)
        centre[axis] = 1.0
        rows += [centre + rng.normal(scale=0.15, size=8) for _ in range(per)]
    lonely = np.zeros(8)
    lonely[7] = 1.0
    rows.append(lonely)
    vectors = normalize(np.array(rows))
    profiles = [CategoryProfile(f"c{a}", f"Group {a}", members=list(range(a * per, (a + 1) * per))) for a in range(3)]
    return vectors, profiles


def test_members_score_for_their_own_category_without_voting_for_themselves():
    vectors, profiles = _blobs()
    centroid, nearest = similarity_features(vectors, profiles)
    assert centroid.shape == (31, 3)
    assert all(np.argmax(centroid[i]) == i // 10 for i in range(30))
    assert np.all(nearest[:30].max(axis=1) < 0.999)  # a study's own vector never counts as its nearest member


def test_each_study_gets_its_group_and_the_outsider_stays_uncategorised():
    vectors, profiles = _blobs()
    result = assign(vectors, profiles)
    primary = {d.study: d.key for d in result.decisions if d.primary}
    assert all(primary[i] == f"c{i // 10}" for i in range(30))
    assert result.uncategorised == [30]
    assert 30 not in primary
    assert all(d.label == 1 and 0.0 <= d.score <= 1.0 for d in result.decisions)
    assert result.probabilities.shape == (31, 3)


def test_a_study_between_two_groups_gets_both():
    vectors, profiles = _blobs()
    between = normalize(np.array([[1.0, 1.0, 0, 0, 0, 0, 0, 0]]))
    vectors = np.vstack([vectors, between])
    result = assign(vectors, profiles, only=[31])
    assert sorted(d.key for d in result.decisions if d.label == 1) == ["c0", "c1"]


def test_user_rejections_are_never_assigned_again():
    vectors, profiles = _blobs()
    result = assign(vectors, profiles, rejected={(3, "c0")})
    assert all(not (d.study == 3 and d.key == "c0") for d in result.decisions)
