"""The LLM layer's errors, in a leaf module every part of ``litreview.llm`` may import without a cycle."""

from __future__ import annotations

from litreview.errors import LitreviewError


class LlmError(LitreviewError):
    """Something went wrong with the model that the user can understand and fix (missing or corrupt model file,
    server down, output that cannot be parsed). The message is meant to be shown as is."""


class OutputTruncated(LlmError):
    """The model hit ``max_tokens`` before closing its JSON, even after one retry with twice the room."""
