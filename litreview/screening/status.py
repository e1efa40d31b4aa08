"""Where the screening of a library stands, and whether it is reasonably safe to stop (see ``stopping``)."""

from __future__ import annotations

import math

import numpy as np

from litreview.screening.decisions import decisions
from litreview.screening.stopping import estimate, irrelevant_in_a_row, p_recall_reached
from litreview.store import Library

TARGET_RECALL = 0.95


def records_until_stop(labels: list[int], total: int, target: float = TARGET_RECALL, confidence: float = 0.95) -> int:
    """How many more records, if none of them is relevant, until the rule suggests stopping (0 = stop now)."""
    sequence = list(labels)
    for extra in range(0, total - len(labels) + 1):
        if p_recall_reached(np.asarray(sequence, dtype=int), total, target) >= confidence:
            return extra
        sequence.append(0)
    return total - len(labels)


def screening_status(library: Library, target: float = TARGET_RECALL) -> dict:
    """Counts, the estimate of relevant records left (with a 90 % interval) and the stopping suggestion.

    "maybe" counts as relevant here (it may turn out to be): that can only make the suggestion more careful.
    """
    made = decisions(library)
    total = library.study_count()
    counts = {name: sum(1 for d in made if d["decision"] == name) for name in ("include", "exclude", "maybe")}
    labels = [0 if d["decision"] == "exclude" else 1 for d in made]
    status = {
        "total": total,
        "screened": len(made),
        "included": counts["include"],
        "excluded": counts["exclude"],
        "maybe": counts["maybe"],
        "unscreened": total - len(made),
        "irrelevant_in_a_row": irrelevant_in_a_row(labels),
        "target_recall": target,
    }
    if not made or total == 0:
        status.update(estimated_remaining=None, remaining_interval=None, estimated_recall=None,
                      p_target_reached=None, suggested_stop=False, stop_after=None,
                      stop_note="no decisions yet: nothing to estimate from")
        return status
    result = estimate(labels, total, target)
    stop_after = 0 if result.stop else records_until_stop(labels, total, target)
    status.update(
        estimated_remaining=None if math.isnan(result.estimated_remaining) else round(result.estimated_remaining, 1),
        remaining_interval=list(result.interval),
        estimated_recall=round(result.estimated_recall, 3),
        p_target_reached=round(result.p_target, 3),
        suggested_stop=result.stop,
        stop_after=stop_after,
        stop_note=(f"P(recall >= {target:.0%}) = {result.p_target:.2f}: reasonably safe to stop" if result.stop else
                   f"keep screening: about {stop_after} more records without a relevant one before stopping is safe"
                   if result.found else "no relevant record yet: keep screening"),
    )
    return status
