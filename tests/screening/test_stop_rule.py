"""The stopping rule (Callaghan & Müller-Hansen 2020): its hypothesis, its windows, the random-sample variant."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import hypergeom

from litreview.screening.stop_rule import (
    min_relevant_total,
    random_sample_p_value,
    random_sample_size,
    ranked_stop_position,
    ranked_test,
    records_until_ranked_stop,
)


def test_the_hypothesis_is_the_fewest_relevant_records_that_make_recall_fall_short():
    assert min_relevant_total(19, 0.95) == 21   # 19/20 is exactly 95 %: not below the target
    assert min_relevant_total(0, 0.95) == 1     # nothing found: one relevant record anywhere is enough
    assert min_relevant_total(1, 0.95) == 2
    assert min_relevant_total(90, 0.9) == 101


def _brute_force(labels, total, target):
    """Every window, as the paper's code tests them (with the urn = window + unscreened)."""
    labels = np.asarray(labels)
    found, screened = labels.sum(), len(labels)
    missing = min_relevant_total(found, target) - found
    best = 1.0
    for n in range(1, screened + 1):
        x = labels[screened - n:].sum()
        best = min(best, hypergeom.cdf(x, total - screened + n, missing + x, n))
    return best


@pytest.mark.parametrize("seed", range(5))
def test_testing_only_the_windows_before_each_relevant_record_finds_the_smallest_p_value(seed):
    rng = np.random.default_rng(seed)
    labels = (rng.random(300) < np.linspace(0.4, 0.0, 300)).astype(int)
    result = ranked_test(labels, 1000, 0.95)
    assert result.p_value == pytest.approx(_brute_force(labels, 1000, 0.95), rel=1e-9)
    assert labels[len(labels) - result.window:].sum() == result.relevant_in_window


def test_a_long_quiet_stretch_after_a_fast_start_rejects_the_hypothesis():
    labels = [1] * 30 + [0] * 600
    result = ranked_test(labels, 700, 0.95)  # H0: >= 2 relevant among the 70 left; none in the last 600
    assert result.p_value < 0.05 and result.window == 600 and result.relevant_in_window == 0
    assert ranked_test(labels, 2000, 0.95).p_value > 0.4  # 1370 left: 600 quiet records say little about them
    still_finding = ([1] + [0] * 4) * 40
    assert ranked_test(still_finding, 2000, 0.95).p_value > 0.5


def test_everything_screened_or_too_few_left_to_miss_the_target():
    assert ranked_test([1, 0, 1], 3, 0.95).p_value == 0.0
    # 40 found, 1 record left: even if it is relevant, recall is 40/41 = 97.6 % >= 95 %
    assert ranked_test([1] * 40 + [0] * 9, 50, 0.95).p_value == 0.0
    assert ranked_test([], 10, 0.95).p_value == 1.0


def test_nothing_found_needs_almost_everything_screened():
    """No relevant record so far: H0 is "at least one is left"; only screening 95 % of the records rejects it."""
    assert ranked_stop_position([0] * 999, 999, 0.95, 0.95) == 950  # p = 49/999 < 0.05
    assert records_until_ranked_stop([0] * 100, 999, 0.95, 0.95) == 850


def test_the_stop_replay_and_the_records_still_needed_agree():
    labels = np.array([1] * 20 + [0] * 10 + [1] * 5 + [0] * 965)
    stop = ranked_stop_position(labels, 1000, 0.95, 0.95)
    assert 35 < stop < 1000
    assert records_until_ranked_stop(labels[:100], 1000, 0.95, 0.95) == stop - 100
    assert ranked_test(labels[:stop], 1000, 0.95).p_value < 0.05 <= ranked_test(labels[:stop - 1], 1000, 0.95).p_value


def test_a_higher_target_or_confidence_screens_longer():
    labels = np.array([1] * 25 + [0] * 5 + [1] * 5 + [0] * 1965)
    base = ranked_stop_position(labels, 2000, 0.95, 0.95)
    assert ranked_stop_position(labels, 2000, 0.80, 0.95) < base < ranked_stop_position(labels, 2000, 0.95, 0.99)


def test_random_sample_size_rejects_exactly_when_reached():
    n = random_sample_size(urn=5000, found_before=40, target=0.95, confidence=0.95)
    # 40 found -> H0 needs >= 3 relevant among the 5000 left; n random records with none relevant reject it
    assert random_sample_p_value(n, 0, 5000, 40, 40, 0.95) < 0.05 <= random_sample_p_value(n - 1, 0, 5000, 40, 40, 0.95)
    assert 3100 < n < 3200  # (1 - n/5000)^3 < 0.05
    # a relevant record in the sample raises the bar
    assert random_sample_size(5000, 40, 0.95, 0.95, sampled=500, relevant_in_sample=1) > n
    # nothing found yet: H0 is "at least one left", which takes 95 % of them
    assert random_sample_size(1000, 0, 0.95, 0.95) == 950
