"""`litreview eval corrections`: a mixture's hierarchy, a simulated user correcting it by protocol LFC-1 through
the app's correction op, and the untouched studies scored for apply-only, the learner and the placebo."""

from __future__ import annotations

import json

import pytest

from litreview.cli import main
from litreview.hierarchy.correction_sim import evaluate_corrections
from litreview.hierarchy.evaluate import load_scorer
from tests.helpers.mixtures import scorer_path, three_topics, write_mixture


@pytest.fixture
def mixture(tmp_path):
    return write_mixture(tmp_path / "mini.csv", three_topics(per_topic=8))


def test_cli_prints_the_issue_json_shape(mixture, capsys):
    code = main(["eval", "corrections", str(mixture), "--budget", "0,3", "--seeds", "1", "--start", "under",
                 "--scorer", str(scorer_path()), "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["mixture"] == "mini.csv" and result["seeds"] == 1 and result["model"] is None
    assert [b["budget"] for b in result["budgets"]] == [0, 3]
    for entry in result["budgets"]:
        assert {"corrections", "untouched", "apply_only", "learner", "placebo", "seconds"} <= set(entry)
        for reading in ("apply_only", "learner", "placebo"):
            assert set(entry[reading]) == {"hp", "nmi", "ari"}
    start, after = result["budgets"]
    assert start["corrections"] == 0 and start["untouched"] == 24
    assert 1 <= after["corrections"] <= 3 and after["untouched"] >= 24 - after["corrections"]
    assert after["learner"]["hp"] >= after["apply_only"]["hp"] - 0.05


def test_the_learner_fixes_a_swallowed_topic_the_user_starts_to_pull_out(mixture):
    """Start "under" (two categories for three topics): the user creates a category for the swallowed topic and
    moves a study there; the learner brings the rest along, far above the corrections alone and the placebo."""
    result = evaluate_corrections(mixture, scorer=load_scorer(scorer_path()), budgets=(0, 4), seeds=1, start="under",
                                  aspects=1, depth=1)
    start, after = result["budgets"]
    assert start["apply_only"]["hp"] < 0.8
    assert after["learner"]["hp"] >= after["apply_only"]["hp"] + 0.15
    assert after["learner"]["hp"] >= after["placebo"]["hp"] + 0.15
    assert after["fixed_per_correction"] >= 1


def test_bad_arguments_are_one_line(mixture, capsys):
    assert main(["eval", "corrections", str(mixture), "--budget", "a,b"]) == 2
    assert "--budget must be numbers" in capsys.readouterr().err
