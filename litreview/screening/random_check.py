"""The random-sample check: "screen N random records to confirm", for when the ranked test's assumption is unsafe.

The ranked test (``stop_rule``) treats the most recent records as a sample of what is left; that is safe only
when they came from a ranking that has learned something. Before that (no include and exclude yet), or
whenever the reviewer wants a check that rests on no assumption at all, a random sample of the unscreened
records does the job: starting a check draws a random order of the records unscreened at that moment, the
ranking then shows those first, and the hypergeometric test runs on the prefix of that order decided so far
(any prefix of a random order is a uniform random sample). A relevant record in the sample raises the number
needed; ``status`` says how many are still to go.

The check is stored as one setting (``screening.random_check``: the drawn order, and what was found and left
when it began), so starting and cancelling it are undoable commands and it survives a restart.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import numpy as np

from litreview.screening.decisions import TITLE_ABSTRACT, DecisionError, decisions, undecided_ids
from litreview.screening.stop_rule import random_sample_p_value, random_sample_size
from litreview.store import Library
from litreview.store.settings import get_setting, setting_id, write_setting

KEY = "screening.random_check"
RELEVANT = ("include", "maybe")  # maybe counts as relevant: it may turn out to be, so the check stays careful


def random_check(library: Library) -> dict | None:
    """The check in progress, or None: {order, found_before, urn, started}."""
    state = get_setting(library, KEY)
    return state if isinstance(state, dict) and state.get("order") else None


def start_random_check(library: Library, seed: int | None = None) -> dict:
    """Draw the random order of the unscreened records and make it what the ranking shows first (one command)."""
    if random_check(library) is not None:
        raise DecisionError("a random check is already running; finish or cancel it first")
    unscreened = undecided_ids(library, TITLE_ABSTRACT)
    if not unscreened:
        raise DecisionError("every record has been screened: there is nothing left to check")
    found = sum(1 for d in decisions(library, TITLE_ABSTRACT) if d["decision"] in RELEVANT)
    rng = np.random.default_rng(seed)
    state = {"order": [int(i) for i in rng.permutation(unscreened)], "found_before": found,
             "urn": len(unscreened), "started": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    with library.command(f"Start a random check of the {len(unscreened)} unscreened records") as cmd:
        write_setting(cmd, setting_id(library, KEY), KEY, json.dumps(state))
        cmd.feedback("random_check", action="start", urn=len(unscreened), found_before=found)
    return state


def cancel_random_check(library: Library) -> None:
    """End the check (the decisions made during it stay); the ranking takes over again."""
    row_id = setting_id(library, KEY)
    if row_id is None or random_check(library) is None:
        raise DecisionError("no random check is running")
    with library.command("End the random check") as cmd:
        write_setting(cmd, row_id, KEY, None)
        cmd.feedback("random_check", action="end")


def check_progress(state: dict, labels_by_study: dict[int, int], found_now: int, target: float,
                   confidence: float) -> dict:
    """Where a check stands: the decided prefix of its order is the sample."""
    sampled = relevant = 0
    for study_id in state["order"]:
        label = labels_by_study.get(study_id)
        if label is None:
            break
        sampled += 1
        relevant += label
    urn, found_before = int(state["urn"]), int(state["found_before"])
    found_now = max(found_now, found_before + relevant)
    p_value = random_sample_p_value(sampled, relevant, urn, found_before, found_now, target)
    needed = random_sample_size(urn, found_before, target, confidence, sampled, relevant, found_now)
    return {"sampled": sampled, "relevant_in_sample": relevant, "urn": urn, "p_value": p_value,
            "needed": needed, "to_go": max(0, needed - sampled), "started": state.get("started")}


def next_in_check(state: dict, decided: set[int]) -> list[int]:
    """The check's undecided records in its order (what the ranking shows first while it runs)."""
    return [study_id for study_id in state["order"] if study_id not in decided]
