"""Where the screening of a library stands, and whether the stopping rule allows stopping (``stop_rule``).

One call reads everything a status line needs (counts, the rule that applies and its evidence, the model's
estimate of what is left, the recorded stop) in a handful of queries, so the app can run it once per decision,
off the GUI thread, beside the ranking.

Which test applies. The ranked test needs recent records that came from a ranking that has learned something:
that is true once there is at least one include and one exclude at title/abstract (before that the order is
import order or a text match, and the app says so). Until then, and whenever a random check is running, the
random-sample test applies, and the status offers one: "screen N random records to confirm".

"maybe" counts as relevant throughout (it may turn out to be): that can only make the rule more careful.
"""

from __future__ import annotations

import json
import math

from litreview.screening.decisions import FULL_TEXT, TITLE_ABSTRACT, check_stage, decisions
from litreview.screening.random_check import check_progress, random_check
from litreview.screening.settings import percent, stopping_settings
from litreview.screening.stop_rule import (
    RANDOM,
    RANKED,
    RULE_NAME,
    random_sample_size,
    ranked_test,
    records_until_ranked_stop,
)
from litreview.screening.stopping import estimate, irrelevant_in_a_row
from litreview.store import Library

RELEVANT = ("include", "maybe")


def screening_status(library: Library, stage: str = TITLE_ABSTRACT) -> dict:
    """The status of one stage: counts for both; at title/abstract also the rule, its evidence and the estimate."""
    if check_stage(stage) == FULL_TEXT:
        return full_text_status(library)
    made = decisions(library, TITLE_ABSTRACT)
    total = library.study_count()
    target, confidence = stopping_settings(library)
    counts = {name: sum(1 for d in made if d["decision"] == name) for name in ("include", "exclude", "maybe")}
    labels = [1 if d["decision"] in RELEVANT else 0 for d in made]
    found, screened = sum(labels), len(made)
    status: dict = {
        "stage": TITLE_ABSTRACT, "total": total, "screened": screened, "included": counts["include"],
        "excluded": counts["exclude"], "maybe": counts["maybe"], "unscreened": total - screened,
        "records_since_last_include": irrelevant_in_a_row(labels), "target_recall": target, "confidence": confidence,
        "rule_name": RULE_NAME, "stopped": last_stop(library, TITLE_ABSTRACT),
    }
    status["irrelevant_in_a_row"] = status["records_since_last_include"]
    informative = counts["include"] > 0 and counts["exclude"] > 0
    test = ranked_test(labels, total, target)
    check = random_check(library)
    progress = None
    if check is not None:
        alive = {row[0] for row in library.conn.execute("SELECT id FROM studies")}
        check = {**check, "order": [i for i in check["order"] if i in alive]}
        progress = check_progress(check, {d["study_id"]: int(d["decision"] in RELEVANT) for d in made}, found,
                                  target, confidence)
    alpha = 1.0 - confidence
    ranked_allows = informative and test.p_value < alpha
    check_allows = progress is not None and progress["p_value"] < alpha
    rule = RANDOM if progress is not None or not informative else RANKED
    status.update(
        rule=rule, p_value=_round_p(test.p_value if rule == RANKED else progress["p_value"] if progress else 1.0),
        ranked_p_value=_round_p(test.p_value), window=test.window, relevant_in_window=test.relevant_in_window,
        random_check=progress, suggested_stop=bool(total and (ranked_allows or check_allows or screened >= total)),
        stop_allowed_by=RANKED if ranked_allows else RANDOM if check_allows else None,
    )
    status["stop_after"] = (records_until_ranked_stop(labels, total, target, confidence)
                            if informative and not status["suggested_stop"] else 0 if status["suggested_stop"] else None)
    status["random_sample_offer"] = (random_sample_size(total - screened, found, target, confidence)
                                     if total > screened and not status["suggested_stop"] and progress is None else None)
    _add_estimate(status, labels, total)
    status["stop_note"] = stop_note(status)
    return status


def decision_counts(library: Library, stage: str = TITLE_ABSTRACT) -> dict[str, int]:
    """Decisions per kind at ``stage`` and the records to decide there: one cheap query, for a counter that must
    be current the moment a key is pressed (the full status follows from the background)."""
    check_stage(stage)
    counts = dict(library.conn.execute(
        "SELECT decision, count(*) FROM decisions WHERE stage = ? GROUP BY decision", (stage,)).fetchall())
    if stage == TITLE_ABSTRACT:
        total = library.study_count()
    else:
        total = library.conn.execute("SELECT count(*) FROM decisions WHERE stage = 'title_abstract' "
                                     "AND decision = 'include'").fetchone()[0]
    screened = sum(counts.values())
    return {"total": total, "screened": screened, "unscreened": max(0, total - screened),
            **{name: counts.get(name, 0) for name in ("include", "exclude", "maybe", "not_retrieved")}}


def _round_p(p: float) -> float:
    return float(f"{p:.3g}")


def _add_estimate(status: dict, labels: list[int], total: int) -> None:
    """The model-based estimate of what is left: information beside the rule, never the rule."""
    if not labels or total == 0:
        status.update(estimated_remaining=None, remaining_interval=None, estimated_recall=None)
        return
    result = estimate(labels, total)
    status.update(
        estimated_remaining=None if math.isnan(result.estimated_remaining) else round(result.estimated_remaining, 1),
        remaining_interval=list(result.interval),
        estimated_recall=round(result.estimated_recall, 3))


def stop_note(status: dict) -> str:
    """One sentence for the reviewer: what the rule says and why."""
    target, confidence = percent(status["target_recall"]), percent(status["confidence"])
    if status["total"] == 0:
        return "no records yet: import some to screen"
    if status["screened"] >= status["total"]:
        return "every record has been screened"
    p = status["p_value"]
    if status["suggested_stop"]:
        how = ("the random check" if status["stop_allowed_by"] == RANDOM
               else f"the last {status['window']} records screened")
        return (f"safe to stop: {how} reject \"recall below {target}\" at {confidence} confidence (p = {p:.3g})")
    check = status["random_check"]
    if check is not None:
        return (f"random check: {check['sampled']} of {check['needed']} records screened, "
                f"{check['relevant_in_sample']} relevant among them (p = {p:.3g}); {check['to_go']} to go")
    offer = status["random_sample_offer"]
    if status["rule"] == RANDOM:
        if status["included"] + status["maybe"] == 0:
            return (f"no relevant record found yet, so the ranking has nothing to learn from; keep screening, or "
                    f"screen {offer} random records to confirm there are (almost) none")
        return (f"the ranking has not learned yet (it needs an include and an exclude), so recent records say "
                f"little about the rest; keep screening, or screen {offer} random records to confirm")
    return (f"keep screening: \"recall below {target}\" cannot be rejected yet (p = {p:.3g}, needs < "
            f"{1 - status['confidence']:.3g}); about {status['stop_after']} more records without a relevant one, "
            f"or screen {offer} random records to confirm")


def full_text_status(library: Library) -> dict:
    """Counts at full text, in PRISMA's terms: the title/abstract includes are what goes on to full text; a report
    is *sought* once the study has a file or a full-text decision; *assessed* = included or excluded at full
    text; *not retrieved* = sought without success; exclusions are counted per reason."""
    candidates = library.conn.execute(
        "SELECT count(*), sum(EXISTS (SELECT 1 FROM files f WHERE f.study_id = d.study_id) OR EXISTS ("
        "SELECT 1 FROM decisions x WHERE x.study_id = d.study_id AND x.stage = 'full_text')) "
        "FROM decisions d WHERE d.stage = 'title_abstract' AND d.decision = 'include'").fetchone()
    total, sought = int(candidates[0]), int(candidates[1] or 0)
    made = decisions(library, FULL_TEXT)
    counts = {name: sum(1 for d in made if d["decision"] == name) for name in ("include", "exclude", "not_retrieved")}
    reasons: dict[str, int] = {}
    for d in made:
        if d["decision"] == "exclude":
            reason = d["reason"] or "no reason given"
            reasons[reason] = reasons.get(reason, 0) + 1
    left = max(0, total - len(made))
    return {"stage": FULL_TEXT, "total": total, "sought": sought, "screened": len(made),
            "assessed": counts["include"] + counts["exclude"], "included": counts["include"],
            "excluded": counts["exclude"], "not_retrieved": counts["not_retrieved"], "unscreened": left,
            "exclusion_reasons": reasons, "stopped": last_stop(library, FULL_TEXT),
            "stop_note": (f"{left} of {total} studies still to assess in full text" if left
                          else "every study included at title/abstract has a full-text decision" if total
                          else "no study included at title/abstract yet")}


def last_stop(library: Library, stage: str) -> dict | None:
    """The latest recorded stop of a stage (undoing it removes it), with its evidence decoded."""
    rows = library.query("SELECT * FROM screening_stops WHERE stage = ? ORDER BY id DESC LIMIT 1", (stage,))
    if not rows:
        return None
    row = rows[0]
    row["evidence"] = json.loads(row["evidence"] or "{}")
    return row
