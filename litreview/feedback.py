"""The feedback log of hierarchy corrections, and the readers that later builds learn from.

Every correction is written by ``litreview.hierarchy.edits`` through ``cmd.feedback(kind, ...)`` in the same
transaction as the change, so the log and the library never disagree; undoing the command sets ``retracted``
on its rows and redo clears it. Readers here only see active (non-retracted) rows. Every payload carries
``hierarchy_id``. Kinds and their payloads (``study_id`` / ``category_id`` are the row's own columns):

========================  ================================  =====================================================
kind                      study_id / category_id            payload
========================  ================================  =====================================================
``move_study``            study / the target category       ``from``, ``to`` (category ids), ``from_name``,
                                                            ``to_name``
``assign_study``          study / category                  ``name``
``unassign_study``        study / category                  ``name``
``rename_category``       - / category                      ``old``, ``new``, ``old_description``,
                                                            ``new_description``
``new_category``          - / the new category              ``parent`` (id or None for an aspect), ``name``
``delete_category``       - / the deleted category          ``name``, ``parent``, ``path`` (names), ``categories``
                                                            (how many were deleted), ``studies`` (ids that were in
                                                            it)
``reparent_category``     - / category                      ``name``, ``from``, ``to`` (parent ids, None = aspect)
``merge_categories``      - / the target                    ``source``, ``target``, ``source_name``,
                                                            ``target_name``, ``studies`` (moved ids)
``split_category``        - / the split category            ``name``, ``groups`` ({name: [study ids]}),
                                                            ``new_ids``
``lock``                  study or - / category             ``locked`` (bool), ``what`` ('category' |
                                                            'assignment'), ``label`` (assignment only)
``accept_suggestion``     study / the suggested category    ``suggestion`` (id), ``from`` (category id or None),
                                                            ``to``, ``to_name``
``reject_suggestion``     study / the suggested category    ``suggestion`` (id), ``from``, ``to``, ``to_name``
========================  ================================  =====================================================

What a rebuild must keep is read from the tables, which undo keeps exact (``protected_categories``,
``protected_assignments``); what the user taught about studies and categories is read from the log
(``user_assignments`` for the rebuild, ``examples`` for the learner of ``litreview.hierarchy.learner``,
``corrections``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from litreview.store import Library

MOVE_STUDY = "move_study"
ASSIGN_STUDY = "assign_study"
UNASSIGN_STUDY = "unassign_study"
RENAME_CATEGORY = "rename_category"
NEW_CATEGORY = "new_category"
DELETE_CATEGORY = "delete_category"
REPARENT_CATEGORY = "reparent_category"
MERGE_CATEGORIES = "merge_categories"
SPLIT_CATEGORY = "split_category"
LOCK = "lock"
ACCEPT_SUGGESTION = "accept_suggestion"
REJECT_SUGGESTION = "reject_suggestion"

HIERARCHY_KINDS = (MOVE_STUDY, ASSIGN_STUDY, UNASSIGN_STUDY, RENAME_CATEGORY, NEW_CATEGORY, DELETE_CATEGORY,
                   REPARENT_CATEGORY, MERGE_CATEGORIES, SPLIT_CATEGORY, LOCK, ACCEPT_SUGGESTION, REJECT_SUGGESTION)
PLACEMENT_KINDS = (MOVE_STUDY, ASSIGN_STUDY, UNASSIGN_STUDY, MERGE_CATEGORIES, SPLIT_CATEGORY, ACCEPT_SUGGESTION,
                   REJECT_SUGGESTION)
"""The kinds that say something about where a study belongs."""


def corrections(library: Library, kinds: tuple[str, ...] | None = None,
                hierarchy_id: int | None = None) -> list[dict[str, Any]]:
    """Active feedback rows, oldest first, with ``payload`` decoded; optionally only some kinds / one hierarchy."""
    kinds = kinds or HIERARCHY_KINDS
    marks = ",".join("?" * len(kinds))
    rows = library.query(
        f"SELECT id, command_id, kind, study_id, category_id, payload, created FROM feedback "
        f"WHERE retracted = 0 AND kind IN ({marks}) ORDER BY id",
        list(kinds),
    )
    result = []
    for row in rows:
        row["payload"] = json.loads(row["payload"] or "{}")
        if hierarchy_id is None or row["payload"].get("hierarchy_id") == hierarchy_id:
            result.append(row)
    return result


def user_assignments(library: Library, hierarchy_id: int) -> list[tuple[int, int, int]]:
    """(study_id, category_id, +1 | -1) for every pair the user placed (+1) or took out (-1), the latest word
    winning, restricted to categories that still exist in the hierarchy. Moves (and accepted suggestions) count
    as -1 on the old category and +1 on the new; merges as +1 on the target; splits as +1 on each new
    sub-category; a rejected suggestion as -1 on the category it proposed."""
    return sorted((e.study_id, e.category_id, e.verdict) for e in examples(library, hierarchy_id))


@dataclass(frozen=True)
class Example:
    """One labelled (study, category) pair the user gave, the latest word winning. ``individual``: the user
    looked at this study (a move, an assignment, a take-out, a split of selected studies, an answer to a
    suggestion); False for the studies a merge carried along, which the user judged as a group."""

    study_id: int
    category_id: int
    verdict: int          # +1 placed there, -1 taken out (or a suggestion to put it there refused)
    individual: bool


def examples(library: Library, hierarchy_id: int) -> list[Example]:
    """The user's labelled pairs in the hierarchy (see ``user_assignments``), for categories that still exist."""
    found: dict[tuple[int, int], Example] = {}

    def put(study_id: int, category_id: int | None, verdict: int, individual: bool = True) -> None:
        if category_id is not None:
            found.pop((study_id, category_id), None)   # the latest word wins, and comes last
            found[(study_id, category_id)] = Example(study_id, category_id, verdict, individual)

    for row in corrections(library, PLACEMENT_KINDS, hierarchy_id):
        payload, kind, study = row["payload"], row["kind"], row["study_id"]
        if kind in (MOVE_STUDY, ACCEPT_SUGGESTION):
            put(study, payload["from"], -1)
            put(study, payload["to"], 1)
        elif kind == ASSIGN_STUDY:
            put(study, row["category_id"], 1)
        elif kind in (UNASSIGN_STUDY, REJECT_SUGGESTION):
            put(study, row["category_id"], -1)
        elif kind == MERGE_CATEGORIES:
            for study_id in payload["studies"]:
                put(study_id, payload["target"], 1, individual=False)
        elif kind == SPLIT_CATEGORY:
            for new_id, ids in zip(payload["new_ids"], payload["groups"].values()):
                for study_id in ids:
                    put(study_id, new_id, 1)
    existing = {r[0] for r in library.conn.execute("SELECT id FROM categories WHERE hierarchy_id = ?", (hierarchy_id,))}
    return [e for e in found.values() if e.category_id in existing]


def deleted_categories(library: Library, hierarchy_id: int) -> list[dict[str, Any]]:
    """Categories the user deleted (and did not bring back with undo): name, parent id, path of names, studies.
    A rebuild should not make a category of the same name under the same parent again."""
    existing = {r[0] for r in library.conn.execute("SELECT id FROM categories WHERE hierarchy_id = ?", (hierarchy_id,))}
    return [{"category_id": r["category_id"], "name": r["payload"]["name"], "parent": r["payload"]["parent"],
             "path": r["payload"]["path"], "studies": r["payload"]["studies"]}
            for r in corrections(library, (DELETE_CATEGORY,), hierarchy_id) if r["category_id"] not in existing]


def renamed_or_locked(library: Library, hierarchy_id: int | None = None) -> list[dict[str, Any]]:
    """Category rows the user edited (created, renamed, moved, merged into, split) or locked: a rebuild keeps
    them with their names, descriptions and places."""
    sql = "SELECT * FROM categories WHERE (user_edited = 1 OR locked = 1)"
    params: list[Any] = []
    if hierarchy_id is not None:
        sql += " AND hierarchy_id = ?"
        params.append(hierarchy_id)
    return library.query(sql + " ORDER BY id", params)


def protected_categories(library: Library, hierarchy_id: int) -> set[int]:
    """Ids a rebuild must keep: user-edited or locked categories, their ancestors (a kept category needs its
    place), and every category holding a user or locked assignment."""
    rows = library.query("SELECT id, parent_id, user_edited, locked FROM categories WHERE hierarchy_id = ?",
                         (hierarchy_id,))
    parent = {r["id"]: r["parent_id"] for r in rows}
    seeds = {r["id"] for r in rows if r["user_edited"] or r["locked"]}
    seeds |= {r["category_id"] for r in protected_assignments(library, hierarchy_id)}
    kept: set[int] = set()
    for node in seeds:
        while node is not None and node not in kept:
            kept.add(node)
            node = parent.get(node)
    return kept


def protected_assignments(library: Library, hierarchy_id: int) -> list[dict[str, Any]]:
    """Assignment rows (label 1 and 0) that a rebuild keeps as they are: source 'user' or locked."""
    return library.query(
        "SELECT a.* FROM assignments a JOIN categories c ON c.id = a.category_id "
        "WHERE c.hierarchy_id = ? AND (a.source = 'user' OR a.locked = 1) ORDER BY a.id",
        (hierarchy_id,),
    )
