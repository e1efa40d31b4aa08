"""Suggestions: after a correction, the studies the learner now places elsewhere are offered to the user.

"7 studies look like the ones you moved to “Beta blockers”: move them too?" A correction made through
``correcting`` is followed, in the same op and the same undo step, by one "Suggest" command that writes the
offers (table ``suggestions``, state ``open``) and withdraws the open ones the correction made stale.

**Same op, same undo step** (not a follow-up op): the offers only make sense with the correction that caused
them, so Ctrl+Z of the correction must take them away, and a follow-up op would be a second undo step (two
presses, the first of which only removes suggestions) or could let another edit land between the two. The
price is the learner's re-scoring inside the op (two passes, before and after; ``bench/corrections_bench.py``
measures one at well under a second for 1,000 studies), and the writer is the app's background thread.

What is offered: every study the learner (``learner.learn``) would move after the correction whose proposal is
new (its best category changed because of the correction) or goes to a category the correction put studies in.
Both answers are one command each, whatever their number, and both are feedback: accepting moves the studies
as the user's own placements (``accept_suggestion``, +1 where it goes and -1 where it leaves), refusing records
a -1 example for the proposed category (``reject_suggestion``), and the learner never moves either again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from litreview import feedback
from litreview.hierarchy import learner, tree
from litreview.hierarchy.tree import USER, HierarchyError

OPEN = "open"


@dataclass
class Offer:
    """Open suggestions to one category, as the app shows them."""

    category_id: int
    name: str
    study_ids: list[int]
    suggestion_ids: list[int]
    reason: str

    def words(self) -> str:
        n = len(self.study_ids)
        return f"{n} stud{'y looks' if n == 1 else 'ies look'} like {self.reason}: move {'it' if n == 1 else 'them'} too?"


# -- the correction op -----------------------------------------------------------------------------------------
@contextlib.contextmanager
def correcting(library, hierarchy_id: int | None = None, label: str = "") -> Iterator[None]:
    """Run the block's edits (one correction) and then offer what the learner learned from it, as ONE undo step
    (named after the correction's first command unless ``label`` is given). Nothing is offered when the block
    made no placement correction (a rename, a refused edit)."""
    hierarchy_id = hierarchy_id if hierarchy_id is not None else tree.latest_hierarchy_id(library)
    if hierarchy_id is None:
        yield
        return
    before = learner.learn(library, hierarchy_id)
    since = _last_feedback_id(library)
    with library.step(label, origin="user"):
        yield
        refresh(library, hierarchy_id, before, since)


def refresh(library, hierarchy_id: int, before: learner.Learned, since_feedback: int) -> None:
    """Write the suggestions a correction (the feedback rows after ``since_feedback``) caused, and withdraw the
    open ones it made stale, in one command."""
    cause = [r for r in feedback.corrections(library, feedback.PLACEMENT_KINDS, hierarchy_id) if r["id"] > since_feedback]
    if not cause:
        return
    graph = tree.load_graph(library, hierarchy_id)
    targets = {_top(graph, c) for c in _cause_categories(cause) if c in graph}
    after = learner.learn(library, hierarchy_id)
    was = {(m.aspect_id, m.study_id): m.to_category for m in before.moves()}
    wanted = {}
    for move in after.moves():
        if was.get((move.aspect_id, move.study_id)) != move.to_category or move.to_category in targets:
            wanted[(move.study_id, move.to_category)] = move
    still = {(m.study_id, m.to_category) for m in after.moves()}
    existing = open_rows(library, hierarchy_id)
    stale = [r for r in existing if (r["study_id"], _top(graph, r["category_id"])) not in still]
    held = {(r["study_id"], _top(graph, r["category_id"])) for r in existing} - {
        (r["study_id"], _top(graph, r["category_id"])) for r in stale}
    new = [m for key, m in sorted(wanted.items()) if key not in held]
    if not stale and not new:
        return
    words = _cause_words(graph, cause)
    with library.command(f"Suggest {len(new)} move{'s' if len(new) != 1 else ''}") as cmd:
        for row in stale:
            cmd.delete("suggestions", row["id"])
        for move in new:
            cmd.insert("suggestions", {
                "hierarchy_id": hierarchy_id, "study_id": move.study_id, "category_id": move.leaf,
                "from_category": move.from_category, "score": move.score,
                "reason": _reason(graph, move, targets, words), "state": OPEN})


# -- answers ---------------------------------------------------------------------------------------------------
def accept(library, suggestion_ids: list[int]) -> int:
    """Accept open suggestions in ONE command: each study leaves the category it was proposed to leave and goes
    where it was proposed, as the user's own placement. Returns how many were accepted."""
    rows = _open(library, suggestion_ids)
    hierarchy_id = rows[0]["hierarchy_id"]
    graph = tree.load_graph(library, hierarchy_id)
    names = {r["category_id"]: graph.nodes[r["category_id"]]["name"] for r in rows}
    label = (f"Accept suggestion: move to {names[rows[0]['category_id']]!r}" if len(rows) == 1
             else f"Accept {len(rows)} suggestions")
    with library.command(label) as cmd:
        for row in rows:
            study, to, origin = row["study_id"], row["category_id"], row["from_category"]
            current = tree.assignment_row(library, study, origin) if origin is not None else None
            if current is not None and current["label"] == 1:
                tree.write_assignment(cmd, library, study, origin, score=None, source=USER, label=0, graph=graph)
            else:
                origin = None
            tree.write_assignment(cmd, library, study, to, score=None, source=USER, label=1, graph=graph)
            cmd.update("suggestions", row["id"], {"state": "accepted"})
            cmd.feedback(feedback.ACCEPT_SUGGESTION, study_id=study, category_id=to, hierarchy_id=hierarchy_id,
                         suggestion=row["id"], to_name=names[to], **{"from": origin, "to": to})
        tree.checked_graph(library, hierarchy_id)
    return len(rows)


def reject(library, suggestion_ids: list[int]) -> int:
    """Refuse open suggestions in ONE command; each is a -1 example for the category it proposed."""
    rows = _open(library, suggestion_ids)
    hierarchy_id = rows[0]["hierarchy_id"]
    graph = tree.load_graph(library, hierarchy_id)
    label = "Reject suggestion" if len(rows) == 1 else f"Reject {len(rows)} suggestions"
    with library.command(label) as cmd:
        for row in rows:
            cmd.update("suggestions", row["id"], {"state": "rejected"})
            cmd.feedback(feedback.REJECT_SUGGESTION, study_id=row["study_id"], category_id=row["category_id"],
                         hierarchy_id=hierarchy_id, suggestion=row["id"],
                         to_name=graph.nodes[row["category_id"]]["name"],
                         **{"from": row["from_category"], "to": row["category_id"]})
    return len(rows)


# -- reading ---------------------------------------------------------------------------------------------------
def open_rows(library, hierarchy_id: int | None = None, study_id: int | None = None) -> list[dict[str, Any]]:
    """Open suggestions (of the newest hierarchy unless given; of one study when ``study_id``), best first,
    with the study's title and the names of both categories."""
    hierarchy_id = hierarchy_id if hierarchy_id is not None else tree.latest_hierarchy_id(library)
    if hierarchy_id is None:
        return []
    sql = ("SELECT g.*, s.title, c.name AS to_name, f.name AS from_name FROM suggestions g "
           "JOIN studies s ON s.id = g.study_id JOIN categories c ON c.id = g.category_id "
           "LEFT JOIN categories f ON f.id = g.from_category WHERE g.hierarchy_id = ? AND g.state = 'open'")
    params: list[Any] = [hierarchy_id]
    if study_id is not None:
        sql += " AND g.study_id = ?"
        params.append(study_id)
    return library.query(sql + " ORDER BY g.score DESC, g.id", params)


def offers(library, hierarchy_id: int | None = None) -> list[Offer]:
    """Open suggestions grouped by the category they propose, largest group first."""
    grouped: dict[int, Offer] = {}
    for row in open_rows(library, hierarchy_id):
        offer = grouped.setdefault(row["category_id"], Offer(row["category_id"], row["to_name"], [], [], row["reason"]))
        offer.study_ids.append(row["study_id"])
        offer.suggestion_ids.append(row["id"])
    return sorted(grouped.values(), key=lambda o: (-len(o.study_ids), o.name))


# -- helpers ---------------------------------------------------------------------------------------------------
def _open(library, suggestion_ids: list[int]) -> list[dict[str, Any]]:
    if not suggestion_ids:
        raise HierarchyError("no suggestion selected")
    marks = ",".join("?" * len(suggestion_ids))
    rows = library.query(f"SELECT * FROM suggestions WHERE id IN ({marks}) ORDER BY id", list(suggestion_ids))
    rows = [r for r in rows if r["state"] == OPEN]
    if not rows:
        raise HierarchyError("those suggestions were already answered or withdrawn")
    if len({r["hierarchy_id"] for r in rows}) != 1:
        raise HierarchyError("those suggestions belong to different hierarchies")
    return rows


def _last_feedback_id(library) -> int:
    row = library.conn.execute("SELECT coalesce(max(id), 0) FROM feedback").fetchone()
    return row[0]


def _top(graph, category_id: int) -> int:
    path = tree.path_ids(graph, category_id) if category_id in graph else [category_id]
    return path[1] if len(path) > 1 else path[0]


def _cause_categories(cause: list[dict]) -> list[int]:
    """The categories the correction put studies into."""
    out = []
    for row in cause:
        payload = row["payload"]
        if row["kind"] in (feedback.MOVE_STUDY, feedback.ACCEPT_SUGGESTION):
            out.append(payload["to"])
        elif row["kind"] == feedback.ASSIGN_STUDY:
            out.append(row["category_id"])
        elif row["kind"] == feedback.MERGE_CATEGORIES:
            out.append(payload["target"])
        elif row["kind"] == feedback.SPLIT_CATEGORY:
            out += payload["new_ids"]
    return out


def _cause_words(graph, cause: list[dict]) -> dict[int, str]:
    """top category id -> how the correction involved it ("the ones you moved to “X”")."""
    words: dict[int, str] = {}
    for row in cause:
        payload, kind = row["payload"], row["kind"]
        if kind in (feedback.MOVE_STUDY, feedback.ACCEPT_SUGGESTION, feedback.ASSIGN_STUDY):
            target = payload["to"] if kind != feedback.ASSIGN_STUDY else row["category_id"]
            if target in graph:
                words[_top(graph, target)] = f"the ones you moved to “{graph.nodes[target]['name']}”"
        elif kind == feedback.MERGE_CATEGORIES and payload["target"] in graph:
            words[_top(graph, payload["target"])] = f"the studies you merged into “{payload['target_name']}”"
        elif kind == feedback.SPLIT_CATEGORY:
            for new_id in payload["new_ids"]:
                if new_id in graph:
                    words[_top(graph, new_id)] = f"the ones you split off into “{graph.nodes[new_id]['name']}”"
    return words


def _reason(graph, move: learner.Move, targets: set[int], words: dict[int, str]) -> str:
    if move.to_category in targets and move.to_category in words:
        return words[move.to_category]
    name = graph.nodes[move.leaf]["name"]
    return f"the studies of “{name}” now that you corrected the hierarchy"


__all__ = ["Offer", "accept", "correcting", "offers", "open_rows", "refresh", "reject"]
