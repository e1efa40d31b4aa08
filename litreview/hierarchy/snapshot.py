"""What the hierarchy tree shows, read in one go: aspects → categories (with counts) → the studies placed in each,
plus, per aspect, the studies it leaves uncategorised (so a researcher sees what the hierarchy leaves out).

The app's tree model is a projection of this snapshot (Anki's sidebar): it never queries the database itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from litreview.hierarchy import tree
from litreview.store import Library


@dataclass(eq=False)
class SnapshotNode:
    kind: str                 # "aspect" | "category" | "study" | "uncategorised"
    id: int                   # category id, study id, or (uncategorised) the aspect's id
    name: str
    count: int = 0
    locked: bool = False
    children: list[SnapshotNode] = field(default_factory=list)
    description: str = ""     # a category's one-line description
    name_source: str = ""     # a category's: "model" | "fallback" (the members' own phrases) | "user"


@dataclass
class Snapshot:
    hierarchy_id: int | None
    aspects: list[SnapshotNode] = field(default_factory=list)


def hierarchy_snapshot(library: Library, hierarchy_id: int | None = None) -> Snapshot:
    """The newest hierarchy (or ``hierarchy_id``) as nested nodes; an empty snapshot when there is none."""
    hierarchy_id = hierarchy_id if hierarchy_id is not None else tree.latest_hierarchy_id(library)
    if hierarchy_id is None:
        return Snapshot(None)
    graph = tree.load_graph(library, hierarchy_id)
    counts = dict(library.conn.execute(
        "SELECT a.category_id, count(*) FROM assignments a JOIN categories c ON c.id = a.category_id "
        "WHERE c.hierarchy_id = ? AND a.label = 1 GROUP BY a.category_id", (hierarchy_id,)).fetchall())
    direct: dict[int, list[SnapshotNode]] = {}
    for category_id, study_id, title, locked in library.conn.execute(
            "SELECT a.category_id, s.id, s.title, a.locked FROM assignments a "
            "JOIN categories c ON c.id = a.category_id JOIN studies s ON s.id = a.study_id "
            "WHERE c.hierarchy_id = ? AND a.label = 1 AND a.implied = 0 ORDER BY s.title COLLATE NOCASE, s.id",
            (hierarchy_id,)):
        direct.setdefault(category_id, []).append(SnapshotNode("study", study_id, title or "(untitled)",
                                                               locked=bool(locked)))
    titles = dict(library.conn.execute("SELECT id, coalesce(title, '(untitled)') FROM studies").fetchall())
    sources = dict(library.conn.execute("SELECT id, name_source FROM categories WHERE hierarchy_id = ?",
                                        (hierarchy_id,)).fetchall())

    def node(category_id: int) -> SnapshotNode:
        data = graph.nodes[category_id]
        kind = "aspect" if data["parent_id"] is None else "category"
        made = SnapshotNode(kind, category_id, data["name"], counts.get(category_id, 0), bool(data["locked"]),
                            description=data.get("description") or "", name_source=sources.get(category_id, ""))
        made.children = [node(child) for child in tree.children(graph, category_id)] + direct.get(category_id, [])
        return made

    snapshot = Snapshot(hierarchy_id)
    for aspect_id in tree.aspect_ids(graph):
        aspect = node(aspect_id)
        aspect.count = len(studies_below(aspect))
        left_out = tree.uncategorised(library, hierarchy_id, aspect_id)
        if left_out:
            aspect.children.append(SnapshotNode(
                "uncategorised", aspect_id, "Uncategorised", len(left_out),
                children=[SnapshotNode("study", s, titles.get(s, "(untitled)")) for s in left_out]))
        snapshot.aspects.append(aspect)
    return snapshot


def studies_below(node: SnapshotNode) -> set[int]:
    """Ids of the studies placed anywhere under ``node`` (the uncategorised ones not included)."""
    found: set[int] = set()
    for child in node.children:
        if child.kind == "study":
            found.add(child.id)
        elif child.kind != "uncategorised":
            found |= studies_below(child)
    return found
