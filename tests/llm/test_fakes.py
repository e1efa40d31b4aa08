"""The FakeEngine other areas use in pure-logic tests behaves like a real engine at the interface."""

from __future__ import annotations

import pytest

from litreview.llm import LlmError, OutputTruncated
from tests.helpers.fake_engine import FakeEngine

SCHEMA = {"type": "object", "properties": {"name": {"type": "string", "minLength": 2}}, "required": ["name"]}


def test_scripted_answers_in_order_then_the_last_repeats():
    engine = FakeEngine({"s": [{"name": "one"}, lambda messages, schema: {"name": messages[0]["content"]}]})
    assert engine.generate_json([{"role": "user", "content": "u"}], SCHEMA, stage="s") == {"name": "one"}
    assert engine.generate_json([{"role": "user", "content": "uv"}], SCHEMA, stage="s") == {"name": "uv"}
    assert engine.generate_json([{"role": "user", "content": "vw"}], SCHEMA, stage="s") == {"name": "vw"}
    assert [call[:2] for call in engine.calls] == [("generate_json", "s")] * 3


def test_unscripted_stage_gets_a_minimal_valid_value_and_bad_scripts_fail_validation():
    assert FakeEngine().generate_json([], SCHEMA, stage="x") == {"name": "xx"}
    with pytest.raises(LlmError, match="does not match"):
        FakeEngine({"s": [{"name": 5}]}).generate_json([], SCHEMA, stage="s")


def test_truncation_goes_through_the_real_retry(library):
    engine = FakeEngine({"s": [FakeEngine.TRUNCATED]})
    engine.record_to(library)
    with pytest.raises(OutputTruncated):
        engine.generate_json([], SCHEMA, stage="s")
    assert len(library.query("SELECT * FROM llm_runs WHERE finish_reason = 'length'")) == 2


def test_choices_are_normalised():
    engine = FakeEngine(choices={"c": {"a": 3.0, "b": 1.0}})
    assert engine.choose("p", ["a", "b", "z"], stage="c") == pytest.approx({"a": 0.75, "b": 0.25, "z": 0.0}, abs=1e-6)
    assert FakeEngine().choose("p", ["a", "b"], stage="c") == pytest.approx({"a": 0.5, "b": 0.5})


def test_embeddings_are_deterministic():
    engine = FakeEngine()
    assert engine.embed(["abc"]) == engine.embed(["abc"]) != engine.embed(["xyz"])
