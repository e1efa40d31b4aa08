"""Hierarchies written by hand for the tests that need one without a build, and the rows an edit may touch."""

from __future__ import annotations

from typing import Any

from litreview.hierarchy import tree


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
