"""Synthetic ``qwen3moe`` GGUF files with seeded random weights, written with the ``gguf`` package.

They let tests and benches drive llama.cpp's real Mixture-of-Experts path (stacked ``blk.N.ffn_*_exps`` expert
tensors, a router, a chat template, a byte-fallback vocabulary that can spell any JSON) with no download:
``TINY`` (2 layers, 4 experts, 2 used; ~190 KB, well under a second) for tests, ``REALISTIC`` (24 layers,
64 experts, 8 used, the layout of real MoE checkpoints at a smaller width) for the placement bench. The output
is byte-identical for the same shape and seed. The text it generates is random; structure comes from grammars.
Adapted from the feasibility study's make_tiny_moe.py.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ARCH = "qwen3moe"
CHATML_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


@dataclass(frozen=True)
class MoeShape:
    n_layer: int = 2
    n_embd: int = 64
    n_head: int = 4
    n_head_kv: int = 2
    n_expert: int = 4
    n_expert_used: int = 2
    n_ff_exp: int = 32
    n_ctx_train: int = 4096
    expert_type: str = "Q4_0"
    dense_type: str = "Q8_0"


TINY = MoeShape()
REALISTIC = MoeShape(n_layer=24, n_embd=512, n_head=8, n_head_kv=4, n_expert=64, n_expert_used=8, n_ff_exp=256)


def build_vocab() -> tuple[list[str], list[float], list[int]]:
    """SentencePiece-style vocabulary (tokenizer.ggml.model = 'llama') with byte fallback and ChatML controls."""
    import gguf

    tokens: list[str] = []
    scores: list[float] = []
    types: list[int] = []

    def add(text: str, score: float, kind: int) -> None:
        tokens.append(text)
        scores.append(score)
        types.append(kind)

    kinds = gguf.TokenType
    add("<unk>", 0.0, kinds.UNKNOWN)
    add("<s>", 0.0, kinds.CONTROL)
    add("</s>", 0.0, kinds.CONTROL)
    add("<|im_start|>", 0.0, kinds.CONTROL)
    add("<|im_end|>", 0.0, kinds.CONTROL)
    for byte in range(256):
        add(f"<0x{byte:02X}>", 0.0, kinds.BYTE)
    for code in range(0x20, 0x7F):  # SentencePiece spells the space as U+2581
        add("\u2581" if code == 0x20 else chr(code), -1.0, kinds.NORMAL)
    pieces = ['{"', '":', '",', '"}', '":"', '["', '"]', "\u2581the", "\u2581of", "\u2581and", "\u2581a", "\u2581to",
              "ing", "tion", "er", "\u2581learning", "\u2581model", "\u2581data", "topic", "title", "label",
              "\u2581deep", "\u2581graph", "\u2581protein", "\u2581yes", "\u2581no"]
    seen = set(tokens)
    for index, piece in enumerate(pieces):
        if piece not in seen:
            add(piece, -0.5 + 0.001 * index, kinds.NORMAL)
            seen.add(piece)
    return tokens, scores, types


def write_moe_gguf(path: str | Path, shape: MoeShape = TINY, *, seed: int = 0, chat_template: bool = True,
                   name: str = "tiny-synthetic-qwen3moe") -> Path:
    """Write a synthetic qwen3moe GGUF to ``path`` (replacing it) and return the path."""
    import gguf
    from gguf import GGMLQuantizationType as QT
    from gguf import quants

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    expert_type, dense_type = QT[shape.expert_type], QT[shape.dense_type]
    head_dim = shape.n_embd // shape.n_head
    tokens, scores, types = build_vocab()

    def quantize(array: np.ndarray, kind: QT) -> np.ndarray:
        if kind == QT.F32:
            return array.astype(np.float32)
        if kind == QT.F16:
            return array.astype(np.float16)
        return quants.quantize(array.astype(np.float32), kind)

    def randn(*dims: int, scale: float) -> np.ndarray:
        return (rng.standard_normal(dims, dtype=np.float32) * scale).astype(np.float32)

    temporary = path.with_name(path.name + ".part")
    writer = gguf.GGUFWriter(str(temporary), ARCH)
    writer.add_name(name)
    writer.add_type("model")
    writer.add_context_length(shape.n_ctx_train)
    writer.add_embedding_length(shape.n_embd)
    writer.add_block_count(shape.n_layer)
    writer.add_feed_forward_length(shape.n_ff_exp * shape.n_expert_used)
    writer.add_expert_feed_forward_length(shape.n_ff_exp)
    writer.add_head_count(shape.n_head)
    writer.add_head_count_kv(shape.n_head_kv)
    writer.add_key_length(head_dim)
    writer.add_value_length(head_dim)
    writer.add_rope_freq_base(10000.0)
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_expert_count(shape.n_expert)
    writer.add_expert_used_count(shape.n_expert_used)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q4_0 if expert_type == QT.Q4_0 else gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model("llama")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_unk_token_id(0)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)
    writer.add_add_space_prefix(True)
    if chat_template:
        writer.add_chat_template(CHATML_TEMPLATE)

    def put(tensor: str, array: np.ndarray, kind: QT) -> None:
        writer.add_tensor(tensor, quantize(array, kind), raw_dtype=kind)

    # numpy shapes are ggml's ne reversed: ggml {n_embd, n_ff_exp, n_expert} is numpy (n_expert, n_ff_exp, n_embd)
    n_vocab, n_embd = len(tokens), shape.n_embd
    q_dim, kv_dim = head_dim * shape.n_head, head_dim * shape.n_head_kv
    put("token_embd.weight", randn(n_vocab, n_embd, scale=1.0), QT.F32)
    put("output_norm.weight", np.ones(n_embd, np.float32), QT.F32)
    put("output.weight", randn(n_vocab, n_embd, scale=0.5), dense_type)
    for layer in range(shape.n_layer):
        prefix = f"blk.{layer}."
        put(prefix + "attn_norm.weight", np.ones(n_embd, np.float32), QT.F32)
        put(prefix + "attn_q.weight", randn(q_dim, n_embd, scale=0.2), dense_type)
        put(prefix + "attn_k.weight", randn(kv_dim, n_embd, scale=0.2), dense_type)
        put(prefix + "attn_v.weight", randn(kv_dim, n_embd, scale=0.2), dense_type)
        put(prefix + "attn_output.weight", randn(n_embd, q_dim, scale=0.2), dense_type)
        put(prefix + "attn_q_norm.weight", np.ones(head_dim, np.float32), QT.F32)
        put(prefix + "attn_k_norm.weight", np.ones(head_dim, np.float32), QT.F32)
        put(prefix + "ffn_norm.weight", np.ones(n_embd, np.float32), QT.F32)
        put(prefix + "ffn_gate_inp.weight", randn(shape.n_expert, n_embd, scale=0.5), QT.F32)
        put(prefix + "ffn_gate_exps.weight", randn(shape.n_expert, shape.n_ff_exp, n_embd, scale=0.2), expert_type)
        put(prefix + "ffn_up_exps.weight", randn(shape.n_expert, shape.n_ff_exp, n_embd, scale=0.2), expert_type)
        put(prefix + "ffn_down_exps.weight", randn(shape.n_expert, n_embd, shape.n_ff_exp, scale=0.2), expert_type)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    temporary.replace(path)
    return path


def shape_of(**changes: Any) -> MoeShape:
    """TINY with some fields changed (for tests that need e.g. more layers)."""
    return dataclasses.replace(TINY, **changes)
