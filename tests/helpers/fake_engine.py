"""Test doubles for pure-logic unit tests. Every LLM stage ALSO needs a test against real llama.cpp."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from litreview.jobs import CancelToken
from litreview.llm import structured
from litreview.llm.engine import Completion, Engine, LlmError, OptionScores

Answer = Any  # a JSON value, or a callable(messages, schema) -> JSON value


class FakeEngine(Engine):
    """A scripted, deterministic Engine that goes through the real Engine code (schema validation, truncation
    retry, run recording), so a stage sees exactly what it would see from a real backend.

    - ``answers``: per stage, a list of JSON values (or callables ``(messages, schema) -> value``) returned in
      order; the last one repeats. A value may be ``FakeEngine.TRUNCATED`` to simulate a cut-off answer.
      Stages with no script get the smallest value that satisfies the schema.
    - ``choices``: per stage, a dict option -> weight, or a callable ``(prompt, options) -> {option: weight}``;
      by default every option is equally likely.
    - ``vectors``: a callable text -> vector for ``embed`` (default: a bag-of-characters vector).
    Every call is appended to ``self.calls`` as (method, stage, payload).
    """

    TRUNCATED = object()
    backend = "fake"

    def __init__(self, answers: dict[str, list[Answer]] | None = None,
                 choices: dict[str, dict[str, float] | Callable[..., dict[str, float]]] | None = None,
                 vectors: Callable[[str], list[float]] | None = None,
                 *, name: str = "fake model", capability: str = "capable"):
        super().__init__()
        self.name = name
        self.capability = capability
        self.answers = {stage: list(values) for stage, values in (answers or {}).items()}
        self.choices = choices or {}
        self.vectors = vectors or bag_of_characters
        self.calls: list[tuple[str, str, Any]] = []
        self._stage = ""

    def generate_json(self, messages, schema, *, stage, max_tokens=512, temperature=0.0, cancel=None):
        self._stage = stage
        self.calls.append(("generate_json", stage, messages))
        return super().generate_json(messages, schema, stage=stage, max_tokens=max_tokens,
                                     temperature=temperature, cancel=cancel)

    def choose(self, prompt, options, *, stage, cancel=None):
        self._stage = stage
        self.calls.append(("choose", stage, prompt))
        return super().choose(prompt, options, stage=stage, cancel=cancel)

    def placement_summary(self) -> str:
        return f"{self.name} · fake"

    def _complete(self, messages, plan: structured.SchemaPlan, *, max_tokens: int, temperature: float,
                  cancel: CancelToken | None) -> Completion:
        script = self.answers.get(self._stage)
        if script:
            answer = script.pop(0) if len(script) > 1 else script[0]
            if callable(answer):
                answer = answer(messages, plan.schema)
        else:
            answer = minimal_instance(plan.schema)
        if answer is FakeEngine.TRUNCATED:
            return Completion(text='{"', finish_reason="length", prompt_tokens=10, completion_tokens=max_tokens)
        text = json.dumps(answer)
        return Completion(text=text, finish_reason="stop", prompt_tokens=10, completion_tokens=len(text) // 4 + 1)

    def _option_logprobs(self, prompt, options, *, cancel) -> OptionScores:
        import math

        rule = self.choices.get(self._stage)
        weights = rule(prompt, options) if callable(rule) else (rule or {})
        values = [max(float(weights.get(option, 1.0 if not weights else 0.0)), 1e-9) for option in options]
        return OptionScores([math.log(v) for v in values], prompt_tokens=10, completion_tokens=len(options))

    def _embed(self, texts):
        return [self.vectors(text) for text in texts], sum(len(t) // 4 + 1 for t in texts)


def bag_of_characters(text: str, size: int = 32) -> list[float]:
    """A deterministic, similarity-preserving toy embedding."""
    vector = [0.0] * size
    for char in text.lower():
        vector[ord(char) % size] += 1.0
    norm = sum(v * v for v in vector) ** 0.5 or 1.0
    return [v / norm for v in vector]


def minimal_instance(schema: dict) -> Any:
    """The simplest value a schema accepts (enough for the fakes; not a general JSON-schema solver)."""
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return minimal_instance(schema[key][0])
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = kind[0]
    if kind == "object":
        props = schema.get("properties", {})
        return {name: minimal_instance(props.get(name, {})) for name in schema.get("required", [])}
    if kind == "array":
        return [minimal_instance(schema.get("items", {})) for _ in range(schema.get("minItems", 0))]
    if kind == "string":
        return "x" * schema.get("minLength", 0)
    if kind in ("integer", "number"):
        return schema.get("minimum", 0)
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    raise LlmError(f"FakeEngine cannot invent a value for schema {schema!r}; script an answer")
