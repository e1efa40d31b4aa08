"""The one LLM interface every stage uses, whatever runs the model (llama.cpp in-process, an HTTP server, a fake).

Stages never talk to llama.cpp directly: they call ``generate_json`` (a schema-valid object or a clear error),
``choose`` (a probability per option, from token log-probabilities) and ``embed``. The shared parts live here
once: schema validation, the one retry when the output was cut off by ``max_tokens``, cancellation, and the
record of every call in the library's ``llm_runs`` table. A backend only implements the small ``_complete`` /
``_option_logprobs`` / ``_embed`` hooks.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from litreview.jobs import Cancelled, CancelToken
from litreview.llm import structured
from litreview.llm.errors import LlmError, OutputTruncated

Capability = Literal["small", "capable"]
"""What a stage may ask of a model: "small" models (a base model such as the default gemma) name and verify by
choosing among options; "capable" (instruct) models also write JSON taxonomies and claims."""

__all__ = ["Capability", "Completion", "Engine", "LlmError", "OptionScores", "OutputTruncated", "capability_of",
           "softmax"]


@dataclass
class Completion:
    """What a backend returns for one constrained generation."""

    text: str
    finish_reason: str | None
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass
class OptionScores:
    """Log-probability of each option's tokens after the prompt (not normalised), plus token counts."""

    logprobs: list[float]
    prompt_tokens: int = 0
    completion_tokens: int = 0


Recorder = Callable[..., Any]


class Engine:
    """Base class of every backend. Thread-safe: calls are serialised with a lock (llama.cpp contexts are not)."""

    name: str = "engine"
    capability: Capability = "capable"
    backend: str = "engine"

    def __init__(self) -> None:
        self._recorder: Recorder | None = None
        self._lock = threading.RLock()

    # -- recording --------------------------------------------------------------------------------------
    def record_to(self, library: Any | None) -> None:
        """Record every later call in ``library.llm_runs`` (None stops recording). The library must belong to
        the thread that makes the calls (sqlite3's rule), so a worker thread attaches its own Library."""
        self._recorder = library.record_llm_run if library is not None else None

    def settings_summary(self) -> dict[str, Any]:
        """The settings that shaped a call, stored with each run so a result can be explained later."""
        return {}

    def _record(self, stage: str, *, seconds: float, prompt_tokens: int = 0, completion_tokens: int = 0,
                finish_reason: str | None = None, ok: bool = True, error: str | None = None,
                extra: dict[str, Any] | None = None) -> None:
        if self._recorder is None:
            return
        settings = {**self.settings_summary(), **(extra or {})}
        self._recorder(stage=stage, model=self.name, backend=self.backend, settings=settings,
                       prompt_tokens=int(prompt_tokens), completion_tokens=int(completion_tokens),
                       seconds=round(seconds, 4), finish_reason=finish_reason, ok=int(ok), error=error)

    # -- public API -------------------------------------------------------------------------------------
    def generate_json(self, messages: list[dict], schema: dict, *, stage: str, max_tokens: int = 512,
                      temperature: float = 0.0, cancel: CancelToken | None = None) -> dict | list:
        """A JSON value that satisfies ``schema``, generated under a grammar built from it.

        ``messages`` are chat messages ({"role", "content"}); models without a chat template get them rendered
        as a plain prompt. Raises OutputTruncated when the answer does not fit even in twice ``max_tokens``,
        LlmError when it cannot be parsed or validated, Cancelled when ``cancel`` fired.
        """
        plan = structured.prepare(schema)
        room = max_tokens
        for attempt in range(2):
            if cancel is not None:
                cancel.check()
            extra = {"max_tokens": room, "temperature": temperature, "attempt": attempt + 1}
            started = time.perf_counter()
            try:
                with self._lock:
                    done = self._complete(messages, plan, max_tokens=room, temperature=temperature, cancel=cancel)
            except Cancelled:
                self._record(stage, seconds=time.perf_counter() - started, ok=False, error="cancelled", extra=extra)
                raise
            except LlmError as error:
                self._record(stage, seconds=time.perf_counter() - started, ok=False, error=str(error), extra=extra)
                raise
            seconds = time.perf_counter() - started
            counts: dict[str, Any] = {"prompt_tokens": done.prompt_tokens, "completion_tokens": done.completion_tokens}
            if cancel is not None and cancel.cancelled:
                self._record(stage, seconds=seconds, **counts, finish_reason=done.finish_reason, ok=False,
                             error="cancelled", extra=extra)
                raise Cancelled()
            if done.finish_reason == "length" and not structured.is_valid(done.text, schema):
                message = (f"the model's answer for '{stage}' was cut off at {room} tokens"
                           + (" even after a retry with more room" if attempt else "; retrying with more room"))
                self._record(stage, seconds=seconds, **counts, finish_reason="length", ok=False, error=message,
                             extra=extra)
                if attempt == 0:
                    room = self._retry_room(room, done.prompt_tokens)
                    continue
                raise OutputTruncated(message)
            try:
                value = structured.parse_and_validate(done.text, schema)
            except LlmError as error:
                self._record(stage, seconds=seconds, **counts, finish_reason=done.finish_reason, ok=False,
                             error=str(error), extra=extra)
                raise
            self._record(stage, seconds=seconds, **counts, finish_reason=done.finish_reason, extra=extra)
            return value
        raise AssertionError("unreachable")  # pragma: no cover

    def choose(self, prompt: str | list[dict], options: list[str], *, stage: str,
               cancel: CancelToken | None = None) -> dict[str, float]:
        """P(option | prompt) for each option, from the log-probabilities of the option's tokens, normalised over
        the options so the values sum to 1. ``prompt`` is raw text, or chat messages (rendered with the model's
        template and its generation prompt) for instruct models. Options are scored as given, so include any
        leading space the prompt expects (e.g. prompt "Answer:" with options " yes" / " no")."""
        if not options:
            raise ValueError("choose() needs at least one option")
        if len(set(options)) != len(options):
            raise ValueError("choose() options must be distinct")
        if cancel is not None:
            cancel.check()
        started = time.perf_counter()
        try:
            with self._lock:
                scores = self._option_logprobs(prompt, options, cancel=cancel)
        except (LlmError, Cancelled) as error:
            self._record(stage, seconds=time.perf_counter() - started, ok=False,
                         error=str(error) or type(error).__name__, extra={"options": len(options)})
            raise
        self._record(stage, seconds=time.perf_counter() - started, prompt_tokens=scores.prompt_tokens,
                     completion_tokens=scores.completion_tokens, finish_reason="choose",
                     extra={"options": len(options)})
        return dict(zip(options, softmax(scores.logprobs)))

    def embed(self, texts: list[str]) -> list[list[float]]:
        """One vector per text. Raises LlmError where the backend has no embeddings."""
        started = time.perf_counter()
        try:
            with self._lock:
                vectors, tokens = self._embed(list(texts))
        except LlmError as error:
            self._record("embed", seconds=time.perf_counter() - started, ok=False, error=str(error))
            raise
        self._record("embed", seconds=time.perf_counter() - started, prompt_tokens=tokens, finish_reason="embed",
                     extra={"texts": len(texts)})
        return vectors

    def placement_summary(self) -> str:
        """One line for the status bar: which model, and where its weights live."""
        return self.name

    def close(self) -> None:
        """Free the model (or connection). Safe to call twice."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- backend hooks ----------------------------------------------------------------------------------
    def _complete(self, messages: list[dict], plan: structured.SchemaPlan, *, max_tokens: int,
                  temperature: float, cancel: CancelToken | None) -> Completion:
        raise NotImplementedError

    def _option_logprobs(self, prompt: str | list[dict], options: list[str], *,
                         cancel: CancelToken | None) -> OptionScores:
        raise NotImplementedError

    def _embed(self, texts: list[str]) -> tuple[list[list[float]], int]:
        raise LlmError(f"{self.name} cannot compute embeddings")

    def _retry_room(self, room: int, prompt_tokens: int) -> int:
        """How many tokens the retry after a cut-off answer may use (backends cap it by their context)."""
        return room * 2


def softmax(logprobs: list[float]) -> list[float]:
    top = max(logprobs)
    weights = [math.exp(value - top) for value in logprobs]
    total = sum(weights)
    return [weight / total for weight in weights]


def capability_of(engine: Engine | None) -> Capability | None:
    """The one way every stage reads what a model can do; None when there is no model (statistics only)."""
    return None if engine is None else engine.capability
