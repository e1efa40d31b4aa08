"""Reading GGUF headers, and the generated tiny MoE model itself."""

from __future__ import annotations

import hashlib

import pytest

from litreview.llm.gguf_info import GgufError, read_model_info
from litreview.llm.tiny_moe import REALISTIC, shape_of, write_moe_gguf


def test_tiny_moe_is_a_qwen3moe_with_stacked_experts(tiny_moe):
    info = read_model_info(tiny_moe)
    assert (info.architecture, info.n_layer, info.n_expert, info.n_expert_used) == ("qwen3moe", 2, 4, 2)
    assert info.is_moe and sorted(info.expert_bytes) == [0, 1]
    assert 0 < info.expert_share < 1 and info.chat_template and info.n_vocab > 256
    assert info.weight_bytes <= info.file_bytes


def test_generation_is_deterministic_and_seeded(tmp_path):
    first = write_moe_gguf(tmp_path / "a.gguf")
    second = write_moe_gguf(tmp_path / "b.gguf")
    other_seed = write_moe_gguf(tmp_path / "c.gguf", seed=1)
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (first, second, other_seed)]
    assert digest[0] == digest[1] != digest[2]


def test_shapes_scale(tmp_path):
    info = read_model_info(write_moe_gguf(tmp_path / "m.gguf", shape_of(n_layer=3, n_expert=8, n_expert_used=2)))
    assert (info.n_layer, info.n_expert) == (3, 8)
    assert (REALISTIC.n_layer, REALISTIC.n_expert, REALISTIC.n_expert_used) == (24, 64, 8)


def test_missing_not_gguf_and_truncated_files_are_refused(tmp_path, tiny_moe):
    with pytest.raises(GgufError, match="not found"):
        read_model_info(tmp_path / "nope.gguf")
    text = tmp_path / "notes.gguf"
    text.write_text("hello")
    with pytest.raises(GgufError, match="not a GGUF"):
        read_model_info(text)
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(tiny_moe.read_bytes()[:100_000])
    with pytest.raises(GgufError, match="incomplete|damaged"):
        read_model_info(cut)
