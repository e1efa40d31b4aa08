"""The user's corrections to a hierarchy: what drag-and-drop, rename, merge, split and lock do.

Each operation is ONE ``library.command``: the change, its undo record and a feedback row (kinds and payloads
in ``litreview.feedback``) land together or not at all, and the graph is validated (``tree.validate``) before
the transaction commits, so an edit that would create a cycle or a fourth level raises HierarchyError and
leaves the library as it was.

What an edit means for later builds (the builder reads it through ``litreview.feedback``):

* A study moved out of a category gets a label-0 row with source 'user' there: no rebuild puts it back.
* A study moved or assigned into a category gets a direct label-1 row with source 'user' (not locked: the
  source alone makes it survive a rebuild; ``set_locked`` pins machine rows the user agrees with).
* Every category the user creates, renames, moves, merges into or splits is marked ``user_edited`` and survives
  a rebuild with its name and place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import networkx as nx

from litreview import feedback
from litreview.hierarchy import tree
from litreview.hierarchy.tree import USER, HierarchyError

if TYPE_CHECKING:
    from litreview.store import Command, Library


# -- studies ------------------------------------------------------------------------------------------------
def move_study(library: Library, study_id: int, from_category_id: int, to_category_id: int) -> None:
    """Drag a study from one category to another: out of ``from`` (and its sub-categories), into ``to``."""
    move_studies(library, [study_id], from_category_id, to_category_id)


def move_studies(library: Library, study_ids: list[int], from_category_id: int, to_category_id: int) -> None:
    """Drag several selected studies at once: one command, one feedback row per study."""
    if from_category_id == to_category_id:
        raise HierarchyError("the studies are already in that category")
    graph = _graph_of(library, from_category_id, to_category_id)
    to_name = _category_name(graph, to_category_id)
    for study_id in study_ids:
        _need_study(library, study_id)
        _need_assigned(library, graph, study_id, from_category_id)
    with library.command(f"Move {_count(study_ids)} to {to_name!r}") as cmd:
        for study_id in study_ids:
            _reject(cmd, library, graph, study_id, from_category_id)
            _assign(cmd, library, graph, study_id, to_category_id)
            cmd.feedback(feedback.MOVE_STUDY, study_id=study_id, category_id=to_category_id,
                         hierarchy_id=graph.graph["hierarchy_id"], **{"from": from_category_id, "to": to_category_id},
                         from_name=graph.nodes[from_category_id]["name"], to_name=to_name)
        tree.checked_graph(library, graph.graph["hierarchy_id"])


def assign_study(library: Library, study_id: int, category_id: int) -> None:
    """Put a study into a category as well (Ctrl-drag, or "also belongs here"): multi-label."""
    assign_studies(library, [study_id], category_id)


def assign_studies(library: Library, study_ids: list[int], category_id: int) -> None:
    """Ctrl-drag of several selected studies: one command, one feedback row per study."""
    graph = _graph_of(library, category_id)
    name = _category_name(graph, category_id)
    for study_id in study_ids:
        _need_study(library, study_id)
    with library.command(f"Assign {_count(study_ids)} to {name!r}") as cmd:
        for study_id in study_ids:
            _assign(cmd, library, graph, study_id, category_id)
            cmd.feedback(feedback.ASSIGN_STUDY, study_id=study_id, category_id=category_id,
                         hierarchy_id=graph.graph["hierarchy_id"], name=name)
        tree.checked_graph(library, graph.graph["hierarchy_id"])


def unassign_study(library: Library, study_id: int, category_id: int) -> None:
    """Take a study out of a category (and its sub-categories); the rejection is remembered for rebuilds."""
    graph = _graph_of(library, category_id)
    _need_study(library, study_id)
    _need_assigned(library, graph, study_id, category_id)
    name = _category_name(graph, category_id)
    with library.command(f"Remove study from {name!r}") as cmd:
        _reject(cmd, library, graph, study_id, category_id)
        cmd.feedback(feedback.UNASSIGN_STUDY, study_id=study_id, category_id=category_id,
                     hierarchy_id=graph.graph["hierarchy_id"], name=name)
        tree.checked_graph(library, graph.graph["hierarchy_id"])


# -- categories ---------------------------------------------------------------------------------------------
def rename_category(library: Library, category_id: int, name: str, description: str | None = None) -> None:
    """Rename (and optionally re-describe) a category or an aspect. Without a new description the generated one
    is cleared: it described the old name's idea, and a stale description beside the user's name misleads."""
    row = tree.category_row(library, category_id)
    new_name = _clean_name(name)
    changes: dict[str, Any] = {"name": new_name, "user_edited": 1, "name_source": USER}
    if description is not None:
        changes["description"] = description.strip()
    elif new_name != row["name"]:
        changes["description"] = ""
    with library.command(f"Rename {row['name']!r} to {new_name!r}") as cmd:
        cmd.update("categories", category_id, changes)
        cmd.feedback(feedback.RENAME_CATEGORY, category_id=category_id, hierarchy_id=row["hierarchy_id"],
                     old=row["name"], new=new_name, old_description=row["description"],
                     new_description=changes.get("description", row["description"]))
        tree.checked_graph(library, row["hierarchy_id"])


def new_category(library: Library, parent_id: int | None, name: str, description: str = "", *,
                 hierarchy_id: int | None = None) -> int:
    """Create an empty category under ``parent_id`` (an aspect or a category), or a new aspect when
    ``parent_id`` is None (then ``hierarchy_id`` says where). Returns the new id."""
    if parent_id is not None:
        hierarchy_id = tree.category_row(library, parent_id)["hierarchy_id"]
    elif hierarchy_id is None:
        raise HierarchyError("a new aspect needs the hierarchy it belongs to")
    elif not library.conn.execute("SELECT 1 FROM hierarchies WHERE id = ?", (hierarchy_id,)).fetchone():
        raise HierarchyError(f"hierarchy {hierarchy_id} does not exist")
    clean = _clean_name(name)
    with library.command(f"New category {clean!r}") as cmd:
        category_id = cmd.insert("categories", {
            "hierarchy_id": hierarchy_id, "parent_id": parent_id, "name": clean, "description": description.strip(),
            "position": _next_position(library, hierarchy_id, parent_id), "user_edited": 1,
        })
        cmd.feedback(feedback.NEW_CATEGORY, category_id=category_id, hierarchy_id=hierarchy_id, parent=parent_id,
                     name=clean)
        tree.checked_graph(library, hierarchy_id)
    return category_id


def delete_category(library: Library, category_id: int) -> None:
    """Delete a category (or aspect) with its sub-categories and their assignments; undo restores all of it.
    Every row is deleted through the command (children and assignments first), so no ON DELETE CASCADE fires
    behind the undo log's back."""
    graph = _graph_of(library, category_id)
    node = graph.nodes[category_id]
    subtree = [category_id, *nx.descendants(graph, category_id)]
    subtree.sort(key=lambda n: graph.nodes[n]["depth"] or 0, reverse=True)   # deepest first
    marks = ",".join("?" * len(subtree))
    rows = library.query(f"SELECT id, study_id, label FROM assignments WHERE category_id IN ({marks})", subtree)
    studies = sorted({r["study_id"] for r in rows if r["label"] == 1})
    with library.command(f"Delete category {node['name']!r}") as cmd:
        drop_suggestions(cmd, library, subtree)
        for row in rows:
            cmd.delete("assignments", row["id"])
        for node_id in subtree:
            cmd.delete("categories", node_id)
        after = tree.checked_graph(library, graph.graph["hierarchy_id"])
        if node["aspect_id"] in after:
            for study_id in studies:
                tree.reconcile(cmd, library, study_id, node["aspect_id"], after)
        cmd.feedback(feedback.DELETE_CATEGORY, category_id=category_id, hierarchy_id=graph.graph["hierarchy_id"],
                     name=node["name"], parent=node["parent_id"], path=_names(graph, category_id),
                     categories=len(subtree), studies=studies)


def reparent_category(library: Library, category_id: int, new_parent_id: int | None,
                      position: int | None = None) -> None:
    """Move a category (with its sub-tree and studies) under another parent, or make it an aspect (None).
    ``position`` is its index among the new siblings (None: last); with the same parent this reorders.
    A category that becomes an aspect loses its own assignment rows (studies are never assigned to aspects)."""
    graph = _graph_of(library, category_id, *([new_parent_id] if new_parent_id is not None else []))
    node = graph.nodes[category_id]
    same_parent = new_parent_id == node["parent_id"]
    if same_parent and position is None:
        return
    if new_parent_id is not None and (new_parent_id == category_id or new_parent_id in nx.descendants(graph, category_id)):
        raise HierarchyError(f"{node['name']!r} cannot be placed inside itself")
    hierarchy_id = graph.graph["hierarchy_id"]
    target = "an aspect" if new_parent_id is None else repr(graph.nodes[new_parent_id]["name"])
    studies = _studies_below(library, [category_id, *nx.descendants(graph, category_id)])
    label = f"Reorder {node['name']!r}" if same_parent else f"Move category {node['name']!r} under {target}"
    with library.command(label) as cmd:
        cmd.update("categories", category_id, {"parent_id": new_parent_id, "user_edited": 1})
        _place(cmd, library, hierarchy_id, new_parent_id, category_id, position)
        if new_parent_id is None:
            for row in library.query("SELECT id FROM assignments WHERE category_id = ?", (category_id,)):
                cmd.delete("assignments", row["id"])
        after = tree.checked_graph(library, hierarchy_id)
        _reconcile_all(cmd, library, after, studies, {node["aspect_id"], after.nodes[category_id]["aspect_id"]})
        cmd.feedback(feedback.REPARENT_CATEGORY, category_id=category_id, hierarchy_id=hierarchy_id,
                     name=node["name"], position=position, **{"from": node["parent_id"], "to": new_parent_id})


def merge_categories(library: Library, source_id: int, target_id: int) -> None:
    """Merge ``source`` into ``target``: its studies and sub-categories move to the target, then it is deleted.
    Studies keep their place as user assignments (the user's merge put them there); rejections recorded on the
    source are dropped with it (rejecting the source says nothing about the target)."""
    if source_id == target_id:
        raise HierarchyError("a category cannot be merged into itself")
    graph = _graph_of(library, source_id, target_id)
    source, target = graph.nodes[source_id], graph.nodes[target_id]
    if target_id in nx.descendants(graph, source_id) or source_id in nx.descendants(graph, target_id):
        raise HierarchyError(f"{source['name']!r} and {target['name']!r} are in one branch; move one of them instead")
    if (source["parent_id"] is None) != (target["parent_id"] is None):
        raise HierarchyError("an aspect can only be merged with another aspect")
    hierarchy_id = graph.graph["hierarchy_id"]
    rows = library.query("SELECT * FROM assignments WHERE category_id = ?", (source_id,))
    moved = sorted(r["study_id"] for r in rows if r["label"] == 1 and not r["implied"])
    studies = _studies_below(library, [source_id, *nx.descendants(graph, source_id)])
    position = _next_position(library, hierarchy_id, target_id)
    with library.command(f"Merge {source['name']!r} into {target['name']!r}") as cmd:
        for offset, child in enumerate(tree.children(graph, source_id)):
            cmd.update("categories", child, {"parent_id": target_id, "position": position + offset})
        drop_suggestions(cmd, library, [source_id])
        for row in rows:
            cmd.delete("assignments", row["id"])
        for study_id in moved:
            current = tree.assignment_row(library, study_id, target_id)
            values = {"label": 1, "implied": 0, "source": USER, "score": None}
            if current is None:
                cmd.insert("assignments", {"study_id": study_id, "category_id": target_id, **values})
            else:
                cmd.update("assignments", current["id"], values)
        cmd.delete("categories", source_id)
        cmd.update("categories", target_id, {"user_edited": 1})
        after = tree.checked_graph(library, hierarchy_id)
        _reconcile_all(cmd, library, after, studies, {source["aspect_id"], target["aspect_id"]})
        cmd.feedback(feedback.MERGE_CATEGORIES, category_id=target_id, hierarchy_id=hierarchy_id,
                     source=source_id, target=target_id, source_name=source["name"], target_name=target["name"],
                     studies=moved)


def split_category(library: Library, category_id: int, groups: dict[str, list[int]]) -> list[int]:
    """Split a category into new sub-categories, one per group name, each holding the listed studies (which must
    be in the category). Studies in no group stay directly in the category. Returns the new ids, in the order of
    ``groups``."""
    if not groups:
        raise HierarchyError("a split needs at least one group")
    graph = _graph_of(library, category_id)
    node = graph.nodes[category_id]
    if node["parent_id"] is None:
        raise HierarchyError(f"{node['name']!r} is an aspect: add categories to it instead of splitting it")
    members = set(tree.studies_in(library, category_id))
    strangers = sorted({s for ids in groups.values() for s in ids} - members)
    if strangers:
        raise HierarchyError(f"studies {strangers} are not in {node['name']!r}")
    hierarchy_id = graph.graph["hierarchy_id"]
    position = _next_position(library, hierarchy_id, category_id)
    new_ids: list[int] = []
    with library.command(f"Split {node['name']!r}") as cmd:
        for offset, name in enumerate(groups):
            new_ids.append(cmd.insert("categories", {
                "hierarchy_id": hierarchy_id, "parent_id": category_id, "name": _clean_name(name),
                "position": position + offset, "user_edited": 1,
            }))
        after = tree.checked_graph(library, hierarchy_id)
        for new_id, ids in zip(new_ids, groups.values()):
            for study_id in sorted(set(ids)):
                cmd.insert("assignments", {"study_id": study_id, "category_id": new_id, "label": 1,
                                           "source": USER, "implied": 0})
                parent_row = tree.assignment_row(library, study_id, category_id)
                if parent_row is not None and not parent_row["implied"]:
                    cmd.update("assignments", parent_row["id"], {"implied": 1})
        cmd.update("categories", category_id, {"user_edited": 1})
        _reconcile_all(cmd, library, after, sorted(members), {node["aspect_id"]})
        cmd.feedback(feedback.SPLIT_CATEGORY, category_id=category_id, hierarchy_id=hierarchy_id,
                     name=node["name"], groups={name: sorted(set(ids)) for name, ids in groups.items()},
                     new_ids=new_ids)
    return new_ids


def set_locked(library: Library, category_id: int | None = None, assignment: tuple[int, int] | None = None,
               locked: bool = True) -> None:
    """Lock (or unlock) a category, or one (study_id, category_id) assignment, so a rebuild keeps it as it is."""
    if (category_id is None) == (assignment is None):
        raise ValueError("set_locked needs either category_id or assignment")
    verb = "Lock" if locked else "Unlock"
    if category_id is not None:
        row = tree.category_row(library, category_id)
        with library.command(f"{verb} {row['name']!r}") as cmd:
            cmd.update("categories", category_id, {"locked": int(locked)})
            cmd.feedback(feedback.LOCK, category_id=category_id, hierarchy_id=row["hierarchy_id"],
                         locked=bool(locked), what="category")
        return
    assert assignment is not None  # one of the two was given (checked above)
    study_id, assigned_to = assignment
    row = tree.category_row(library, assigned_to)
    current = tree.assignment_row(library, study_id, assigned_to)
    if current is None:
        raise HierarchyError(f"study {study_id} has no assignment to {row['name']!r} to lock")
    with library.command(f"{verb} study in {row['name']!r}") as cmd:
        cmd.update("assignments", current["id"], {"locked": int(locked)})
        cmd.feedback(feedback.LOCK, study_id=study_id, category_id=assigned_to, hierarchy_id=row["hierarchy_id"],
                     locked=bool(locked), what="assignment", label=current["label"])


# -- helpers ------------------------------------------------------------------------------------------------
def drop_suggestions(cmd: Command, library: Library, category_ids: list[int]) -> None:
    """Delete the suggestions that name a category about to be deleted, through the command: the schema's
    ON DELETE CASCADE would remove them behind the undo log's back, and undo could not bring them back."""
    if not category_ids:
        return
    marks = ",".join("?" * len(category_ids))
    for row in library.query(f"SELECT id FROM suggestions WHERE category_id IN ({marks}) OR from_category IN ({marks})",
                             [*category_ids, *category_ids]):
        cmd.delete("suggestions", row["id"])


def _graph_of(library: Library, *category_ids: int) -> nx.DiGraph:
    """The graph holding all ``category_ids``; they must exist and share one hierarchy."""
    hierarchies = {tree.category_row(library, c)["hierarchy_id"] for c in category_ids}
    if len(hierarchies) != 1:
        raise HierarchyError("those categories belong to different hierarchies")
    return tree.load_graph(library, hierarchies.pop())


def _category_name(graph: nx.DiGraph, category_id: int) -> str:
    node = graph.nodes[category_id]
    if node["parent_id"] is None:
        raise HierarchyError(f"{node['name']!r} is an aspect: drop studies onto one of its categories")
    return node["name"]


def _need_study(library: Library, study_id: int) -> None:
    if not library.conn.execute("SELECT 1 FROM studies WHERE id = ?", (study_id,)).fetchone():
        raise HierarchyError(f"study {study_id} does not exist")


def _need_assigned(library: Library, graph: nx.DiGraph, study_id: int, category_id: int) -> None:
    row = tree.assignment_row(library, study_id, category_id)
    if row is None or row["label"] != 1:
        raise HierarchyError(f"the study is not in {graph.nodes[category_id]['name']!r}")


def _assign(cmd: Command, library: Library, graph: nx.DiGraph, study_id: int, category_id: int) -> None:
    tree.write_assignment(cmd, library, study_id, category_id, score=None, source=USER, label=1, graph=graph)


def _reject(cmd: Command, library: Library, graph: nx.DiGraph, study_id: int, category_id: int) -> None:
    tree.write_assignment(cmd, library, study_id, category_id, score=None, source=USER, label=0, graph=graph)


def _reconcile_all(cmd: Command, library: Library, graph: nx.DiGraph, studies: list[int],
                   aspects: set[int | None]) -> None:
    for aspect_id in aspects:
        if aspect_id is not None and aspect_id in graph:
            for study_id in studies:
                tree.reconcile(cmd, library, study_id, aspect_id, graph)


def _studies_below(library: Library, category_ids: list[int]) -> list[int]:
    marks = ",".join("?" * len(category_ids))
    rows = library.conn.execute(
        f"SELECT DISTINCT study_id FROM assignments WHERE category_id IN ({marks}) ORDER BY study_id", category_ids)
    return [r[0] for r in rows]


def _place(cmd: Command, library: Library, hierarchy_id: int, parent_id: int | None, category_id: int,
           position: int | None) -> None:
    """Put the category at index ``position`` among its siblings (None: last), renumbering them 0, 1, ..."""
    siblings = [r[0] for r in library.conn.execute(
        "SELECT id FROM categories WHERE hierarchy_id = ? AND parent_id IS ? AND id != ? ORDER BY position, id",
        (hierarchy_id, parent_id, category_id))]
    index = len(siblings) if position is None else max(0, min(int(position), len(siblings)))
    siblings.insert(index, category_id)
    current = dict(library.conn.execute(
        f"SELECT id, position FROM categories WHERE id IN ({','.join('?' * len(siblings))})", siblings).fetchall())
    for place, sibling in enumerate(siblings):
        if current[sibling] != place:
            cmd.update("categories", sibling, {"position": place})


def _count(study_ids: list[int]) -> str:
    if not study_ids:
        raise HierarchyError("no study selected")
    return "study" if len(study_ids) == 1 else f"{len(study_ids)} studies"


def _next_position(library: Library, hierarchy_id: int, parent_id: int | None) -> int:
    row = library.conn.execute(
        "SELECT coalesce(max(position) + 1, 0) FROM categories WHERE hierarchy_id = ? AND parent_id IS ?",
        (hierarchy_id, parent_id),
    ).fetchone()
    return row[0]


def _clean_name(name: str) -> str:
    clean = tree.display_name(name)
    if not clean:
        raise HierarchyError("a category needs a name")
    return clean


def _names(graph: nx.DiGraph, category_id: int) -> list[str]:
    return [graph.nodes[n]["name"] for n in tree.path_ids(graph, category_id)]
