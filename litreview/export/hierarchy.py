"""Exporting a hierarchy: Markdown to read and share, CSV to analyse.

Markdown: one section per aspect, categories as nested headings (aspect ##, then ###, ####, #####), each study
as a citation line "Family et al. (Year). Title. DOI" with its claims beneath, under the categories it was put
in directly (a parent's heading counts its sub-categories' studies too, but lists only its own), and the
aspect's uncategorised studies at the end of its section.

CSV (RFC 4180 via the csv module): one row per study and category it was put in directly, columns
``aspect, category_path, study_id, title, authors, year, doi, assigned_by, score``; ``category_path`` is the
path below the aspect joined with " > "; a study uncategorised under an aspect gets one row with an empty
category_path and assigned_by. Both files are written to a temporary name and renamed, so a failed export
never leaves half a file under the chosen name.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from litreview.hierarchy import tree
from litreview.hierarchy.tree import HierarchyError

CSV_COLUMNS = ["aspect", "category_path", "study_id", "title", "authors", "year", "doi", "assigned_by", "score"]
PATH_SEPARATOR = " > "


def write_markdown(library: Any, path: str | Path, hierarchy_id: int | None = None) -> Path:
    """Write the hierarchy as Markdown to ``path``; returns the path."""
    hierarchy_id = _hierarchy(library, hierarchy_id)
    graph = tree.load_graph(library, hierarchy_id)
    direct = _direct_assignments(library, hierarchy_id)
    counts = _member_counts(library, hierarchy_id)
    studies = {s["id"]: s for s in library.studies()}
    claims = _claims(library)
    header = library.query("SELECT name, model, created FROM hierarchies WHERE id = ?", (hierarchy_id,))[0]
    with _atomic_file(path) as out:
        out.write(f"# {_escape(header['name'])}\n\n")
        made = f"Built {header['created'][:10]}" + (f" with {header['model']}" if header["model"] else "")
        out.write(f"_{made}; {len(tree.scope_study_ids(library, hierarchy_id))} studies._\n")
        for aspect in tree.aspect_ids(graph):
            node = graph.nodes[aspect]
            out.write(f"\n## {_escape(node['name'])}\n\n")
            if node["description"]:
                out.write(f"{_escape(node['description'])}\n")
            for child in tree.children(graph, aspect):
                _write_category(out, graph, child, 3, direct, counts, studies, claims)
            missing = tree.uncategorised(library, hierarchy_id, aspect)
            if missing:
                out.write(f"\n### Uncategorised ({len(missing)})\n\n")
                for study_id in missing:
                    _write_study(out, studies[study_id], claims.get(study_id, []))
    return Path(path)


def write_csv(library: Any, path: str | Path, hierarchy_id: int | None = None) -> Path:
    """Write one row per (study, directly assigned category) of the hierarchy to ``path``; returns the path."""
    hierarchy_id = _hierarchy(library, hierarchy_id)
    graph = tree.load_graph(library, hierarchy_id)
    studies = {s["id"]: s for s in library.studies()}
    order = {node: index for index, node in enumerate(tree.tree_order(graph))}
    rows = sorted(_direct_rows(library, hierarchy_id), key=lambda r: (order[r["category_id"]], r["study_id"]))
    with _atomic_file(path, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for aspect in tree.aspect_ids(graph):
            for row in rows:
                ids = tree.path_ids(graph, row["category_id"])
                if ids[0] != aspect:
                    continue
                writer.writerow(_csv_row(graph.nodes[aspect]["name"], [graph.nodes[n]["name"] for n in ids[1:]],
                                         studies[row["study_id"]], row["source"], row["score"]))
            for study_id in tree.uncategorised(library, hierarchy_id, aspect):
                writer.writerow(_csv_row(graph.nodes[aspect]["name"], [], studies[study_id], "", None))
    return Path(path)


def citation(study: dict[str, Any]) -> str:
    """"Family et al. (Year). Title. https://doi.org/DOI" (two authors: "A & B"; no year: "n.d.")."""
    families = [a.get("family") or a.get("given") or "" for a in study.get("authors") or []]
    families = [f for f in families if f]
    if not families:
        who = "Anonymous"
    elif len(families) == 1:
        who = families[0]
    elif len(families) == 2:
        who = f"{families[0]} & {families[1]}"
    else:
        who = f"{families[0]} et al."
    year = study.get("year") or "n.d."
    title = (study.get("title") or "Untitled").strip().rstrip(".")
    text = f"{who} ({year}). {title}."
    if study.get("doi"):
        text += f" https://doi.org/{study['doi']}"
    return text


# -- helpers ------------------------------------------------------------------------------------------------
def _hierarchy(library: Any, hierarchy_id: int | None) -> int:
    hierarchy_id = hierarchy_id if hierarchy_id is not None else tree.latest_hierarchy_id(library)
    if hierarchy_id is None:
        raise HierarchyError("this library has no hierarchy yet: build one first (litreview hierarchy build)")
    if not library.conn.execute("SELECT 1 FROM hierarchies WHERE id = ?", (hierarchy_id,)).fetchone():
        raise HierarchyError(f"hierarchy {hierarchy_id} does not exist")
    return hierarchy_id


def _direct_rows(library: Any, hierarchy_id: int) -> list[dict[str, Any]]:
    return library.query(
        "SELECT a.study_id, a.category_id, a.source, a.score FROM assignments a "
        "JOIN categories c ON c.id = a.category_id "
        "WHERE c.hierarchy_id = ? AND a.label = 1 AND a.implied = 0 ORDER BY a.study_id",
        (hierarchy_id,),
    )


def _direct_assignments(library: Any, hierarchy_id: int) -> dict[int, list[int]]:
    members: dict[int, list[int]] = {}
    for row in _direct_rows(library, hierarchy_id):
        members.setdefault(row["category_id"], []).append(row["study_id"])
    return members


def _member_counts(library: Any, hierarchy_id: int) -> dict[int, int]:
    rows = library.conn.execute(
        "SELECT a.category_id, count(DISTINCT a.study_id) FROM assignments a JOIN categories c ON c.id = a.category_id "
        "WHERE c.hierarchy_id = ? AND a.label = 1 GROUP BY a.category_id",
        (hierarchy_id,),
    )
    return dict(rows.fetchall())


def _claims(library: Any) -> dict[int, list[dict[str, Any]]]:
    claims: dict[int, list[dict[str, Any]]] = {}
    for row in library.query("SELECT * FROM claims ORDER BY study_id, position, id"):
        claims.setdefault(row["study_id"], []).append(row)
    return claims


def _write_category(out: TextIO, graph: Any, node: int, level: int, direct: dict[int, list[int]],
                    counts: dict[int, int], studies: dict[int, dict], claims: dict[int, list[dict]]) -> None:
    data = graph.nodes[node]
    out.write(f"\n{'#' * level} {_escape(data['name'])} ({counts.get(node, 0)})\n\n")
    if data["description"]:
        out.write(f"{_escape(data['description'])}\n\n")
    for study_id in direct.get(node, []):
        _write_study(out, studies[study_id], claims.get(study_id, []))
    for child in tree.children(graph, node):
        _write_category(out, graph, child, min(level + 1, 6), direct, counts, studies, claims)


def _write_study(out: TextIO, study: dict[str, Any], claims: list[dict[str, Any]]) -> None:
    out.write(f"- {_escape(citation(study))}\n")
    for claim in claims:
        where = ""
        if claim["grounded"]:
            where = f" (p. {claim['page_no']})" if claim["page_no"] is not None else " (abstract)"
        evidence = "" if claim["quote"] == claim["text"] else f" — “{_escape(claim['quote'])}”"
        out.write(f"  - {_escape(claim['text'])}{evidence}{where}\n")


def _csv_row(aspect: str, path: list[str], study: dict[str, Any], source: str, score: float | None) -> list[Any]:
    authors = "; ".join(", ".join(p for p in (a.get("family"), a.get("given")) if p) for a in study.get("authors") or [])
    return [aspect, PATH_SEPARATOR.join(path), study["id"], study.get("title") or "", authors,
            study.get("year") if study.get("year") is not None else "", study.get("doi") or "", source,
            "" if score is None else round(float(score), 4)]


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _escape(text: str) -> str:
    """Text from studies and the model shown literally: Markdown syntax characters escaped, lines joined."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


@contextmanager
def _atomic_file(path: str | Path, newline: str | None = None) -> Iterator[TextIO]:
    target = Path(path)
    partial = target.with_name(target.name + ".part")
    try:
        with open(partial, "w", encoding="utf-8", newline=newline) as handle:
            yield handle
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
