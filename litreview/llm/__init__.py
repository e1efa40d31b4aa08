"""litreview's LLM engine: one interface (``Engine``) over llama.cpp in-process or an OpenAI-compatible server.

    from litreview.llm import open_engine
    with open_engine(library=lib) as engine:          # settings from settings.toml; default = small default model
        value = engine.generate_json(messages, schema, stage="claims")
        probs = engine.choose("Is this an RCT? Answer:", [" yes", " no"], stage="screen")

Importing this package does not load llama.cpp; the model is loaded (and the default model assembled) when an
engine is opened.
"""

from __future__ import annotations

import os

# llama.cpp's CPU threads sync through OpenMP; with the default active wait policy an oversubscribed CPU (the
# desktop UI, other apps, a second engine) makes every barrier spin: measured 8-13x slower generation with 2
# threads on a busy 2-core machine, vs about 1x with passive waiting (bench/llm_bench.py). Must be set before
# llama.cpp's library is loaded, i.e. before the first `import llama_cpp`; a user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from litreview.llm.engine import Capability, Engine, capability_of
from litreview.llm.errors import LlmError, OutputTruncated
from litreview.llm.factory import open_engine
from litreview.llm.machine_plan import MachinePlan, gpu_build, plan_here
from litreview.llm.model_store import FETCHABLE, default_model_path, fetch
from litreview.llm.server import ServerEngine
from litreview.llm.settings import PLACEMENT_MODES, LlmSettings, SettingsError, physical_cores

__all__ = ["Capability", "capability_of", "default_model_path", "Engine", "fetch", "FETCHABLE", "gpu_build",
           "LlmError", "LlmSettings", "MachinePlan", "open_engine", "OutputTruncated", "physical_cores",
           "PLACEMENT_MODES", "plan_here", "ServerEngine", "SettingsError"]
