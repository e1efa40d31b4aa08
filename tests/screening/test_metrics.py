"""The metric contract (screening-metrics.md), its worked example, and the prior draw ASReview shares."""

from __future__ import annotations

import numpy as np
import pytest

from litreview.screening.labelled import pick_priors
from litreview.screening.metrics import MetricsError, recall_at_stop, screening_metrics


def test_worked_example_of_the_contract():
    # rows 0 (relevant) and 1 (irrelevant) are priors; after them, N=10 with relevant at positions 1 and 4
    labels = np.zeros(12, dtype=int)
    labels[[0, 2, 5]] = 1
    order = list(range(12))
    m = screening_metrics(order, labels, priors=[0, 1])
    assert m["wss95"] == pytest.approx(55.0)
    assert m["rrf10"] == pytest.approx(50.0)
    assert m["atd"] == pytest.approx(25.0)
    assert m["loss"] == pytest.approx(0.125)
    assert m["records_to_first_relevant"] == 1 and m["records_to_95"] == 4


def test_priors_anywhere_in_the_order_are_dropped_and_the_unscreened_tail_is_appended():
    labels = np.zeros(12, dtype=int)
    labels[[0, 2, 5]] = 1
    # priors listed late, and the order stops after the last relevant record
    m = screening_metrics([2, 3, 0, 4, 5, 1], labels, priors=[0, 1])
    assert m["wss95"] == pytest.approx(55.0)
    assert recall_at_stop([0, 1, 2, 3, 4, 5], labels, [0, 1], stop=1) == (50.0, 10.0)


def test_an_unscreened_relevant_record_cannot_be_scored():
    labels = np.array([1, 0, 1, 0])
    with pytest.raises(MetricsError, match="never screened"):
        screening_metrics([0, 1], labels, priors=[])


def test_no_relevant_record_after_the_priors_is_a_clear_error():
    with pytest.raises(MetricsError, match="no relevant record"):
        screening_metrics([0, 1, 2], np.array([1, 0, 0]), priors=[0, 1])


def test_priors_are_drawn_as_asreview_draws_them():
    labels = np.array([0, 1, 0, 0, 1, 1, 0, 0, 0, 1])
    relevant, irrelevant = np.flatnonzero(labels == 1), np.flatnonzero(labels == 0)
    for seed in range(5):
        expected = [int(np.random.RandomState(seed).choice(relevant, 1, replace=False)[0]),
                    int(np.random.RandomState(seed).choice(irrelevant, 1, replace=False)[0])]
        assert pick_priors(labels, seed) == expected


def test_stopping_rules_replay_an_order_that_ended_at_the_last_relevant_record():
    """ASReview's simulation stops at the last relevant record; the rules must still see the whole collection."""
    from litreview.screening.simulate import score_order

    labels = np.array([1, 1] + [0] * 300 + [1])
    run = score_order(labels, 0, [0, 2], [0, 2, 1, 302])  # ends at the last relevant one; 299 never screened
    assert run.row100["stop"] == 102 and run.row100["fraction"] == 100 * 102 / 301
    assert run.row100["recall"] == 100.0
