"""The placement planner: pure arithmetic over tensor sizes (synthetic model shapes), plus the real tiny GGUF."""

from __future__ import annotations

from pathlib import Path

import pytest

from litreview.llm.gguf_info import EXPERT_REGEX, ModelInfo, read_model_info
from litreview.llm.planner import compute_reserve, expert_rules, plan_placement

GB = 10**9


def qwen3_30b_like() -> ModelInfo:
    """Qwen3-30B-A3B Q4_K_M proportions: 48 layers, 128 experts (8 used), ~17.3 GB experts, ~1.3 GB dense."""
    return ModelInfo(path=Path("qwen3-30b-a3b.gguf"), file_bytes=18_600_000_000, architecture="qwen3moe",
                     name="Qwen3-30B-A3B", n_layer=48, n_expert=128, n_expert_used=8, n_embd=2048, n_head=32,
                     n_head_kv=4, key_length=128, value_length=128, n_vocab=151_936,
                     expert_bytes={i: 360_000_000 for i in range(48)},
                     layer_dense_bytes={i: 15_000_000 for i in range(48)}, global_bytes=600_000_000)


def dense_8b_like() -> ModelInfo:
    return ModelInfo(path=Path("dense.gguf"), file_bytes=4_900_000_000, architecture="llama", name="dense",
                     n_layer=32, n_embd=4096, n_head=32, n_head_kv=8, key_length=128, value_length=128,
                     n_vocab=128_256, layer_dense_bytes={i: 130_000_000 for i in range(32)},
                     global_bytes=740_000_000)


def test_everything_fits_on_a_big_gpu():
    plan = plan_placement(qwen3_30b_like(), vram_bytes=24 * GB, ram_bytes=32 * GB, n_ctx=8192)
    assert plan.fits and plan.mode == "gpu" and plan.n_cpu_moe == 0 and plan.n_gpu_layers == 49
    assert plan.cpu_bytes == 0 and plan.gpu_bytes <= 24 * GB
    assert plan.override_rules() == []


def test_partial_expert_offload_on_a_12_gb_card():
    model = qwen3_30b_like()
    plan = plan_placement(model, vram_bytes=12 * GB, ram_bytes=32 * GB, n_ctx=8192)
    assert plan.fits and plan.mode == "n-cpu-moe"
    assert 0 < plan.n_cpu_moe < 48
    assert plan.gpu_bytes <= 12 * GB
    # the smallest N: one layer fewer would not fit
    one_less = model.weight_bytes - 360_000_000 * (plan.n_cpu_moe - 1) + plan.kv_bytes + compute_reserve(model)
    assert one_less > 12 * GB
    assert plan.cpu_bytes == 360_000_000 * plan.n_cpu_moe
    assert plan.gpu_bytes + plan.cpu_bytes == model.weight_bytes + plan.kv_bytes + plan.reserve_bytes
    rules = plan.override_rules()
    assert len(rules) == plan.n_cpu_moe and rules[0] == (rf"blk\.0{EXPERT_REGEX}", "CPU")


def test_all_experts_on_cpu_when_only_the_dense_part_fits():
    plan = plan_placement(qwen3_30b_like(), vram_bytes=int(2.2 * GB), ram_bytes=32 * GB, n_ctx=4096)
    assert plan.fits and plan.mode == "cpu-moe" and plan.n_cpu_moe == 48 and plan.n_gpu_layers == 49
    assert plan.override_rules() == [(EXPERT_REGEX, "CPU")]


def test_layer_split_when_even_the_dense_part_does_not_fit():
    plan = plan_placement(qwen3_30b_like(), vram_bytes=int(1.2 * GB), ram_bytes=32 * GB, n_ctx=4096)
    assert plan.fits and plan.mode == "layers" and 0 < plan.n_gpu_layers < 48 and plan.n_cpu_moe == 48


def test_dense_model_gets_a_plain_layer_split():
    plan = plan_placement(dense_8b_like(), vram_bytes=3 * GB, ram_bytes=16 * GB, n_ctx=4096)
    assert plan.fits and plan.mode == "layers" and 0 < plan.n_gpu_layers < 32 and plan.n_cpu_moe == 0


def test_no_gpu_runs_on_the_cpu():
    plan = plan_placement(qwen3_30b_like(), vram_bytes=0, ram_bytes=32 * GB, n_ctx=4096)
    assert plan.fits and plan.mode == "cpu" and plan.n_gpu_layers == 0 and plan.gpu_bytes == 0


def test_does_not_fit_without_gpu_and_with_little_ram():
    plan = plan_placement(qwen3_30b_like(), vram_bytes=0, ram_bytes=16 * GB, n_ctx=4096)
    assert not plan.fits and "16.0 GB" in plan.reason


def test_does_not_fit_when_offloaded_experts_exceed_ram():
    plan = plan_placement(qwen3_30b_like(), vram_bytes=8 * GB, ram_bytes=4 * GB, n_ctx=4096)
    assert not plan.fits and plan.mode == "n-cpu-moe" and "RAM" in plan.reason


def test_kv_cache_grows_with_context():
    model = qwen3_30b_like()
    small = plan_placement(model, vram_bytes=24 * GB, ram_bytes=64 * GB, n_ctx=4096)
    large = plan_placement(model, vram_bytes=24 * GB, ram_bytes=64 * GB, n_ctx=32768)
    assert large.kv_bytes == 8 * small.kv_bytes == 8 * (4096 * 48 * 4 * 256 * 2)
    assert large.n_cpu_moe >= small.n_cpu_moe


@pytest.mark.parametrize("n", [0, 1, 2])
def test_expert_rules_mirror_llama_cpp_flags(n):
    assert len(expert_rules(n, 4)) == n
    assert expert_rules(4, 4) == [(EXPERT_REGEX, "CPU")]


def test_tiny_moe_plans(tiny_moe):
    info = read_model_info(tiny_moe)
    assert plan_placement(info, vram_bytes=GB, ram_bytes=GB, n_ctx=1024).mode == "gpu"
    tight = compute_reserve(info) + info.kv_bytes(1024) + info.dense_bytes + info.expert_bytes[1]
    partial = plan_placement(info, vram_bytes=tight, ram_bytes=GB, n_ctx=1024)
    assert partial.mode == "n-cpu-moe" and partial.n_cpu_moe == 1
