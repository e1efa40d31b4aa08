"""JSON-schema constrained output that never hands a stage a broken value.

llama-cpp-python 0.3.36's schema-to-GBNF converter has two gaps (measured in shared/notes/llm-moe.md §2.5):
its string rule admits raw control characters, so about half of random-model outputs fail strict
``json.loads``; and it ignores integer ``minimum``/``maximum``. We patch the string rule the way upstream
llama.cpp's C++ converter writes it, turn small bounded integer ranges into enums for the grammar only, and
bound the digit count of larger ranges in the GBNF itself (a greedy small model otherwise writes
"1000000000…" until max_tokens), and always validate the parsed value against the caller's original schema.
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import jsonschema

from litreview.llm.errors import LlmError

# Integer ranges up to this size become an enum in the grammar (the converter would otherwise allow any integer).
MAX_ENUM_RANGE = 256

STOCK_CHAR_RULE = 'char ::= [^"\\\\] |'
SAFE_CHAR_RULE = 'char ::= [^"\\\\\\x7F\\x00-\\x1F] |'


INT_SENTINEL = "__litreview_int_{}__"
MAX_INTEGER = 10**16 - 1  # the stock converter's own limit: 16 digits


@dataclass
class SchemaPlan:
    """A caller's schema plus what the backends send: the grammar schema and, lazily, its GBNF.

    ``grammar_schema`` (also what servers get) has small integer ranges as enums. For the GBNF we build ourselves,
    every other bounded integer becomes a sentinel (``bounded``) that is swapped for an exact range rule."""

    schema: dict
    grammar_schema: dict = field(repr=False)
    bounded: dict[str, tuple[int, int]] = field(default_factory=dict, repr=False)
    sentinel_schema: dict = field(default_factory=dict, repr=False)

    @cached_property
    def gbnf(self) -> str:
        gbnf = schema_to_gbnf(self.sentinel_schema or self.grammar_schema)
        for sentinel, (low, high) in self.bounded.items():
            gbnf = gbnf.replace(f'"\\"{sentinel}\\""', integer_range_rule(low, high))
        return gbnf


def prepare(schema: dict) -> SchemaPlan:
    """Check the schema itself (a bad schema is a programming error, reported as such) and derive the grammar."""
    if not isinstance(schema, dict):
        raise TypeError("schema must be a JSON-schema dict")
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as error:
        raise ValueError(f"invalid JSON schema: {error.message}") from error
    grammar_schema = bounded_integers_as_enums(copy.deepcopy(schema))
    bounded: dict[str, tuple[int, int]] = {}
    sentinel_schema = bounded_integers_as_sentinels(copy.deepcopy(grammar_schema), bounded)
    return SchemaPlan(schema=schema, grammar_schema=grammar_schema, bounded=bounded,
                      sentinel_schema=sentinel_schema if bounded else {})


def integer_bounds(node: dict) -> tuple[int | None, int | None]:
    low, high = node.get("minimum"), node.get("maximum")
    low = math.ceil(low) if isinstance(low, (int, float)) else None
    high = math.floor(high) if isinstance(high, (int, float)) else None
    if isinstance(node.get("exclusiveMinimum"), (int, float)):
        low = math.floor(node["exclusiveMinimum"]) + 1
    if isinstance(node.get("exclusiveMaximum"), (int, float)):
        high = math.ceil(node["exclusiveMaximum"]) - 1
    return low, high


def bounded_integers_as_enums(node: Any) -> Any:
    """Rewrite ``{"type": "integer", "minimum": a, "maximum": b}`` with a small range into ``{"enum": [a..b]}``,
    in place, everywhere in the schema."""
    if isinstance(node, list):
        for item in node:
            bounded_integers_as_enums(item)
        return node
    if not isinstance(node, dict):
        return node
    if node.get("type") == "integer" and "enum" not in node:
        low, high = integer_bounds(node)
        if low is not None and high is not None and 0 <= high - low < MAX_ENUM_RANGE:
            for key in ("type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
                node.pop(key, None)
            node["enum"] = list(range(low, high + 1))
    for value in node.values():
        bounded_integers_as_enums(value)
    return node


def bounded_integers_as_sentinels(node: Any, bounded: dict[str, tuple[int, int]]) -> Any:
    """A copy with every integer that has a bound replaced by a one-string enum sentinel, recorded in
    ``bounded`` with its range (a missing bound becomes the converter's own 16-digit limit)."""
    if isinstance(node, list):
        return [bounded_integers_as_sentinels(item, bounded) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("type") == "integer" and "enum" not in node:
        low, high = integer_bounds(node)
        if low is not None or high is not None:
            sentinel = INT_SENTINEL.format(len(bounded))
            bounded[sentinel] = (low if low is not None else -MAX_INTEGER, high if high is not None else MAX_INTEGER)
            return {"enum": [sentinel]}
    return {key: bounded_integers_as_sentinels(value, bounded) for key, value in node.items()}


def integer_range_rule(low: int, high: int) -> str:
    """GBNF matching exactly the integers low..high (canonical form: no leading zeros, no "-0")."""
    alternatives: list[str] = []
    if low < 0:
        alternatives += ['"-" ' + alt for alt in _non_negative_range(max(1, -high), -low)]
    if high >= 0:
        alternatives += _non_negative_range(max(low, 0), high)
    if not alternatives:
        raise ValueError(f"empty integer range {low}..{high}")
    return "(" + " | ".join(alternatives) + ") space"


def _non_negative_range(low: int, high: int) -> list[str]:
    alternatives: list[str] = []
    for digits in range(len(str(low)), len(str(high)) + 1):
        lo = max(low, 10 ** (digits - 1) if digits > 1 else 0)
        hi = min(high, 10 ** digits - 1)
        if lo <= hi:
            alternatives += _same_length_range(str(lo), str(hi))
    return alternatives


def _same_length_range(lo: str, hi: str) -> list[str]:
    """Sequences of character classes matching the numbers lo..hi, which have the same number of digits."""
    if lo == hi:
        return [f'"{lo}"']
    if lo[0] == hi[0]:
        return [f'"{lo[0]}" {rest}' for rest in _same_length_range(lo[1:], hi[1:])]
    n = len(lo) - 1
    first, last = int(lo[0]), int(hi[0])
    lower: list[str] = []
    if lo[1:] != "0" * n:
        lower = [f'"{lo[0]}" {rest}' for rest in _same_length_range(lo[1:], "9" * n)]
        first += 1
    upper: list[str] = []
    if hi[1:] != "9" * n:
        upper = [f'"{hi[0]}" {rest}' for rest in _same_length_range("0" * n, hi[1:])]
        last -= 1
    middle = [" ".join([f"[{first}-{last}]"] + ["[0-9]"] * n)] if first <= last else []
    return lower + middle + upper


def schema_to_gbnf(schema: dict) -> str:
    """GBNF for the schema from llama-cpp-python's converter, with control characters excluded from strings."""
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    gbnf = json_schema_to_gbnf(json.dumps(schema))
    return gbnf.replace(STOCK_CHAR_RULE, SAFE_CHAR_RULE)


def parse_and_validate(text: str, schema: dict) -> Any:
    """The JSON value in ``text``, checked against ``schema``; LlmError (with the reason) when it is not."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        try:
            # Servers whose grammar still admits raw control characters inside strings: the value is intact.
            value = json.loads(text, strict=False)
        except json.JSONDecodeError as error:
            raise LlmError(f"the model returned text that is not JSON ({error.msg} at {error.pos}): "
                           f"{text[:120]!r}") from error
    try:
        jsonschema.validate(value, schema)
    except jsonschema.ValidationError as error:
        raise LlmError(f"the model's JSON does not match the schema: {error.message}") from error
    return value


def is_valid(text: str, schema: dict) -> bool:
    """Whether ``text`` is already a complete, valid answer (an answer can end exactly at max_tokens)."""
    try:
        parse_and_validate(text, schema)
    except LlmError:
        return False
    return True
