"""The hierarchy's storage rules and its networkx view.

Storage (tables ``hierarchies``, ``categories``, ``assignments`` in ``litreview/store/schema.py``):

* A category whose ``parent_id`` is NULL is an **aspect** (CHIME's top level: one way to organise the studies).
  Below each aspect the categories form a tree at most ``MAX_DEPTH`` (3) levels deep; sibling names are distinct
  (case and spacing ignored). ``validate`` checks this on every edit, before the edit's transaction commits.
* Studies are assigned to categories, never to aspects. An assignment row is CHIME's claim-category pair, per
  study: ``label`` 1 = assigned, 0 = rejected (by the verifier or the user), ``score``, ``source`` ('user',
  'stats' or a model name), ``locked``.
* **Ancestors are stored consistently**: a label-1 row on a category implies label-1 rows on every ancestor
  below the aspect. Rows that exist only for that reason carry ``implied = 1``; they appear and disappear with
  the rows that imply them (``reconcile``), so a drag that moves a study out of a branch also takes it out of
  the branch's parents unless it was put there directly.
* **Rejections are respected**: a machine write (any source but 'user') never turns a label-0 row back into an
  assignment, never assigns below a rejected category, and never overrides a user or locked row. A user edit
  may override anything: the user is the authority.
* What survives a rebuild (the builder relies on it): categories with ``locked`` or ``user_edited`` set (and
  their ancestors), and assignment rows with ``source = 'user'`` or ``locked = 1``. See ``litreview.feedback``
  for the readers.

Which studies a hierarchy covers (``scope_study_ids``): the list ``settings["study_ids"]`` of the hierarchy row
when the builder stored one, else every study that is not excluded by a screening decision, so studies imported
later are in scope (and ``uncategorised``) until they are assigned.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import networkx as nx

from litreview.errors import LitreviewError

if TYPE_CHECKING:
    from litreview.store import Command, Library

MAX_DEPTH = 3
"""Levels of categories below an aspect (an aspect's children have depth 1)."""

USER = "user"


class HierarchyError(LitreviewError):
    """An edit or a write that would break the hierarchy's rules; the message is meant for the user."""


# -- reading -----------------------------------------------------------------------------------------------
def latest_hierarchy_id(library: Library) -> int | None:
    """The newest hierarchy of the library, or None when none was built yet."""
    row = library.conn.execute("SELECT max(id) FROM hierarchies").fetchone()
    return row[0] if row and row[0] is not None else None


def category_row(library: Library, category_id: int) -> dict[str, Any]:
    """One category row, or HierarchyError when it does not exist (e.g. deleted meanwhile)."""
    rows = library.query("SELECT * FROM categories WHERE id = ?", (category_id,))
    if not rows:
        raise HierarchyError(f"category {category_id} does not exist")
    return rows[0]


def load_graph(library: Library, hierarchy_id: int) -> nx.DiGraph:
    """The hierarchy as a DiGraph: one node per category (aspects included), edges parent -> child.

    Node attributes: name, description, parent_id, position, locked, user_edited, terms (list), depth (0 for an
    aspect) and aspect_id (the aspect at the top of its branch; depth and aspect_id are None for a node caught in
    a cycle). The graph attribute ``hierarchy_id`` names the hierarchy. A parent outside the hierarchy becomes a
    bare node without attributes, which ``validate`` reports.
    """
    rows = library.query(
        "SELECT id, parent_id, name, description, position, terms, locked, user_edited FROM categories "
        "WHERE hierarchy_id = ? ORDER BY position, id",
        (hierarchy_id,),
    )
    graph = nx.DiGraph(hierarchy_id=hierarchy_id)
    for row in rows:
        graph.add_node(
            row["id"],
            name=row["name"],
            description=row["description"],
            parent_id=row["parent_id"],
            position=row["position"],
            terms=json.loads(row["terms"] or "[]"),
            locked=row["locked"],
            user_edited=row["user_edited"],
        )
    for row in rows:
        if row["parent_id"] is not None:
            graph.add_edge(row["parent_id"], row["id"])
    for node in list(graph.nodes):
        graph.nodes[node]["depth"], graph.nodes[node]["aspect_id"] = _depth_and_aspect(graph, node)
    return graph


def _depth_and_aspect(graph: nx.DiGraph, node: int) -> tuple[int | None, int | None]:
    seen, current, depth = {node}, node, 0
    while True:
        parent = graph.nodes[current].get("parent_id")
        if parent is None:
            return (depth, current) if "name" in graph.nodes[current] else (None, None)
        if parent in seen or parent not in graph:
            return None, None
        seen.add(parent)
        current, depth = parent, depth + 1


def validate(graph: nx.DiGraph) -> None:
    """Raise HierarchyError unless the graph is a forest of aspect trees: every parent in the same hierarchy, no
    cycle, at most MAX_DEPTH levels below an aspect, non-empty names, distinct names among siblings."""
    for node, data in graph.nodes(data=True):
        if "name" not in data:
            children = ", ".join(repr(graph.nodes[c].get("name")) for c in graph.successors(node))
            raise HierarchyError(f"category {node} (parent of {children}) is not part of this hierarchy")
    if not nx.is_directed_acyclic_graph(graph):
        cycle = [graph.nodes[a]["name"] for a, _ in nx.find_cycle(graph)]
        raise HierarchyError("a category cannot be placed inside itself: " + " > ".join(cycle))
    by_parent: dict[int | None, dict[str, int]] = {}
    for node, data in graph.nodes(data=True):
        if not str(data["name"]).strip():
            raise HierarchyError(f"category {node} has an empty name")
        if data["depth"] is not None and data["depth"] > MAX_DEPTH:
            path = " > ".join(graph.nodes[n]["name"] for n in path_ids(graph, node))
            raise HierarchyError(f"categories may be at most {MAX_DEPTH} levels deep below an aspect: {path}")
        siblings = by_parent.setdefault(data["parent_id"], {})
        key = name_key(data["name"])
        if key in siblings:
            where = "aspects" if data["parent_id"] is None else f"categories under {graph.nodes[data['parent_id']]['name']!r}"
            raise HierarchyError(f"two {where} would both be called {data['name']!r}")
        siblings[key] = node


def checked_graph(library: Library, hierarchy_id: int) -> nx.DiGraph:
    """``load_graph`` + ``validate``: inside an open command it sees the command's own uncommitted writes."""
    graph = load_graph(library, hierarchy_id)
    validate(graph)
    return graph


def name_key(name: str) -> str:
    """How sibling names are compared: Unicode-normalised, case-folded, spacing collapsed."""
    return " ".join(unicodedata.normalize("NFKC", str(name)).casefold().split())


def path_ids(graph: nx.DiGraph, node: int) -> list[int]:
    """Category ids from the aspect down to ``node`` (both included)."""
    path = [node]
    while graph.nodes[path[0]]["parent_id"] is not None:
        path.insert(0, graph.nodes[path[0]]["parent_id"])
    return path


def ancestors_below_aspect(graph: nx.DiGraph, node: int) -> list[int]:
    """The categories that an assignment to ``node`` implies: its ancestors except the aspect, nearest first."""
    return list(reversed(path_ids(graph, node)[1:-1]))


def aspect_ids(graph: nx.DiGraph) -> list[int]:
    """The aspects of the hierarchy in display order."""
    roots = [n for n, d in graph.nodes(data=True) if d.get("parent_id") is None and "name" in d]
    return sorted(roots, key=lambda n: (graph.nodes[n]["position"], n))


def children(graph: nx.DiGraph, node: int) -> list[int]:
    """Child categories in display order."""
    return sorted(graph.successors(node), key=lambda n: (graph.nodes[n]["position"], n))


def category_path(library: Library, category_id: int) -> list[str]:
    """Names from the aspect down to the category, e.g. ["Intervention", "Drugs", "Triptans"]."""
    names: list[str] = []
    current: int | None = category_id
    seen: set[int] = set()
    while current is not None and current not in seen:
        seen.add(current)
        row = category_row(library, current)
        names.insert(0, row["name"])
        current = row["parent_id"]
    return names


def studies_in(library: Library, category_id: int) -> list[int]:
    """Studies assigned (label 1, directly or implied by a sub-category) to the category."""
    rows = library.conn.execute(
        "SELECT study_id FROM assignments WHERE category_id = ? AND label = 1 ORDER BY study_id", (category_id,)
    ).fetchall()
    return [r[0] for r in rows]


def categories_of(library: Library, study_id: int, hierarchy_id: int) -> list[dict[str, Any]]:
    """The study's label-1 assignments in the hierarchy, in tree order: dicts with category_id, name, path
    (names from the aspect down), aspect_id, aspect, score, source, locked, implied, evidence (the study's words
    that placed it in a facet, or None)."""
    graph = load_graph(library, hierarchy_id)
    rows = library.query(
        "SELECT a.category_id, a.score, a.source, a.locked, a.implied, a.evidence FROM assignments a "
        "JOIN categories c ON c.id = a.category_id WHERE a.study_id = ? AND a.label = 1 AND c.hierarchy_id = ?",
        (study_id, hierarchy_id),
    )
    order = {node: index for index, node in enumerate(tree_order(graph))}
    result = []
    for row in sorted(rows, key=lambda r: order.get(r["category_id"], len(order))):
        ids = path_ids(graph, row["category_id"])
        result.append({
            **row,
            "name": graph.nodes[row["category_id"]]["name"],
            "path": [graph.nodes[n]["name"] for n in ids],
            "aspect_id": ids[0],
            "aspect": graph.nodes[ids[0]]["name"],
        })
    return result


def tree_order(graph: nx.DiGraph) -> list[int]:
    """All categories depth-first in display order (aspects in position order, each followed by its tree)."""
    order: list[int] = []

    def visit(node: int) -> None:
        order.append(node)
        for child in children(graph, node):
            visit(child)

    for aspect in aspect_ids(graph):
        visit(aspect)
    return order


def settings(library: Library, hierarchy_id: int) -> dict[str, Any]:
    """The settings a hierarchy was built with (scope, aspect kinds, vectors, ...); {} when it has none."""
    row = library.conn.execute("SELECT settings FROM hierarchies WHERE id = ?", (hierarchy_id,)).fetchone()
    return json.loads(row[0] or "{}") if row else {}


def scope_study_ids(library: Library, hierarchy_id: int) -> list[int]:
    """The studies the hierarchy organises (see the module docstring)."""
    row = library.conn.execute("SELECT settings FROM hierarchies WHERE id = ?", (hierarchy_id,)).fetchone()
    if row is None:
        raise HierarchyError(f"hierarchy {hierarchy_id} does not exist")
    settings = json.loads(row[0] or "{}")
    if isinstance(settings.get("study_ids"), list):
        wanted = {int(s) for s in settings["study_ids"]}
        existing = {r[0] for r in library.conn.execute("SELECT id FROM studies")}
        return sorted(wanted & existing)
    rows = library.conn.execute(
        "SELECT id FROM studies WHERE id NOT IN (SELECT study_id FROM decisions WHERE decision = 'exclude') "
        "ORDER BY id"
    ).fetchall()
    return [r[0] for r in rows]


def uncategorised(library: Library, hierarchy_id: int, aspect_id: int) -> list[int]:
    """Studies in scope with no label-1 assignment anywhere under the aspect: listed, not forced into a category."""
    graph = load_graph(library, hierarchy_id)
    if aspect_id not in graph or graph.nodes[aspect_id]["parent_id"] is not None:
        raise HierarchyError(f"{aspect_id} is not an aspect of hierarchy {hierarchy_id}")
    members = nx.descendants(graph, aspect_id)
    assigned = set()
    if members:
        marks = ",".join("?" * len(members))
        assigned = {r[0] for r in library.conn.execute(
            f"SELECT DISTINCT study_id FROM assignments WHERE label = 1 AND category_id IN ({marks})", list(members))}
    return [s for s in scope_study_ids(library, hierarchy_id) if s not in assigned]


# -- writing (inside a command) -----------------------------------------------------------------------------
def assignment_row(library: Library, study_id: int, category_id: int) -> dict[str, Any] | None:
    rows = library.query("SELECT * FROM assignments WHERE study_id = ? AND category_id = ?", (study_id, category_id))
    return rows[0] if rows else None


def write_assignment(cmd: Command, library: Library, study_id: int, category_id: int, *, score: float | None,
                     source: str, label: int = 1, locked: bool | None = None,
                     graph: nx.DiGraph | None = None, evidence: str | None = None) -> bool:
    """Assign (label 1) or reject (label 0) a study for a category, keeping ancestors consistent.

    Label 1 stores the row directly (``implied = 0``) and the implied rows of every ancestor below the aspect.
    Label 0 stores the rejection, removes the study from the category's sub-categories (a study outside a
    category cannot be inside its children) and drops implied ancestor rows nothing implies any more.
    A machine write (``source != 'user'``) that would contradict a rejection, a user row or a locked row is
    skipped and returns False; the builder can call this blindly. ``graph`` (from ``load_graph``) saves a reload
    when writing many rows; it must describe the current categories. ``evidence``: the words of the study that
    placed it (facets), shown in the study pane. Returns True when the row was written.
    """
    if label not in (0, 1):
        raise ValueError("label must be 0 or 1")
    graph = graph if graph is not None else load_graph(library, _hierarchy_id(library, category_id))
    if category_id not in graph:
        raise HierarchyError(f"category {category_id} is not in hierarchy {graph.graph['hierarchy_id']}")
    node = graph.nodes[category_id]
    if node["parent_id"] is None:
        raise HierarchyError(f"{node['name']!r} is an aspect: studies go into its categories")
    machine = source != USER
    current = assignment_row(library, study_id, category_id)
    if machine and current is not None and (current["source"] == USER or current["locked"]):
        return False
    below = [c for c in nx.descendants(graph, category_id)]
    below_rows = _rows(library, study_id, below)
    if label == 1 and machine:
        if current is not None and current["label"] == 0:
            return False
        if any((r := assignment_row(library, study_id, a)) is not None and r["label"] == 0
               for a in ancestors_below_aspect(graph, category_id)):
            return False
    if label == 0 and machine and any(r["label"] == 1 and (r["source"] == USER or r["locked"])
                                      for r in below_rows.values()):
        return False
    values: dict[str, Any] = {"label": label, "score": score, "source": source, "implied": 0, "evidence": evidence}
    if locked is not None:
        values["locked"] = int(locked)
    if current is None:
        cmd.insert("assignments", {"study_id": study_id, "category_id": category_id, **values})
    else:
        cmd.update("assignments", current["id"], values)
    if label == 0:
        for row in below_rows.values():
            if row["label"] == 1:
                cmd.delete("assignments", row["id"])
    reconcile(cmd, library, study_id, graph.nodes[category_id]["aspect_id"], graph)
    return True


def reconcile(cmd: Command, library: Library, study_id: int, aspect_id: int, graph: nx.DiGraph) -> None:
    """Make the study's implied rows under one aspect match its direct label-1 rows: add the missing ancestors,
    drop implied rows that nothing implies any more. An implied row takes the source of a direct row below it
    ('user' first). A direct assignment below a rejected category turns that rejection into an implied row;
    machine writes never get here in that case (``write_assignment`` refuses them first)."""
    if aspect_id is None or aspect_id not in graph:
        return
    rows = _rows(library, study_id, nx.descendants(graph, aspect_id))
    needed: dict[int, str] = {}
    for category_id, row in rows.items():
        if row["label"] == 1 and not row["implied"]:
            for ancestor in ancestors_below_aspect(graph, category_id):
                if needed.get(ancestor) != USER:
                    needed[ancestor] = row["source"]
    for category_id, source in needed.items():
        existing = rows.get(category_id)
        if existing is None:
            cmd.insert("assignments", {"study_id": study_id, "category_id": category_id, "label": 1, "score": None,
                                       "source": source, "implied": 1})
        elif existing["label"] == 0:
            cmd.update("assignments", existing["id"], {"label": 1, "implied": 1, "source": source, "score": None})
    for category_id, row in rows.items():
        if row["label"] == 1 and row["implied"] and category_id not in needed:
            cmd.delete("assignments", row["id"])


def _rows(library: Library, study_id: int, category_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    ids = list(category_ids)
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = library.query(f"SELECT * FROM assignments WHERE study_id = ? AND category_id IN ({marks})", [study_id, *ids])
    return {r["category_id"]: r for r in rows}


def _hierarchy_id(library: Library, category_id: int) -> int:
    return category_row(library, category_id)["hierarchy_id"]


def display_name(name: str) -> str:
    """A category name as stored: surrounding whitespace removed, inner runs of whitespace collapsed."""
    return re.sub(r"\s+", " ", str(name)).strip()
