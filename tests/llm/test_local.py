"""In-process llama.cpp specifics: prompt rendering, exact option scoring, prefix reuse, embeddings, bad models."""

from __future__ import annotations

import math

import numpy as np
import pytest

from litreview.jobs import Cancelled, CancelToken
from litreview.llm import LlmError, LlmSettings
from litreview.llm.local import LocalEngine, log_softmax
from litreview.llm.tiny_moe import write_moe_gguf

SCHEMA = {"type": "object", "properties": {"label": {"enum": ["biology", "physics", "computing"]},
                                           "note": {"type": "string", "maxLength": 10}},
          "required": ["label", "note"], "additionalProperties": False}
INSTRUCTIONS = ("You sort paper titles into one of three categories: biology, physics, computing. " * 6).strip()


def messages(title: str) -> list[dict]:
    return [{"role": "system", "content": INSTRUCTIONS}, {"role": "user", "content": f"Title: {title}"}]


def reference_logprob(llm, prompt: str, option: str) -> float:
    """Score an option the slow, obvious way: evaluate the whole text with logits for every position."""
    base = llm.tokenize(prompt.encode(), add_bos=True)
    full = llm.tokenize((prompt + option).encode(), add_bos=True)
    start = next((i for i, (a, b) in enumerate(zip(base, full)) if a != b), len(base))
    llm.reset()
    llm.eval(full)
    return sum(float(log_softmax(llm.scores[i - 1])[full[i]]) for i in range(start, len(full)))


def test_choose_matches_a_full_evaluation_reference(tiny_engine, tiny_moe):
    import llama_cpp

    prompt, options = "Title: protein folding with graphs. Category:", [" biology", " physics", " computing"]
    reference = llama_cpp.Llama(str(tiny_moe), logits_all=True, n_ctx=256, n_threads=1, verbose=False)
    try:
        expected = [reference_logprob(reference, prompt, option) for option in options]
    finally:
        reference.close()
    weights = [math.exp(v - max(expected)) for v in expected]
    got = tiny_engine.choose(prompt, options, stage="test")
    for option, weight in zip(options, weights):
        assert got[option] == pytest.approx(weight / sum(weights), rel=1e-4, abs=1e-9)


def test_choose_accepts_chat_messages(tiny_engine):
    probabilities = tiny_engine.choose(messages("Dark matter halos"), ["biology", "physics"], stage="test")
    assert sum(probabilities.values()) == pytest.approx(1.0)


class CountingEval:
    """Counts the tokens llama.cpp really evaluates (prefix reuse skips the shared part)."""

    def __init__(self, llm):
        self.original, self.count = llm.eval, 0
        llm.eval = self

    def __call__(self, tokens):
        self.count += len(tokens)
        return self.original(tokens)


@pytest.mark.parametrize("reuse", [True, False])
def test_prefix_reuse_skips_the_shared_prompt(tiny_moe, reuse):
    engine = LocalEngine(LlmSettings(model_path=str(tiny_moe), n_ctx=1024, prefix_reuse=reuse))
    try:
        engine.generate_json(messages("Deep learning for graphs"), SCHEMA, stage="test")
        counter = CountingEval(engine.llm)
        prompt_tokens = len(engine.render(messages("Protein language models")))
        engine.generate_json(messages("Protein language models"), SCHEMA, stage="test")
        if reuse:  # the evaluated tokens are the new title plus the answer, far fewer than the prompt
            assert counter.count < prompt_tokens / 2, "the shared instructions were evaluated again"
        else:
            assert counter.count > prompt_tokens
    finally:
        engine.close()


def test_choose_gives_the_same_answer_with_and_without_reuse(tiny_moe, tiny_engine):
    prompt, options = "Title: quantum dots. Category:", [" biology", " physics"]
    fresh = LocalEngine(LlmSettings(model_path=str(tiny_moe), n_ctx=1024, prefix_reuse=False))
    try:
        tiny_engine.choose(prompt + " x", options, stage="test")  # leaves a partly matching cache behind
        with_reuse = tiny_engine.choose(prompt, options, stage="test")
        without = fresh.choose(prompt, options, stage="test")
    finally:
        fresh.close()
    for option in options:
        assert with_reuse[option] == pytest.approx(without[option], rel=1e-4)


def test_generation_after_choose_is_unaffected(tiny_moe, tiny_engine):
    baseline = LocalEngine(LlmSettings(model_path=str(tiny_moe), n_ctx=1024, placement="cpu-moe"))
    try:
        expected = baseline.generate_json(messages("Graph kernels"), SCHEMA, stage="test")
    finally:
        baseline.close()
    tiny_engine.choose(INSTRUCTIONS, [" a", " b"], stage="test")
    assert tiny_engine.generate_json(messages("Graph kernels"), SCHEMA, stage="test") == expected


def test_chat_template_is_used_when_the_model_has_one(tiny_engine):
    tokens = tiny_engine.render(messages("x"))
    [im_start] = tiny_engine.llm.tokenize(b"<|im_start|>", add_bos=False, special=True)
    assert tokens.count(im_start) == 3  # system, user, and the generation prompt
    assert tiny_engine.llm.detokenize(tokens, special=True).decode().rstrip().endswith("assistant")


def test_base_model_without_template_gets_a_plain_prompt(tmp_path):
    path = write_moe_gguf(tmp_path / "base.gguf", chat_template=False)
    engine = LocalEngine(LlmSettings(model_path=str(path), n_ctx=1024))
    try:
        tokens = engine.render(messages("Graph kernels"))
        text = engine.llm.detokenize(tokens).decode()
        assert "<|im_start|>" not in text and "### Input" in text and text.endswith("### Output\n")
        for index in range(10):
            value = engine.generate_json(messages(f"paper {index}"), SCHEMA, stage="test", temperature=1.0)
            assert value["label"] in SCHEMA["properties"]["label"]["enum"]
    finally:
        engine.close()


def test_embeddings_are_normalised_vectors(tiny_engine):
    vectors = tiny_engine.embed(["protein folding", "dark matter", "graph neural networks"])
    assert len(vectors) == 3 and all(len(v) == 64 for v in vectors)
    assert all(np.linalg.norm(v) == pytest.approx(1.0, abs=1e-3) for v in vectors)


class CancelAfter(CancelToken):
    """A token that reports cancelled after `n` looks: cancels in the middle of a generation."""

    def __init__(self, n: int):
        super().__init__()
        self.left = n

    @property
    def cancelled(self) -> bool:
        self.left -= 1
        return self.left < 0 or super().cancelled


def test_cancel_stops_mid_generation_and_the_engine_still_works(tiny_engine):
    long_schema = {"type": "object", "properties": {"text": {"type": "string", "minLength": 200,
                                                              "maxLength": 200}}, "required": ["text"]}
    with pytest.raises(Cancelled):
        tiny_engine.generate_json(messages("x"), long_schema, stage="test", max_tokens=400, cancel=CancelAfter(5))
    assert tiny_engine.generate_json(messages("x"), SCHEMA, stage="test")["label"]


def test_prompt_longer_than_the_context_is_a_clear_error(tiny_moe):
    engine = LocalEngine(LlmSettings(model_path=str(tiny_moe), n_ctx=256))
    try:
        with pytest.raises(LlmError, match="raise n_ctx"):
            engine.generate_json([{"role": "user", "content": "word " * 400}], SCHEMA, stage="test")
    finally:
        engine.close()
        engine.close()


def test_missing_and_corrupt_models_are_clear_errors(tmp_path, tiny_moe):
    with pytest.raises(LlmError, match="not found"):
        LocalEngine(LlmSettings(model_path=str(tmp_path / "missing.gguf")))
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(tiny_moe.read_bytes()[:120_000])
    with pytest.raises(LlmError, match="incomplete|damaged"):
        LocalEngine(LlmSettings(model_path=str(cut)))
    garbage = tmp_path / "garbage.gguf"
    garbage.write_bytes(b"GGUF" + bytes(range(256)) * 4)
    with pytest.raises(LlmError):
        LocalEngine(LlmSettings(model_path=str(garbage)))
