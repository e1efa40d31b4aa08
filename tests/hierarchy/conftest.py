"""Fixtures shared by the hierarchy tests (tree, edits, claims, exports, build).

* ``add_studies(library, rows)``: real study rows written through one command, as an import would.
* ``mixed_rows`` / ``mixed_library``: studies from ../shared/data/hierarchy/dev_mixed.csv (title + abstract only;
  the gold ``topic`` column is kept in ``library.gold`` for assertions and never written to the library).
* ``toy_hierarchy``: a hand-made hierarchy with two aspects, three levels and some assignments, for edit tests
  that need no shared data.
* ``gemma_engine`` (in tests/conftest.py): the real small default model, loaded once per session.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from litreview.hierarchy import tree
from tests.conftest import need_shared

MIXTURE = "hierarchy/dev_mixed.csv"


def read_mixture(name: str = MIXTURE) -> list[dict[str, str]]:
    with open(need_shared(name), newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_mixture(path: Path, rows: list[dict[str, Any]]) -> Path:
    """Write mixture rows as the CSV that `eval hierarchy` reads."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def add_studies(library, rows: list[dict[str, Any]]) -> list[int]:
    """Insert studies (dicts with title, abstract and optionally authors/year/doi) in one command."""
    ids = []
    with library.command("Import studies") as cmd:
        for row in rows:
            ids.append(cmd.insert("studies", {
                "title": row.get("title"), "abstract": row.get("abstract"), "year": row.get("year"),
                "doi": row.get("doi"), "authors": json.dumps(row.get("authors") or []), "source": "csv",
                "source_ref": row.get("study_id"),
            }))
    return ids


def table_dump(library, tables=("categories", "assignments", "claims", "hierarchies", "studies")) -> dict[str, list]:
    """Every row of the tables an edit may touch, for exact before/after comparisons."""
    return {t: library.query(f"SELECT * FROM [{t}] ORDER BY id") for t in tables}


@pytest.fixture
def mixed_rows() -> list[dict[str, str]]:
    return read_mixture()


@pytest.fixture
def mixed_library(library, mixed_rows):
    """The library with the first 30 studies of dev_mixed; ``library.gold`` maps study id -> gold topic."""
    rows = mixed_rows[:30]
    ids = add_studies(library, rows)
    library.gold = {i: r["topic"] for i, r in zip(ids, rows)}
    return library


def make_hierarchy(library, spec: dict[str, Any], *, name: str = "Test hierarchy", source: str = "stats") -> dict[str, int]:
    """Create a hierarchy from a nested spec {aspect: {category: {sub: {...}}}} and assignments given as
    ``"_studies": [study ids]`` inside a category; returns {name: id} (names must be unique in the spec)."""
    ids: dict[str, int] = {}
    with library.command("Build hierarchy") as cmd:
        hierarchy_id = cmd.insert("hierarchies", {"name": name, "model": "test"})
        ids["_hierarchy"] = hierarchy_id
        pending: list[tuple[int, list[int]]] = []

        def add(parent: int | None, children: dict[str, Any]) -> None:
            for position, (child, below) in enumerate((k, v) for k, v in children.items() if k != "_studies"):
                node = cmd.insert("categories", {"hierarchy_id": hierarchy_id, "parent_id": parent, "name": child,
                                                 "description": f"About {child}", "position": position})
                ids[child] = node
                if isinstance(below, dict):
                    pending.extend((node, [s]) for s in below.get("_studies", []))
                    add(node, below)

        add(None, spec)
        graph = tree.checked_graph(library, hierarchy_id)
        for category_id, studies in pending:
            for study_id in studies:
                tree.write_assignment(cmd, library, study_id, category_id, score=0.5, source=source, graph=graph)
    return ids


@pytest.fixture
def toy_hierarchy(library):
    """Six studies; aspect "Intervention" (Drugs > Triptans > Oral triptans, Drugs > Estrogens, Software) and
    aspect "Outcome" (Efficacy, Safety). Returns (library, ids by name, study ids)."""
    studies = add_studies(library, [
        {"title": f"Study {n}", "abstract": f"Abstract of study {n}.", "year": 2000 + n,
         "authors": [{"family": f"Author{n}", "given": "A."}, {"family": "Second", "given": "B."},
                     {"family": "Third", "given": "C."}], "doi": f"10.1000/s{n}"}
        for n in range(1, 7)
    ])
    s1, s2, s3, s4, s5, s6 = studies
    ids = make_hierarchy(library, {
        "Intervention": {
            "Drugs": {
                "Triptans": {"Oral triptans": {"_studies": [s1, s2]}, "_studies": [s3]},
                "Estrogens": {"_studies": [s4]},
            },
            "Software": {"_studies": [s5]},
        },
        "Outcome": {"Efficacy": {"_studies": [s1, s3, s5]}, "Safety": {"_studies": [s2]}},
    })
    return library, ids, studies


@pytest.fixture
def tmp_out(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    return out
