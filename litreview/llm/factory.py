"""Which engine to open: the one place that knows every backend (so no backend module imports another)."""

from __future__ import annotations

from typing import Any

from litreview.llm.engine import Engine
from litreview.llm.local import LocalEngine
from litreview.llm.server import ServerEngine
from litreview.llm.settings import LlmSettings


def open_engine(settings: LlmSettings | None = None, *, library: Any | None = None) -> Engine:
    """The engine the user configured: a server when ``server_url`` is set, else llama.cpp in-process with the
    chosen GGUF (or the small default model, assembled on first use). Raises LlmError with a readable reason.
    llama.cpp itself is loaded only when a local engine opens its model."""
    settings = settings if settings is not None else LlmSettings.load()
    engine: Engine = ServerEngine(settings) if settings.server_url else LocalEngine(settings)
    engine.record_to(library)
    return engine
