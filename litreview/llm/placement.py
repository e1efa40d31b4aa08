"""Tensor buffer-type overrides (llama.cpp's ``-ot`` / ``--cpu-moe`` / ``--n-cpu-moe``) for llama-cpp-python 0.3.36.

Its ``Llama(...)`` has no parameter for them and silently swallows unknown keyword arguments; the C field
``llama_model_params.tensor_buft_overrides`` is bound as a bare pointer and the override struct and the ggml
device functions are not bound at all. We bind those few functions, build the NULL-terminated C array, and
inject its address into the params object ``Llama.__init__`` creates by wrapping ``llama_model_default_params``
for the duration of the constructor (``Llama.__init__`` only sets other fields on it). The test suite proves
the override from the loader's own "buffer type overridden" log lines, so a llama-cpp-python upgrade that breaks
this path fails CI. (Worked example: shared/notes/moe_placement.py.)
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

GGML_BACKEND_DEVICE_TYPE_GPU = 1
_bound: dict[str, Any] = {}
_inject_lock = threading.Lock()


class llama_model_tensor_buft_override(ctypes.Structure):  # noqa: N801 (C name)
    _fields_ = [("pattern", ctypes.c_char_p), ("buft", ctypes.c_void_p)]


def _ggml() -> dict[str, Any]:
    """The ggml device functions, bound once through libllama's handle (its dependency libggml exports them)."""
    if _bound:
        return _bound
    import llama_cpp
    import llama_cpp.llama_cpp as lc

    lib = lc._lib
    size_p = ctypes.POINTER(ctypes.c_size_t)
    for name, argtypes, restype in [
        ("ggml_backend_dev_count", [], ctypes.c_size_t),
        ("ggml_backend_dev_get", [ctypes.c_size_t], ctypes.c_void_p),
        ("ggml_backend_dev_name", [ctypes.c_void_p], ctypes.c_char_p),
        ("ggml_backend_dev_description", [ctypes.c_void_p], ctypes.c_char_p),
        ("ggml_backend_dev_type", [ctypes.c_void_p], ctypes.c_int),
        ("ggml_backend_dev_buffer_type", [ctypes.c_void_p], ctypes.c_void_p),
        ("ggml_backend_buft_name", [ctypes.c_void_p], ctypes.c_char_p),
        ("ggml_backend_dev_memory", [ctypes.c_void_p, size_p, size_p], None),
    ]:
        function = getattr(lib, name)
        function.argtypes, function.restype = argtypes, restype
        _bound[name] = function
    llama_cpp.llama_backend_init()
    return _bound


def list_devices() -> list[dict[str, Any]]:
    """Every ggml device with its default buffer type and free/total memory (VRAM for GPUs)."""
    g = _ggml()
    devices = []
    for index in range(g["ggml_backend_dev_count"]()):
        dev = g["ggml_backend_dev_get"](index)
        buft = g["ggml_backend_dev_buffer_type"](dev)
        free, total = ctypes.c_size_t(), ctypes.c_size_t()
        g["ggml_backend_dev_memory"](dev, ctypes.byref(free), ctypes.byref(total))
        devices.append({
            "index": index, "name": g["ggml_backend_dev_name"](dev).decode(),
            "description": g["ggml_backend_dev_description"](dev).decode(),
            "is_gpu": g["ggml_backend_dev_type"](dev) == GGML_BACKEND_DEVICE_TYPE_GPU,
            "buft": buft, "buft_name": g["ggml_backend_buft_name"](buft).decode() if buft else None,
            "free": free.value, "total": total.value,
        })
    return devices


def buffer_types() -> dict[str, int]:
    """{'CPU': ptr, 'CUDA0': ptr, ...}: the names an `-ot pattern=NAME` rule may use."""
    return {d["buft_name"]: d["buft"] for d in list_devices() if d["buft"]}


def free_vram_bytes() -> int:
    """Free memory of the first GPU this llama.cpp build can use; 0 on a CPU-only build or machine."""
    return next((d["free"] for d in list_devices() if d["is_gpu"]), 0)


def nvidia_smi_free_bytes() -> int:
    """Free memory of the first NVIDIA GPU according to nvidia-smi (0 without one). For planning only: a
    CPU-only llama.cpp build cannot use that GPU, which ``free_vram_bytes`` reflects."""
    import shutil
    import subprocess

    if shutil.which("nvidia-smi") is None:
        return 0
    try:
        done = subprocess.run(["nvidia-smi", "--query-gpu=memory.free", "--format=csv,noheader,nounits"],
                              capture_output=True, text=True, timeout=10)
        return int(done.stdout.split()[0]) * (1 << 20) if done.returncode == 0 and done.stdout.strip() else 0
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return 0


def available_ram_bytes() -> int:
    """MemAvailable from /proc/meminfo (what can be used without swapping), else total physical memory."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def parse_rules(specs: Sequence[str]) -> list[tuple[str, str]]:
    """`-ot` syntax: each spec 'regex=BUFFER' (or several joined with commas) -> [(regex, BUFFER)]."""
    rules = []
    for spec in specs:
        for item in spec.split(","):
            pattern, sep, buffer = item.strip().rpartition("=")
            if not sep or not pattern or not buffer:
                raise ValueError(f"invalid tensor override {item!r}: expected 'regex=BUFFER', e.g. 'exps=CPU'")
            rules.append((pattern, buffer))
    return rules


class TensorOverrides:
    """The NULL-terminated C array (and the pattern bytes it points to); must outlive the model."""

    def __init__(self, rules: Sequence[tuple[str, str]]):
        bufts = buffer_types()
        self.rules = list(rules)
        self._patterns = [pattern.encode() for pattern, _ in self.rules]
        self.array = (llama_model_tensor_buft_override * (len(self.rules) + 1))()
        for slot, ((pattern, buffer), encoded) in zip(self.array, zip(self.rules, self._patterns)):
            if buffer not in bufts:
                raise ValueError(f"unknown buffer type {buffer!r} in tensor override {pattern!r}; "
                                 f"this llama.cpp build has: {', '.join(sorted(bufts))}")
            slot.pattern = encoded
            slot.buft = bufts[buffer]

    @property
    def address(self) -> int:
        return ctypes.addressof(self.array)


@contextlib.contextmanager
def _injected(overrides: TensorOverrides | None) -> Iterator[None]:
    if overrides is None or not overrides.rules:
        yield
        return
    import llama_cpp.llama_cpp as lc

    with _inject_lock:  # the wrapper is process-global: one constructor at a time
        original = lc.llama_model_default_params

        def with_overrides():
            params = original()
            params.tensor_buft_overrides = overrides.address
            return params

        lc.llama_model_default_params = with_overrides
        try:
            yield
        finally:
            lc.llama_model_default_params = original


def load_llama(model_path: str, *, overrides: TensorOverrides | None = None, **kwargs: Any):
    """``llama_cpp.Llama(model_path, **kwargs)`` with the tensor overrides applied."""
    import llama_cpp

    with _injected(overrides):
        llm = llama_cpp.Llama(model_path=model_path, **kwargs)
    llm._litreview_overrides = overrides  # type: ignore[attr-defined]  # keeps the C array alive with the model
    return llm


@contextlib.contextmanager
def native_stderr() -> Iterator[list[str]]:
    """Capture what C code (and Python) writes to stderr, at the file-descriptor level, into the yielded list
    (filled on exit). llama.cpp's loader log goes there; pytest's capsys cannot see it."""
    captured: list[str] = []
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as sink:
        os.dup2(sink.fileno(), 2)
        python_stderr = sys.stderr
        sys.stderr = open(os.dup(2), "w", buffering=1, encoding="utf-8", errors="replace", closefd=True)
        try:
            yield captured
        finally:
            sys.stderr.flush()
            sys.stderr.close()
            sys.stderr = python_stderr
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            captured.append(sink.read().decode("utf-8", "replace"))
