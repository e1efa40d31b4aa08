"""Sentence embeddings: the tokenizer matches Hugging Face's, the real model loads and separates topics, missing or
damaged weights give a clear error, and the per-study cache is used until a text changes."""

from __future__ import annotations

import numpy as np
import pytest

from litreview.embeddings import EmbeddingError, load_encoder, study_vectors
from litreview.embeddings.weights import locate
from litreview.embeddings.wordpiece import WordPiece

# ids from the ``tokenizers`` package reading the same tokenizer.json (checked on all 7,248 screening texts too)
GOLDEN = {
    "Sumatriptan (50 mg) vs. placebo: a double-blind RCT.":
        [101, 7680, 4017, 29443, 5794, 1006, 2753, 11460, 1007, 5443, 1012, 2173, 5092, 1024, 1037, 3313, 1011, 6397,
         22110, 2102, 1012, 102],
    "Café naïve résumé – “quoted” 中文 text": [101, 7668, 15743, 13746, 1516, 1523, 9339, 1524, 1746, 1861, 3793, 102],
    "ultramegasupercalifragilisticexpialidocious\tx\u200by":
        [101, 11087, 4168, 12617, 6279, 2121, 9289, 10128, 29181, 24411, 4588, 10288, 19312, 21273, 10085, 6313, 1060,
         2100, 102],
    "İstanbul ß Ⅻ ½": [101, 9960, 1096, 100, 1092, 102],
}


@pytest.fixture(scope="module")
def encoder():
    try:
        return load_encoder(threads=1)
    except EmbeddingError as error:
        pytest.fail(f"the embedding model must be installed for the suite: {error}")


def test_wordpiece_matches_the_reference_tokenizer():
    tokenizer = WordPiece.from_json(locate().tokenizer)
    for text, ids in GOLDEN.items():
        assert tokenizer.encode(text, 512) == ids
    cut = tokenizer.encode("migraine " * 50, 10)
    assert len(cut) == 10 and cut[0] == 101 and cut[-1] == 102


def test_vectors_are_unit_length_and_separate_topics(encoder):
    texts = ["Sumatriptan for the acute treatment of migraine attacks.",
             "Eletriptan relieves migraine headache within two hours.",
             "Metformin lowers fasting glucose in type 2 diabetes.",
             "Glyburide and insulin in non-insulin-dependent diabetes mellitus."]
    vectors = encoder.encode(texts)
    assert vectors.shape == (4, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    sims = vectors @ vectors.T
    assert sims[0, 1] > sims[0, 2] and sims[2, 3] > sims[1, 3]


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_missing_or_damaged_weights_are_a_clear_error(tmp_path, monkeypatch, damage):
    folder = tmp_path / "weights"
    folder.mkdir()
    (folder / "tokenizer.json").write_bytes(locate().tokenizer)
    if damage == "corrupt":
        (folder / "model.onnx").write_bytes(b"\x08\x07not an onnx model" * 100)
    monkeypatch.setenv("LITREVIEW_EMBEDDINGS", str(folder))
    with pytest.raises(EmbeddingError, match="missing" if damage == "missing" else "damaged or not the expected"):
        load_encoder()


def test_cache_reuses_vectors_until_the_text_changes(library, encoder):
    from tests.helpers.studies import add_studies

    ids = add_studies(library, [{"title": "Triptans for migraine", "abstract": "Sumatriptan relieved pain."},
                                {"title": "Metformin in diabetes", "abstract": "Glucose fell."}])
    items = [(ids[0], "Triptans for migraine. Sumatriptan relieved pain."), (ids[1], "Metformin in diabetes.")]
    first = study_vectors(library, items, encoder)
    assert library.conn.execute("SELECT count(*) FROM study_vectors").fetchone()[0] == 2

    class Counting:
        model_id, dims, calls = encoder.model_id, encoder.dims, []

        def encode(self, texts, **_):
            self.calls.append(list(texts))
            return encoder.encode(texts)

    counting = Counting()
    again = study_vectors(library, items, counting)
    assert counting.calls == [] and np.array_equal(first, again)
    changed = [items[0], (ids[1], "Metformin in type 2 diabetes.")]
    study_vectors(library, changed, counting)
    assert counting.calls == [["Metformin in type 2 diabetes."]]
