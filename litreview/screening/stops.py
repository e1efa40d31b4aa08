"""Recording where screening stopped, with the rule and its evidence at that moment.

A stop is what a methods section and the PRISMA diagram must be able to state: which rule, at which target and
confidence, on what evidence (records since the last include, the p-value, screened of total), and whether the
rule allowed it or the reviewers chose to stop earlier. Stopping early is the reviewers' right: it is recorded
as their choice, never refused. Records left without a title/abstract decision after a recorded stop are the
ones PRISMA counts as "excluded by automation" (the tool ranked them below the stopping point).

Recording a stop is one undoable command; screening may go on afterwards (the stop stays on record, and the
records still unscreened are what automation excluded).
"""

from __future__ import annotations

import json

import litreview
from litreview.screening.decisions import FULL_TEXT, STAGE_NAMES, TITLE_ABSTRACT, DecisionError, check_stage
from litreview.screening.ranking import RANKER
from litreview.screening.status import last_stop, screening_status
from litreview.screening.stop_rule import RULE_NAME
from litreview.store import Library

CHOSEN_BY = ("rule", "user")


def stop_screening(library: Library, stage: str = TITLE_ABSTRACT, chosen_by: str | None = None) -> dict:
    """Record the stop of ``stage`` now; returns the stored row (evidence decoded).

    ``chosen_by``: None records what is true ('rule' when the rule allows stopping, else 'user'); 'user' always
    works; 'rule' is refused when the rule does not allow it yet (the message says what it still needs).
    """
    check_stage(stage)
    if chosen_by not in (None, *CHOSEN_BY):
        raise DecisionError(f"a stop is chosen by the rule or by the user, not {chosen_by!r}")
    status = screening_status(library, stage)
    if status["total"] == 0:
        raise DecisionError(f"there is nothing to screen at {STAGE_NAMES[stage]} yet, so there is nothing to stop")
    allowed = bool(status["suggested_stop"]) if stage == TITLE_ABSTRACT else status["unscreened"] == 0
    if chosen_by == "rule" and not allowed:
        raise DecisionError(f"the stopping rule does not allow stopping yet ({status['stop_note']}); "
                            "you can still stop as your own choice")
    chosen_by = chosen_by or ("rule" if allowed else "user")
    evidence = _evidence(status)
    row = {"stage": stage, "rule": _rule_text(status), "screened": status["screened"], "total": status["total"],
           "target": status.get("target_recall"), "confidence": status.get("confidence"),
           "evidence": json.dumps(evidence, sort_keys=True), "chosen_by": chosen_by}
    who = "by the rule" if chosen_by == "rule" else "by the reviewers' choice"
    with library.command(f"Stop {STAGE_NAMES[stage]} screening ({who})") as cmd:
        cmd.insert("screening_stops", row)
        cmd.feedback("screening_stop", stage=stage, chosen_by=chosen_by, screened=status["screened"],
                     total=status["total"], p_value=evidence.get("p_value"))
    stop = last_stop(library, stage)
    assert stop is not None
    return stop


def _rule_text(status: dict) -> str:
    if status["stage"] == FULL_TEXT:
        return "every report sought assessed"
    return f"{RULE_NAME}, {'random sample' if status['rule'] == 'random_sample' else 'ranked sample'}"


def _evidence(status: dict) -> dict:
    """What the rule saw when screening stopped."""
    if status["stage"] == FULL_TEXT:
        return {key: status[key] for key in ("screened", "total", "sought", "assessed", "included", "excluded",
                                              "not_retrieved", "exclusion_reasons")}
    keys = ("screened", "total", "included", "excluded", "maybe", "records_since_last_include", "p_value",
            "ranked_p_value", "window", "relevant_in_window", "rule", "stop_allowed_by", "random_check",
            "estimated_remaining", "remaining_interval", "estimated_recall", "stop_note")
    evidence = {key: status[key] for key in keys}
    if evidence["random_check"]:
        evidence["random_check"] = {k: v for k, v in evidence["random_check"].items() if k != "order"}
    evidence["ranker"] = RANKER
    evidence["version"] = litreview.__version__
    return evidence


def excluded_by_automation(library: Library) -> list[int]:
    """Studies PRISMA counts as excluded by automation: without a title/abstract decision after a recorded stop."""
    if last_stop(library, TITLE_ABSTRACT) is None:
        return []
    return [row[0] for row in library.conn.execute(
        "SELECT id FROM studies WHERE id NOT IN (SELECT study_id FROM decisions WHERE stage = 'title_abstract') "
        "ORDER BY id")]
