"""The model-based estimate of what is left (information beside the rule) and the N-irrelevant-in-a-row counter."""

from __future__ import annotations

import numpy as np

from litreview.screening.stopping import estimate, irrelevant_in_a_row, n_in_a_row_position


def test_irrelevant_in_a_row_counts_since_the_last_relevant_record():
    assert irrelevant_in_a_row([]) == 0
    assert irrelevant_in_a_row([1, 0, 0, 1, 0, 0, 0]) == 3
    assert n_in_a_row_position([1, 0, 0, 1, 0, 0, 0], 2) == 3
    assert n_in_a_row_position([1, 1, 0], 5) == 3  # never fires: everything screened


def test_a_fast_start_then_a_long_quiet_stretch_leaves_little():
    labels = np.array([1] * 20 + [0] * 5 + [1] * 5 + [0] * 400)
    result = estimate(labels, total=2000)
    assert result.estimated_remaining < 1.5 and result.interval[0] == 0
    assert 0.95 <= result.estimated_recall <= 1


def test_relevant_records_still_coming_leave_many():
    labels = np.array(([1] + [0] * 4) * 40)  # a steady one in five
    result = estimate(labels, total=2000)
    assert result.estimated_remaining > 50  # a rate that does not fall predicts many more
    low, high = result.interval
    assert low <= result.estimated_remaining <= high


def test_nothing_found_or_everything_screened():
    nothing = estimate([0] * 50, total=100)
    assert nothing.interval == (0, 50) and nothing.estimated_recall == 0.0
    assert estimate([1, 0, 1], total=3).estimated_remaining == 0.0


def test_the_discovery_rate_falls_when_relevant_records_stop_coming():
    from litreview.screening.stopping import discovery_rate

    hot = discovery_rate([1, 0, 1, 1, 0, 1])
    cold = discovery_rate([1, 0, 1, 1, 0, 1] + [0] * 60)
    assert 0 < cold < 0.05 < hot <= 1.0
    assert discovery_rate([]) == 0.0
