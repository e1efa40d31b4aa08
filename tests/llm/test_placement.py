"""Expert placement through tensor_buft_overrides, proven by llama.cpp's own loader log.

If an upgrade of llama-cpp-python stops passing our override array to the loader, the "buffer type overridden"
lines disappear and these tests fail."""

from __future__ import annotations

import ctypes

import pytest

from litreview.llm import LlmError, LlmSettings, placement
from litreview.llm.gguf_info import EXPERT_REGEX
from litreview.llm.local import LocalEngine
from litreview.llm.planner import expert_rules

MESSAGES = [{"role": "user", "content": "Name a topic."}]
SCHEMA = {"type": "object", "properties": {"topic": {"type": "string", "maxLength": 16}}, "required": ["topic"]}


def overridden(log: str) -> list[str]:
    return [line for line in log.splitlines() if "buffer type overridden" in line]


def test_binding_still_has_the_override_field():
    import llama_cpp.llama_cpp as lc

    assert "tensor_buft_overrides" in dict(lc.llama_model_params._fields_)
    assert "CPU" in placement.buffer_types()


def test_native_stderr_captures_c_level_writes():
    libc = ctypes.CDLL(None)
    with placement.native_stderr() as log:
        libc.write(2, b"from C\n", 7)
    assert "from C" in log[0]


@pytest.mark.parametrize("rules,expected_layers", [
    ([(EXPERT_REGEX, "CPU")], {0, 1}),                          # --cpu-moe
    (expert_rules(1, 2), {0}),                                   # --n-cpu-moe 1
    (placement.parse_rules([r"blk\.1\.ffn_(up|down)_exps=CPU"]), {1}),  # -ot
])
def test_loader_log_shows_expert_tensors_overridden(tiny_moe, rules, expected_layers):
    with placement.native_stderr() as log:
        llm = placement.load_llama(str(tiny_moe), overrides=placement.TensorOverrides(rules), n_ctx=256,
                                   n_threads=1, verbose=True)
    llm.close()
    lines = overridden(log[0])
    assert lines, "llama.cpp did not report any overridden tensor: the override path is broken"
    assert {int(line.split("blk.")[1].split(".")[0]) for line in lines} == expected_layers
    assert all("_exps.weight" in line for line in lines)


def test_no_overrides_no_log_lines(tiny_moe):
    with placement.native_stderr() as log:
        llm = placement.load_llama(str(tiny_moe), overrides=None, n_ctx=256, n_threads=1, verbose=True)
    llm.close()
    assert "model buffer size" in log[0] and not overridden(log[0])


def test_unknown_buffer_type_is_a_clear_error(tiny_moe):
    with pytest.raises(ValueError, match="unknown buffer type 'CUDA7'.*CPU"):
        placement.TensorOverrides([("exps", "CUDA7")])
    with pytest.raises(LlmError, match="CUDA7"):
        LocalEngine(LlmSettings(model_path=str(tiny_moe), override_rules=["exps=CUDA7"], n_ctx=256))
    with pytest.raises(ValueError, match="regex=BUFFER"):
        placement.parse_rules(["no-equals-sign"])


@pytest.mark.parametrize("mode,n,layers_on_cpu", [("cpu-moe", 0, 2), ("n-cpu-moe", 1, 1), ("gpu", 0, 0)])
def test_engine_modes(tiny_moe, mode, n, layers_on_cpu):
    engine = LocalEngine(LlmSettings(model_path=str(tiny_moe), placement=mode, n_cpu_moe=n, n_ctx=256))
    try:
        assert engine.expert_layers_on_cpu() == layers_on_cpu
        assert len(engine.overridden_tensors()) == 3 * layers_on_cpu
        if layers_on_cpu:
            assert f"experts: CPU for {layers_on_cpu}/2 layers" in engine.placement_summary()
        assert engine.settings_summary()["n_cpu_moe"] == layers_on_cpu
    finally:
        engine.close()


def test_auto_on_a_cpu_only_build_plans_cpu(tiny_moe):
    engine = LocalEngine(LlmSettings(model_path=str(tiny_moe), n_ctx=256))
    try:
        assert engine.plan is not None and engine.plan.fits
        if placement.free_vram_bytes() == 0:
            assert engine.plan.mode == "cpu" and engine.n_gpu_layers == 0 and not engine.rules
            assert engine.placement_summary() == "tiny-synthetic-qwen3moe · CPU (2 threads)".replace(
                "2", str(engine.settings.threads))
        else:
            assert engine.plan.mode == "gpu" and engine.placement_summary().endswith("GB VRAM")
    finally:
        engine.close()


def test_overrides_do_not_change_the_output(tiny_moe):
    answers = []
    for mode in ("gpu", "cpu-moe"):
        engine = LocalEngine(LlmSettings(model_path=str(tiny_moe), placement=mode, n_ctx=256, seed=3))
        try:
            answers.append(engine.generate_json(MESSAGES, SCHEMA, stage="test", temperature=0.8))
        finally:
            engine.close()
    assert answers[0] == answers[1]
