"""`eval hierarchy`: mixture -> scratch library -> build -> the shared scorer's metrics (loaded, not copied)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from litreview.cli import main
from litreview.errors import InputError
from litreview.hierarchy import tree
from litreview.hierarchy.evaluate import ScorerMissing, evaluate_mixture, load_scorer, predictions, read_mixture
from tests.helpers.fake_engine import FakeEngine
from tests.helpers.hierarchies import make_hierarchy
from tests.helpers.mixtures import scorer_path, three_topics, write_mixture
from tests.helpers.studies import add_studies


@pytest.fixture
def mixture(tmp_path) -> Path:
    return write_mixture(tmp_path / "mini.csv", three_topics(per_topic=8))


def test_evaluate_mixture_scores_the_best_aspect_without_showing_the_topic(mixture, tmp_path):
    engine = FakeEngine(capability="small")
    out = tmp_path / "pred.json"
    result = evaluate_mixture(mixture, engine, scorer=load_scorer(scorer_path()), aspects=2, depth=1, claims=False,
                              predictions_path=out)
    assert result["mode"] == "best_aspect" and result["best_aspect"] == "Topic"
    assert result["nmi"] >= 0.8 and result["harmonic_purity"] >= 0.85
    assert result["uncategorised_share"] <= 0.05
    assert result["llm_calls"] == sum(s["calls"] for s in result["stages"].values()) > 0
    assert all(c["name"] and c["description"] for c in result["top_categories"])
    written = json.loads(out.read_text())
    assert [a["name"] for a in written["aspects"]][0] == "Topic"
    assert set(written["aspects"][0]["assignments"]) == {r["study_id"] for r in read_mixture(mixture)}
    topics = {r["topic"] for r in read_mixture(mixture)}
    prompts = json.dumps([payload for _, _, payload in engine.calls], default=str)
    assert not any(topic in prompts for topic in topics)


def test_predictions_list_the_primary_category_first(library):
    s1, s2 = add_studies(library, [{"title": "a"}, {"title": "b"}])
    ids = make_hierarchy(library, {"Topic": {"A": {"A1": {}}, "B": {}}})
    with library.command("assign") as cmd:
        tree.write_assignment(cmd, library, s1, ids["A1"], score=0.4, source="stats")
        tree.write_assignment(cmd, library, s1, ids["B"], score=0.9, source="stats")
    pred = predictions(library, ids["_hierarchy"], {s1: "S1", s2: "S2"})
    assert pred == {"aspects": [{"name": "Topic", "assignments": {"S1": ["B", "A"], "S2": []}},
                                {"name": "Topic (finest level)", "assignments": {"S1": ["B", "A > A1"], "S2": []}}]}


def test_missing_scorer_and_bad_mixture_are_clear_errors(tmp_path, capsys):
    with pytest.raises(ScorerMissing, match="--scorer"):
        load_scorer(tmp_path / "nope.py")
    bad = tmp_path / "bad.csv"
    bad.write_text("id,text\n1,hello\n", encoding="utf-8")
    with pytest.raises(InputError, match="needs the columns"):
        read_mixture(bad)
    assert main(["eval", "hierarchy", str(bad), "--scorer", str(tmp_path / "nope.py")]) == 2
    assert "hierarchy_eval.py was not found" in capsys.readouterr().err
    assert main(["eval", "hierarchy", str(tmp_path / "missing.csv")]) == 2
    assert "mixture not found" in capsys.readouterr().err
