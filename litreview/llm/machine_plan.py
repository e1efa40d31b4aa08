"""The placement plan for a model on *this* machine, in words: shared by `litreview models plan` and Settings.

The planner (``planner.py``) is pure arithmetic over tensor sizes and a budget; this module finds the budget (free
VRAM of a GPU this llama.cpp build can use, available RAM) and says the result in a few lines a user can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from litreview.llm import placement
from litreview.llm.gguf_info import ModelInfo, human_bytes, read_model_info
from litreview.llm.model_store import display_name
from litreview.llm.planner import Plan, plan_placement

GB = 10**9  # "--vram-gb 12" means 12e9 bytes, as GPU makers count


@dataclass
class MachinePlan:
    info: ModelInfo
    plan: Plan
    vram: int
    ram: int
    note: str = ""

    def lines(self) -> list[str]:
        plan, info = self.plan, self.info
        lines = [f"{display_name(info.path, info.name)}: {human_bytes(info.weight_bytes)} of weights, "
                 f"KV cache {human_bytes(plan.kv_bytes)} for {plan.n_ctx} tokens",
                 f"budget: {human_bytes(self.vram)} VRAM, {human_bytes(self.ram)} RAM",
                 f"{'fits' if plan.fits else 'DOES NOT FIT'}: mode {plan.mode}, n_gpu_layers {plan.n_gpu_layers}, "
                 f"n_cpu_moe {plan.n_cpu_moe}; GPU {human_bytes(plan.gpu_bytes)}, RAM {human_bytes(plan.cpu_bytes)}",
                 plan.reason]
        return lines + ([self.note] if self.note else [])


def gpu_build() -> bool:
    """Whether this llama.cpp build can place anything on a GPU (a CPU-only build cannot)."""
    return any(device["is_gpu"] for device in placement.list_devices())


def plan_here(model: str | Path | ModelInfo, *, n_ctx: int = 4096, vram_gb: float | None = None,
              ram_gb: float | None = None) -> MachinePlan:
    """The plan for ``model`` with this machine's free VRAM and RAM (or the given budget)."""
    info = model if isinstance(model, ModelInfo) else read_model_info(Path(model))
    note = ""
    if vram_gb is not None:
        vram = int(vram_gb * GB)
    else:
        vram = placement.free_vram_bytes()
        if not vram and placement.nvidia_smi_free_bytes():
            vram = placement.nvidia_smi_free_bytes()
            note = ("note: this llama.cpp build cannot use the NVIDIA GPU nvidia-smi reports; "
                    "rebuild llama-cpp-python with CMAKE_ARGS=-DGGML_CUDA=on to run this plan")
    ram = int(ram_gb * GB) if ram_gb is not None else placement.available_ram_bytes()
    return MachinePlan(info, plan_placement(info, vram_bytes=vram, ram_bytes=ram, n_ctx=n_ctx), vram, ram, note)
