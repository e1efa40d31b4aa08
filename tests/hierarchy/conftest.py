"""Helpers shared by the hierarchy tests (tree, edits, build, learning).

* ``add_studies(library, rows)``: real study rows written through one command, as an import would.
* ``read_mixture`` / ``write_mixture``: the rows of ../shared/data/hierarchy/dev_mixed.csv and the CSV that
  `eval hierarchy` reads.
* ``make_hierarchy``: a hierarchy from a nested spec, with assignments.
* ``mixed_rows`` and ``toy_hierarchy`` (in tests/conftest.py: the claims and export tests use them too);
  ``gemma_engine`` (tests/conftest.py): the real small default model, loaded once per session.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

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
