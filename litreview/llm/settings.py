"""The user's LLM settings: which model (or server), where its weights go, and how llama.cpp runs it.

Stored as ``settings.toml`` in the per-user config folder under an ``[llm]`` table so other areas can keep their
own tables in the same file. Read with tomllib; written by a tiny writer (the values are flat scalars and
string lists) so we need no TOML-writing dependency.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomllib

from litreview import paths
from litreview.errors import InputError

PLACEMENT_MODES = ("auto", "gpu", "cpu-moe", "n-cpu-moe")
SETTINGS_FILE = "settings.toml"
TABLE = "llm"


def physical_cores() -> int:
    """Physical cores available to us: llama.cpp generates at ~2x the speed with every physical core busy, and its
    hyper-threads add nothing (llama-cpp-python's own default, cpu_count()//2, halves speed on a 2-core box)."""
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    cores: set[tuple[str, str]] = set()
    try:
        physical = core = ""
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            key, value = key.strip(), value.strip()
            if key == "physical id":
                physical = value
            elif key == "core id":
                core = value
            elif not key and core:
                cores.add((physical, core))
                physical = core = ""
        if core:
            cores.add((physical, core))
    except OSError:
        pass
    return max(1, min(available, len(cores) or available))


class SettingsError(InputError):
    """settings.toml cannot be read, or holds a value litreview cannot use; the message names the file and key."""


@dataclass
class LlmSettings:
    model_path: str | None = None          # a GGUF file; None = the small default model
    server_url: str | None = None          # an OpenAI-compatible endpoint; when set, no model is loaded locally
    server_model: str | None = None
    api_key: str | None = None
    server_json_mode: str = "grammar"      # grammar (llama.cpp servers) | json_object (+schema) | json_schema (vLLM, Ollama)
    timeout_s: float = 120.0
    retries: int = 2
    placement: str = "auto"                # auto | gpu | cpu-moe | n-cpu-moe
    n_cpu_moe: int = 0                     # for placement n-cpu-moe: layers 0..N-1 keep their experts in RAM
    override_rules: list[str] = field(default_factory=list)  # raw `-ot` rules "regex=BUFFER", tried first
    vram_budget_gb: float | None = None    # cap for the planner (None = free VRAM reported by the GPU)
    n_ctx: int = 4096
    n_threads: int | None = None           # None = physical cores
    n_gpu_layers: int = -1                 # -1 = every layer on the GPU (a GPU build only)
    n_batch: int = 512
    flash_attn: bool = False
    use_mmap: bool = True
    prefix_reuse: bool = True              # keep the KV cache of a shared prompt prefix between calls
    seed: int = 0

    def __post_init__(self) -> None:
        if self.placement not in PLACEMENT_MODES:
            raise SettingsError(f"placement must be one of {', '.join(PLACEMENT_MODES)}, not {self.placement!r}")
        if self.server_json_mode not in ("json_object", "json_schema", "grammar"):
            raise SettingsError("server_json_mode must be 'json_object', 'json_schema' or 'grammar'")
        self.override_rules = list(self.override_rules)

    @property
    def threads(self) -> int:
        return self.n_threads or physical_cores()

    # -- persistence ------------------------------------------------------------------------------------
    @staticmethod
    def default_path() -> Path:
        return paths.config_dir() / SETTINGS_FILE

    @classmethod
    def load(cls, path: Path | None = None) -> LlmSettings:
        """The saved settings, or the defaults when none were saved. Unknown keys are ignored (newer versions)."""
        path = path or cls.default_path()
        if not path.exists():
            return cls()
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8")).get(TABLE, {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise SettingsError(f"cannot read the settings file {path} ({error}): fix it, or delete it to start "
                                "from the defaults") from error
        except OSError as error:
            raise SettingsError(f"cannot read the settings file {path}: {error.strerror or error}") from error
        known = {f.name for f in dataclasses.fields(cls)}
        try:
            return cls(**{key: value for key, value in table.items() if key in known})
        except SettingsError as error:
            raise SettingsError(f"{path}: {error}") from None

    def save(self, path: Path | None = None) -> Path:
        """Write the [llm] table, keeping any other tables in the file. None values are left out (TOML has no null)."""
        path = path or self.default_path()
        others: dict[str, Any] = {}
        if path.exists():
            try:
                others = {k: v for k, v in tomllib.loads(path.read_text(encoding="utf-8")).items() if k != TABLE}
            except tomllib.TOMLDecodeError:
                others = {}
        document = {**others, TABLE: {k: v for k, v in dataclasses.asdict(self).items() if v is not None}}
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".toml.tmp")
        temporary.write_text(dump_toml(document), encoding="utf-8")
        temporary.replace(path)
        return path


def dump_toml(document: dict[str, Any]) -> str:
    """TOML for top-level tables of scalars, lists and inline tables (all settings.toml holds)."""
    lines: list[str] = []
    for name, table in document.items():
        if not isinstance(table, dict):
            lines.insert(0, f"{name} = {toml_value(table)}")
            continue
        lines.append(f"[{name}]")
        lines.extend(f"{key} = {toml_value(value)}" for key, value in table.items() if value is not None)
        lines.append("")
    return "\n".join(lines) + "\n"


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):  # another area's nested table survives a save as an inline table
        return "{" + ", ".join(f"{json.dumps(str(k))} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} to settings.toml")
