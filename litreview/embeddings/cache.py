"""Study vectors cached in the library (``study_vectors``), recomputed only when a study's text changes.

A 10,000-study library takes minutes to embed; a rebuild, a new import or screening should pay only for the
studies whose text is new. Each row holds the model id and a hash of the exact text embedded, so a changed
abstract, a different model or a different cut-off length misses the cache. The table is a cache, not a user
change: rows are written outside the undo log, batch by batch, so a cancelled run keeps what it finished.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np

from litreview.jobs import CancelToken, ProgressEvent, no_progress

WRITE_EVERY = 64


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def study_vectors(library, items: list[tuple[int, str]], encoder, *,
                  progress: Callable[[ProgressEvent], None] = no_progress, cancel: CancelToken | None = None,
                  write: Callable | None = None, stage: str = "embed") -> np.ndarray:
    """Vectors for ``items`` = [(study id, text)], in order: cached rows where model and text hash match, the
    rest encoded now (in chunks, each stored as soon as it is done). ``write(op)`` runs a cache write on the
    library that may write (the app's writer; default: ``library`` itself, skipped when it is read-only)."""
    out = np.zeros((len(items), encoder.dims), dtype=np.float32)
    hashes = [text_hash(text) for _, text in items]
    cached = _read(library, [study_id for study_id, _ in items], encoder.model_id)
    missing = []
    for row, ((study_id, _), digest) in enumerate(zip(items, hashes)):
        hit = cached.get(study_id)
        if hit is not None and hit[0] == digest and len(hit[1]) == encoder.dims:
            out[row] = hit[1]
        else:
            missing.append(row)
    progress(ProgressEvent(stage, len(items) - len(missing), len(items), "vectors from the cache"))
    for start in range(0, len(missing), WRITE_EVERY):
        chunk = missing[start:start + WRITE_EVERY]
        vectors = encoder.encode([items[r][1] for r in chunk], cancel=cancel)
        out[chunk] = vectors
        keys = [(items[r][0], hashes[r]) for r in chunk]
        if write is not None:
            write(lambda target, keys=keys, vectors=vectors: _write(target, keys, vectors, encoder.model_id))
        else:
            _write(library, keys, vectors, encoder.model_id)
        progress(ProgressEvent(stage, len(items) - len(missing) + start + len(chunk), len(items)))
    return out


def _read(library, study_ids: list[int], model_id: str) -> dict[int, tuple[str, np.ndarray]]:
    out: dict[int, tuple[str, np.ndarray]] = {}
    for start in range(0, len(study_ids), 500):
        chunk = study_ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for study_id, digest, blob in library.conn.execute(
                f"SELECT study_id, text_hash, vector FROM study_vectors WHERE model = ? AND study_id IN ({marks})",
                [model_id, *chunk]):
            out[study_id] = (digest, np.frombuffer(blob, dtype=np.float32))
    return out


def _write(library, keys: list[tuple[int, str]], vectors: np.ndarray, model_id: str) -> None:
    if getattr(library, "read_only", False):
        return
    rows = [(study_id, model_id, digest, np.asarray(vector, dtype=np.float32).tobytes())
            for (study_id, digest), vector in zip(keys, vectors)]
    with library.atomic():
        library.conn.executemany("INSERT OR REPLACE INTO study_vectors(study_id, model, text_hash, vector) "
                                 "VALUES (?, ?, ?, ?)", rows)
