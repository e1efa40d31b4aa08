"""Screening decisions at two stages (PRISMA 2020): title/abstract, then full text, each with a reason and a note.

Each decision is one user command (so Ctrl+Z takes it back) that upserts the study's row for that stage in
``decisions`` and logs a ``decision`` feedback event: the active-learning signal, and the audit trail of who
decided what, when and why (``history`` reads it back).

* Title/abstract: include, exclude or maybe. This is the stage the ranking learns from, the stopping rule tests
  and the simulation replays; everything that reads decisions for those reads this stage only.
* Full text: include, exclude or not_retrieved, only for studies included at title/abstract (PRISMA's "reports
  sought for retrieval"). A title/abstract include that a full-text decision rests on cannot be changed until
  that decision is undone or changed, so the diagram's counts always add up.

A reason may accompany any decision: one of the review's list (``reasons``) or free text; the note is free text.
"""

from __future__ import annotations

from datetime import datetime, timezone

from litreview.errors import LitreviewError
from litreview.store import Library

TITLE_ABSTRACT, FULL_TEXT = "title_abstract", "full_text"
STAGES = (TITLE_ABSTRACT, FULL_TEXT)
STAGE_NAMES = {TITLE_ABSTRACT: "title/abstract", FULL_TEXT: "full text"}
DECISIONS_BY_STAGE = {TITLE_ABSTRACT: ("include", "exclude", "maybe"),
                      FULL_TEXT: ("include", "exclude", "not_retrieved")}
DECISIONS = DECISIONS_BY_STAGE[TITLE_ABSTRACT]
ACTORS = ("human", "automation")
VERBS = {"include": "Include", "exclude": "Exclude", "maybe": "Maybe", "not_retrieved": "Not retrieved"}


class DecisionError(LitreviewError):
    """A decision that cannot be recorded (unknown study, decision or stage); nothing was written."""


def check_stage(stage: str) -> str:
    if stage not in STAGES:
        raise DecisionError(f"the screening stage must be title_abstract or full_text, not {stage!r}")
    return stage


def study_label(study: dict) -> str:
    """How a study is named in messages and undo labels: its title (shortened) and year, never an internal id."""
    title = " ".join((study.get("title") or "").split()) or "untitled record"
    if len(title) > 80:
        title = title[:77].rstrip() + "…"
    return f"“{title}” ({study['year']})" if study.get("year") else f"“{title}”"


def decide(library: Library, study_id: int, decision: str, *, stage: str = TITLE_ABSTRACT, reason: str = "",
           note: str = "", actor: str = "human") -> int:
    """Record (or change) the decision on one study at one stage; returns the decisions row id."""
    check_stage(stage)
    decision = decision.strip().lower()
    allowed = DECISIONS_BY_STAGE[stage]
    if decision not in allowed:
        raise DecisionError(f"at the {STAGE_NAMES[stage]} stage a decision is one of {', '.join(allowed)}, "
                            f"not {decision!r}")
    if actor not in ACTORS:
        raise DecisionError(f"a decision is made by a human or by automation, not {actor!r}")
    study = library.study(study_id)
    if study is None:
        raise DecisionError(f"there is no study {study_id}")
    current = {row["stage"]: row for row in library.query(
        "SELECT id, stage, decision, reason, note FROM decisions WHERE study_id = ?", (study_id,))}
    if stage == FULL_TEXT and current.get(TITLE_ABSTRACT, {}).get("decision") != "include":
        raise DecisionError(f"{study_label(study)} was not included at title/abstract, so it has no full-text "
                            "decision to make (include it at title/abstract first)")
    if stage == TITLE_ABSTRACT and decision != "include" and FULL_TEXT in current:
        raise DecisionError(f"{study_label(study)} already has a full-text decision "
                            f"({current[FULL_TEXT]['decision'].replace('_', ' ')}); change or undo that first")
    previous = current.get(stage)
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    values = {"decision": decision, "reason": reason.strip(), "note": note.strip(), "actor": actor, "decided_at": now}
    label = f"{VERBS[decision]} {study_label(study)}" + (" at full text" if stage == FULL_TEXT else "")
    with library.command(label) as cmd:
        if previous:
            row_id = previous["id"]
            cmd.update("decisions", row_id, values)
        else:
            row_id = cmd.insert("decisions", {"study_id": study_id, "stage": stage, **values})
        cmd.feedback("decision", study_id=study_id, stage=stage, decision=decision, reason=values["reason"],
                     note=values["note"], actor=actor, previous=previous["decision"] if previous else None)
    return row_id


def decisions(library: Library, stage: str = TITLE_ABSTRACT) -> list[dict]:
    """Current decisions of one stage in the order they were made (oldest first): the screening sequence so far."""
    check_stage(stage)
    return library.query("SELECT study_id, decision, reason, note, actor, decided_at FROM decisions "
                         "WHERE stage = ? ORDER BY decided_at, id", (stage,))


def decision_of(library: Library, study_id: int, stage: str = TITLE_ABSTRACT) -> dict | None:
    rows = library.query("SELECT decision, reason, note, actor, decided_at FROM decisions "
                         "WHERE study_id = ? AND stage = ?", (study_id, check_stage(stage)))
    return rows[0] if rows else None


def undecided_ids(library: Library, stage: str = TITLE_ABSTRACT, limit: int = -1) -> list[int]:
    """Studies still to decide at ``stage`` (the first ``limit``; -1 = all): every study without a title/abstract
    decision, or, at full text, every title/abstract include without a full-text decision."""
    if check_stage(stage) == TITLE_ABSTRACT:
        sql = ("SELECT id FROM studies WHERE id NOT IN (SELECT study_id FROM decisions WHERE stage = 'title_abstract') "
               "ORDER BY id LIMIT ?")
    else:
        sql = ("SELECT study_id FROM decisions WHERE stage = 'title_abstract' AND decision = 'include' AND study_id "
               "NOT IN (SELECT study_id FROM decisions WHERE stage = 'full_text') ORDER BY study_id LIMIT ?")
    return [row[0] for row in library.conn.execute(sql, (limit,))]


def last_undone_decision(library: Library, stage: str = TITLE_ABSTRACT) -> int | None:
    """The study whose decision the next redo would bring back (after Ctrl+Z it is shown again first)."""
    for study_id, payload_stage in library.conn.execute(
            "SELECT f.study_id, json_extract(f.payload, '$.stage') FROM feedback f "
            "JOIN commands c ON c.id = f.command_id JOIN undo_groups g ON g.id = c.group_id "
            "WHERE g.state = 'undone' AND f.kind = 'decision' ORDER BY g.seq ASC, f.id DESC LIMIT 1"):
        return study_id if (payload_stage or TITLE_ABSTRACT) == stage else None
    return None
