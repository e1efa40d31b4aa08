"""The decision history: every decision ever made (changed minds included), newest first, with filter and search.

It is read from the feedback log, where each decision command left one event (stage, decision, reason, note,
actor, the decision it replaced); undone decisions are left out (their events are retracted while undone).
Each row says whether it is still the study's current decision at its stage, so a list of decisions and an
audit trail are the same query. Events written before decisions had stages count as title/abstract.
"""

from __future__ import annotations

import json

from litreview.screening.decisions import STAGES, DecisionError, check_stage
from litreview.store import Library

COLUMNS = ("study_id", "title", "year", "stage", "decision", "reason", "note", "time", "who", "previous", "current")


def decision_history(library: Library, *, stage: str | None = None, decision: str | None = None,
                     study_id: int | None = None, search: str = "", limit: int | None = None) -> list[dict]:
    """Decisions newest first. ``search`` matches the title, reason or note (case-insensitive, every word)."""
    if stage is not None:
        check_stage(stage)
    if limit is not None and limit < 1:
        raise DecisionError("the history limit must be at least 1")
    sql = ["SELECT f.study_id, f.payload, f.created, s.title, s.year FROM feedback f "
           "LEFT JOIN studies s ON s.id = f.study_id WHERE f.kind = 'decision' AND f.retracted = 0"]
    params: list = []
    if study_id is not None:
        sql.append("AND f.study_id = ?")
        params.append(study_id)
    sql.append("ORDER BY f.id DESC")
    current = {(r[0], r[1]): (r[2], r[3]) for r in library.conn.execute(
        "SELECT study_id, stage, decision, decided_at FROM decisions")}
    words = search.lower().split()
    rows: list[dict] = []
    seen: set[tuple[int, str]] = set()
    for event_study, payload_text, created, title, year in library.conn.execute(" ".join(sql), params):
        payload = json.loads(payload_text or "{}")
        row = {
            "study_id": event_study, "title": title if title is not None else "(study removed)", "year": year,
            "stage": payload.get("stage") or STAGES[0], "decision": payload.get("decision"),
            "reason": payload.get("reason", ""), "note": payload.get("note", ""), "time": created,
            "who": payload.get("actor", "human"), "previous": payload.get("previous"),
        }
        key = (event_study, row["stage"])
        # the newest event of a (study, stage) is its current decision, if the study still has one there
        row["current"] = key not in seen and current.get(key, (None,))[0] == row["decision"]
        seen.add(key)
        if stage is not None and row["stage"] != stage:
            continue
        if decision is not None and row["decision"] != decision:
            continue
        if words:
            text = " ".join(str(row[k] or "") for k in ("title", "reason", "note")).lower()
            if not all(word in text for word in words):
                continue
        rows.append(row)
        if limit is not None and len(rows) >= limit:
            break
    return rows
