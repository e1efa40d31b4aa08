"""Labelled screening datasets (the ``../shared/data/screening`` layout) and the simulation's prior draw.

A dataset is a CSV (optionally gzipped) with ``title``, ``abstract`` and ``label_included`` columns, the layout
ASReview and SYNERGY use. Rows keep their file order: a row's 0-based index is its identity in every order we
write, which is what lets anyone (ASReview included) replay and rescore a run.
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from litreview.errors import InputError


class DatasetError(InputError):
    """The file is not a usable labelled screening dataset; the message says why."""


@dataclass
class LabelledDataset:
    name: str
    titles: list[str]
    abstracts: list[str]
    labels: np.ndarray  # 0/1 per row

    @property
    def texts(self) -> list[str]:
        return [f"{t} {a}".strip() for t, a in zip(self.titles, self.abstracts)]

    def __len__(self) -> int:
        return len(self.labels)


def dataset_name(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".csv"):
        name = name.removesuffix(suffix)
    return name


def load_labelled(path: str | Path) -> LabelledDataset:
    """Read a labelled CSV or CSV.GZ; a file that cannot be scored (no labels, no included record) is refused."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path}: no such file")
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        text = raw.decode("utf-8-sig")
    except (OSError, EOFError, gzip.BadGzipFile, UnicodeDecodeError) as error:
        raise DatasetError(f"{path}: cannot read as UTF-8 CSV ({error})") from error
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        columns = {c.strip().lower(): c for c in (reader.fieldnames or [])}
        rows = list(reader)
    except csv.Error as error:
        raise DatasetError(f"{path}: malformed CSV ({error})") from error
    if "label_included" not in columns:
        raise DatasetError(f"{path}: no 'label_included' column (found: {', '.join(columns) or 'none'})")
    if "title" not in columns and "abstract" not in columns:
        raise DatasetError(f"{path}: needs a 'title' or an 'abstract' column")
    titles, abstracts, labels = [], [], []
    for number, row in enumerate(rows, start=2):
        value = (row.get(columns["label_included"]) or "").strip()
        if value not in {"0", "1", "0.0", "1.0"}:
            raise DatasetError(f"{path}, line {number}: label_included must be 0 or 1, not {value!r}")
        labels.append(int(float(value)))
        titles.append((row.get(columns.get("title", ""), "") or "").strip())
        abstracts.append((row.get(columns.get("abstract", ""), "") or "").strip())
    label_array = np.asarray(labels, dtype=int)
    if label_array.size == 0:
        raise DatasetError(f"{path}: no records")
    if label_array.sum() == 0:
        raise DatasetError(f"{path}: no included records (label_included is 0 everywhere), so nothing can be simulated")
    if label_array.sum() == label_array.size:
        raise DatasetError(f"{path}: every record is included, so there is no irrelevant record to start from")
    return LabelledDataset(dataset_name(path), titles, abstracts, label_array)


def pick_priors(labels: np.ndarray, seed: int, n_included: int = 1, n_excluded: int = 1) -> list[int]:
    """The prior rows for one seed, exactly as ``asreview simulate --prior-seed SEED`` draws them.

    ``RandomState(seed).choice`` over the relevant rows, then a *fresh* ``RandomState(seed)`` over the
    irrelevant rows (screening-metrics.md), so ASReview and litreview start from the same two records.
    """
    labels = np.asarray(labels)
    relevant = np.flatnonzero(labels == 1)
    irrelevant = np.flatnonzero(labels == 0)
    if len(relevant) < n_included or len(irrelevant) < n_excluded:
        raise DatasetError(f"cannot draw {n_included} included and {n_excluded} excluded priors from this dataset")
    chosen = list(np.random.RandomState(seed).choice(relevant, n_included, replace=False))
    chosen += list(np.random.RandomState(seed).choice(irrelevant, n_excluded, replace=False))
    return [int(row) for row in chosen]
