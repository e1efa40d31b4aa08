"""Schema preparation and validation (pure; the grammar text comes from llama-cpp-python's converter)."""

from __future__ import annotations

import re

import pytest

from litreview.llm import LlmError, structured


def test_string_rule_excludes_control_characters():
    plan = structured.prepare({"type": "object", "properties": {"s": {"type": "string"}}, "required": ["s"]})
    char_rules = [line for line in plan.gbnf.splitlines() if line.startswith("char ::=")]
    assert char_rules and all("\\x00-\\x1F" in line for line in char_rules)


def test_small_integer_ranges_become_enums_for_every_backend():
    plan = structured.prepare({"type": "object", "properties": {"n": {"type": "integer", "minimum": 1,
                                                                      "maximum": 5}}})
    assert plan.grammar_schema["properties"]["n"] == {"enum": [1, 2, 3, 4, 5]}
    assert plan.schema["properties"]["n"]["maximum"] == 5  # the caller's schema is untouched


def grammar_regex(rule: str) -> re.Pattern:
    """Our integer range rule as a Python regex, to check it against every number."""
    body = rule[1:rule.rindex(")")]
    alternatives = ["".join(re.escape(p.strip('"')) if p.startswith('"') else p for p in alt.split(" "))
                    for alt in body.split(" | ")]
    return re.compile("^(" + "|".join(alternatives) + ")$")


@pytest.mark.parametrize("low,high", [(0, 9), (0, 100000), (1, 100000), (17, 4321), (-50, 50), (-1000, -7),
                                      (5, 5), (99, 1000), (10, 99)])
def test_integer_range_rule_matches_exactly_the_range(low, high):
    pattern = grammar_regex(structured.integer_range_rule(low, high))
    values = (range(low - 30, high + 30) if high - low < 20000
              else [*range(low - 30, low + 2000), *range(high - 2000, high + 30)])
    for value in values:
        assert bool(pattern.match(str(value))) == (low <= value <= high), value
    assert not pattern.match("007") and not pattern.match("-0")


def test_large_bounded_integers_get_an_exact_rule_in_the_gbnf():
    plan = structured.prepare({"type": "object", "properties": {
        "n": {"type": "integer", "minimum": 0, "maximum": 100000}}, "required": ["n"]})
    assert "__litreview_int" not in plan.gbnf
    assert '"100000"' in plan.gbnf


def test_invalid_schema_is_refused():
    with pytest.raises(ValueError, match="invalid JSON schema"):
        structured.prepare({"type": 5})


def test_parse_and_validate():
    schema = {"type": "object", "properties": {"a": {"enum": ["x"]}}, "required": ["a"]}
    assert structured.parse_and_validate('{"a": "x"}', schema) == {"a": "x"}
    with pytest.raises(LlmError, match="not JSON"):
        structured.parse_and_validate('{"a": ', schema)
    with pytest.raises(LlmError, match="does not match the schema"):
        structured.parse_and_validate('{"a": "y"}', schema)


def test_raw_control_characters_from_a_lax_server_still_parse():
    schema = {"type": "object", "properties": {"s": {"type": "string"}}, "required": ["s"]}
    assert structured.parse_and_validate('{"s": "a\tb"}', schema) == {"s": "a\tb"}
