"""The engine contract, run against real llama.cpp: the tiny MoE in-process and behind a local HTTP server."""

from __future__ import annotations

import math

import jsonschema
import pytest

from litreview.jobs import Cancelled, CancelToken
from litreview.llm import OutputTruncated
from tests.helpers.llm_requests import MESSAGES, SCHEMAS


def test_generate_json_always_parses_and_validates(engine):
    """60 constrained generations per backend at a high temperature (random text): every one valid."""
    valid = 0
    for index in range(60):
        schema = SCHEMAS[index % len(SCHEMAS)]
        messages = [*MESSAGES[:-1], {"role": "user", "content": f"{MESSAGES[-1]['content']} (item {index})"}]
        value = engine.generate_json(messages, schema, stage="contract", max_tokens=160, temperature=1.0)
        jsonschema.validate(value, schema)
        valid += 1
    assert valid == 60


def test_generate_json_is_deterministic_at_temperature_zero(engine):
    first = engine.generate_json(MESSAGES, SCHEMAS[0], stage="contract", temperature=0.0)
    second = engine.generate_json(MESSAGES, SCHEMAS[0], stage="contract", temperature=0.0)
    assert first == second


def test_cut_off_answer_is_retried_once_then_reported(engine, library):
    schema = {"type": "object", "properties": {"text": {"type": "string", "minLength": 60, "maxLength": 60}},
              "required": ["text"]}
    engine.record_to(library)
    try:
        with pytest.raises(OutputTruncated, match="cut off at 8 tokens even after a retry"):
            engine.generate_json(MESSAGES, schema, stage="truncation", max_tokens=4)
    finally:
        engine.record_to(None)
    runs = library.query("SELECT * FROM llm_runs WHERE stage = 'truncation' ORDER BY id")
    assert [(r["finish_reason"], r["ok"]) for r in runs] == [("length", 0), ("length", 0)]
    assert '"max_tokens": 8' in runs[1]["settings"]


def test_every_call_is_recorded(engine, library):
    engine.record_to(library)
    try:
        engine.generate_json(MESSAGES, SCHEMAS[0], stage="claims")
        engine.choose("Is this a trial? Answer:", [" yes", " no"], stage="screen")
    finally:
        engine.record_to(None)
    runs = {r["stage"]: r for r in library.query("SELECT * FROM llm_runs")}
    assert runs["claims"]["ok"] == 1 and runs["claims"]["prompt_tokens"] > 0
    assert runs["claims"]["completion_tokens"] > 0 and runs["claims"]["seconds"] > 0
    assert runs["claims"]["backend"] == engine.backend and runs["claims"]["model"] == engine.name
    assert runs["screen"]["finish_reason"] == "choose"


def test_choose_returns_a_distribution_over_the_options(engine):
    options = [" yes", " no", " maybe so"]
    probabilities = engine.choose("Is this study a randomised trial? Answer:", options, stage="screen")
    assert list(probabilities) == options
    assert math.isclose(sum(probabilities.values()), 1.0, rel_tol=1e-9)
    assert all(0.0 <= p <= 1.0 for p in probabilities.values())


def test_choose_is_independent_of_option_order(engine):
    prompt = "Study design? Answer:"
    forward = engine.choose(prompt, [" trial", " cohort", " review"], stage="screen")
    backward = engine.choose(prompt, [" review", " cohort", " trial"], stage="screen")
    for option, p in forward.items():
        assert math.isclose(p, backward[option], rel_tol=1e-6, abs_tol=1e-12)


def test_choose_rejects_bad_options(engine):
    with pytest.raises(ValueError):
        engine.choose("x", [], stage="screen")
    with pytest.raises(ValueError):
        engine.choose("x", [" a", " a"], stage="screen")


def test_a_cancelled_token_stops_before_the_model_runs(engine):
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        engine.generate_json(MESSAGES, SCHEMAS[0], stage="contract", cancel=token)
    with pytest.raises(Cancelled):
        engine.choose("x", [" a", " b"], stage="screen", cancel=token)


def test_invalid_schema_is_a_programming_error(engine):
    with pytest.raises(ValueError, match="invalid JSON schema"):
        engine.generate_json(MESSAGES, {"type": "no-such-type"}, stage="contract")


def test_placement_summary_is_one_line(engine):
    summary = engine.placement_summary()
    assert summary and "\n" not in summary
