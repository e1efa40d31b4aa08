"""Mixtures of real reviews' studies (../shared/data/hierarchy/dev_mixed.csv: title, abstract and the review a
study came from as its gold ``topic``), the CSV `eval hierarchy` reads, and the shared reference scorer."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.paths import SHARED_DATA, need_shared

MIXTURE = "hierarchy/dev_mixed.csv"
# Three reviews whose studies share no vocabulary: a build that cannot tell them apart is broken.
THREE_TOPICS = ("Triptans for migraine", "Software engineering literature reviews",
                "Rodent object-in-context recognition memory")
FIVE_TOPICS = (*THREE_TOPICS, "Estrogens for menopause", "Nudging healthcare professionals")


def read_mixture(name: str = MIXTURE) -> list[dict[str, str]]:
    """The rows of a mixture under ../shared/data (skips without the data)."""
    with open(need_shared(name), newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_mixture(path: Path, rows: list[dict[str, Any]]) -> Path:
    """Write mixture rows as the CSV that `eval hierarchy` reads."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def rows_of_topics(topics: tuple[str, ...], per_topic: int = 10, skip: int = 0) -> list[dict[str, str]]:
    """``per_topic`` studies of each topic of dev_mixed (after the first ``skip``), topic by topic."""
    rows = read_mixture()
    return [r for topic in topics for r in [r for r in rows if r["topic"] == topic][skip:skip + per_topic]]


def three_topics(per_topic: int = 10, skip: int = 0) -> list[dict[str, str]]:
    """``per_topic`` studies of each of three clearly different reviews of dev_mixed."""
    return rows_of_topics(THREE_TOPICS, per_topic, skip)


def scorer_path() -> Path:
    """The reference scorer of the hierarchy evaluation (../shared/notes/hierarchy_eval.py), loaded as it is,
    never copied; skips without it."""
    need_shared("hierarchy")
    path = SHARED_DATA.parent / "notes" / "hierarchy_eval.py"
    if not path.is_file():
        pytest.skip(f"reference scorer not found at {path}")
    return path
