"""The small default model (gemma-3-270m, a base model with no chat template) in-process: a real LM."""

from __future__ import annotations

import jsonschema
import pytest

pytestmark = pytest.mark.slow

TITLES = ["Protein structure prediction with deep learning", "Dark matter halos in dwarf galaxies",
          "Compilers for tensor programs", "Gene expression in yeast under stress",
          "Gravitational waves from binary neutron stars", "Type inference for Python programs"]
SCHEMA = {"type": "object", "properties": {
    "category": {"enum": ["biology", "physics", "computing"]},
    "year": {"type": "integer", "minimum": 1900, "maximum": 2030},
    "keywords": {"type": "array", "items": {"type": "string", "maxLength": 20}, "minItems": 1, "maxItems": 2}},
    "required": ["category", "year", "keywords"], "additionalProperties": False}


def test_identity(gemma_engine):
    assert gemma_engine.name == "gemma-3-270m · small default model"
    assert gemma_engine.capability == "small"
    assert gemma_engine.placement_summary().startswith("gemma-3-270m · small default model · ")
    assert gemma_engine.info.chat_template is None  # a base model: prompts are rendered as plain text


def test_structured_output_from_a_base_model(gemma_engine, library):
    gemma_engine.record_to(library)
    try:
        for index, title in enumerate(TITLES):
            messages = [{"role": "system", "content": "Classify the paper title. Answer in JSON."},
                        {"role": "user", "content": "Title: Ribosome assembly in bacteria"},
                        {"role": "assistant", "content": '{"category": "biology", "year": 2019, "keywords": ["ribosome"]}'},
                        {"role": "user", "content": f"Title: {title}"}]
            value = gemma_engine.generate_json(messages, SCHEMA, stage="default-model", max_tokens=64,
                                               temperature=0.0 if index % 2 else 0.7)
            jsonschema.validate(value, SCHEMA)
    finally:
        gemma_engine.record_to(None)
    runs = library.query("SELECT ok, prompt_tokens, completion_tokens FROM llm_runs")
    assert len(runs) == len(TITLES) and all(r["ok"] == 1 and r["completion_tokens"] > 0 for r in runs)


def test_choose_knows_something(gemma_engine):
    probabilities = gemma_engine.choose("The capital of France is", [" Paris", " London", " Berlin"],
                                        stage="default-model")
    assert max(probabilities, key=probabilities.get) == " Paris"


def test_embeddings(gemma_engine):
    vectors = gemma_engine.embed(["protein folding", "protein structure", "black holes"])
    assert len(vectors) == 3 and len(vectors[0]) == 640
