"""Who wrote what, in the words a paper's methods section needs.

``assigned_by``: an assignment's ``source`` is 'user', 'stats', 'rules' or the name of the model that made it; an
export shows a stable code (user | model | rules | stats) and the model's name in a column of its own, so a
spreadsheet can filter on the code while the model stays on record.

Descriptions: a category's description is written together with its name (by the model, the statistics fallback,
or the user). When the user renames a category, a description the machine wrote for the old name no longer
describes it, so exports leave it out unless the user wrote a description too. A rename by the user is known from
``categories.name_source = 'user'`` or, for libraries whose builder did not keep that column up to date, from the
active ``rename_category`` feedback; a user's description from that feedback (a changed ``new_description``) or
from the category having been created by the user.
"""

from __future__ import annotations

import json
from typing import Any

CODES = ("user", "model", "rules", "stats")


def assigned_by(source: str | None) -> tuple[str, str]:
    """(code, model name) for an assignment source; ('', '') for none."""
    if not source:
        return "", ""
    if source in ("user", "rules", "stats"):
        return source, ""
    return "model", source


def export_descriptions(library: Any, hierarchy_id: int) -> dict[int, str]:
    """category id -> the description an export may show ('' where it was dropped)."""
    rows = library.query("SELECT id, name, description, name_source FROM categories WHERE hierarchy_id = ?",
                         (hierarchy_id,))
    renamed: set[int] = set()
    described: set[int] = set()
    for row in library.query(
            "SELECT kind, category_id, payload FROM feedback WHERE retracted = 0 AND kind IN "
            "('rename_category', 'new_category') AND category_id IS NOT NULL ORDER BY id"):
        payload = json.loads(row["payload"] or "{}")
        if row["kind"] == "new_category":
            described.add(row["category_id"])
            continue
        if payload.get("old") != payload.get("new"):
            renamed.add(row["category_id"])
        if payload.get("old_description") != payload.get("new_description"):
            described.add(row["category_id"])
    out = {}
    for row in rows:
        by_user = row["name_source"] == "user" or row["id"] in renamed
        out[row["id"]] = row["description"] if not by_user or row["id"] in described else ""
    return out
