"""Screening decisions: include / exclude / maybe per study, with a note and a time.

Each decision is one user command (so Ctrl+Z takes it back) that upserts the study's row in ``decisions`` and
logs a ``decision`` feedback event (the active-learning signal and the audit trail of changed minds).
"""

from __future__ import annotations

from datetime import datetime, timezone

from litreview.errors import LitreviewError
from litreview.store import Library

DECISIONS = ("include", "exclude", "maybe")


class DecisionError(LitreviewError):
    """A decision that cannot be recorded (unknown study, unknown decision); nothing was written."""


def decide(library: Library, study_id: int, decision: str, note: str = "") -> int:
    """Record (or change) the decision on one study; returns the decisions row id."""
    decision = decision.strip().lower()
    if decision not in DECISIONS:
        raise DecisionError(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
    if library.study(study_id) is None:
        raise DecisionError(f"there is no study {study_id}")
    previous = library.query("SELECT id, decision, note FROM decisions WHERE study_id = ?", (study_id,))
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    with library.command(f"{decision.capitalize()} study {study_id}") as cmd:
        if previous:
            row_id = previous[0]["id"]
            cmd.update("decisions", row_id, {"decision": decision, "note": note, "decided_at": now})
        else:
            row_id = cmd.insert("decisions", {"study_id": study_id, "decision": decision, "note": note,
                                              "decided_at": now})
        cmd.feedback("decision", study_id=study_id, decision=decision, note=note,
                     previous=previous[0]["decision"] if previous else None)
    return row_id


def decisions(library: Library) -> list[dict]:
    """Current decisions in the order they were made (oldest first): the screening sequence so far."""
    return library.query("SELECT study_id, decision, note, decided_at FROM decisions ORDER BY decided_at, id")


def last_undone_decision(library: Library) -> int | None:
    """The study whose decision the next redo would bring back (after Ctrl+Z it is shown again first)."""
    row = library.conn.execute(
        "SELECT f.study_id FROM feedback f JOIN commands c ON c.id = f.command_id "
        "JOIN undo_groups g ON g.id = c.group_id WHERE g.state = 'undone' AND f.kind = 'decision' "
        "ORDER BY g.seq ASC, f.id DESC LIMIT 1").fetchone()
    return row[0] if row else None
