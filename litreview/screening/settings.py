"""The review's screening settings: the recall target and the confidence of the stopping rule, per library.

They live in ``library_settings`` (key -> JSON value) so they travel with the review, and a change is a user
command (undoable, logged as a ``setting`` feedback event): the stop a review records names the target and
confidence it was tested at, so changing them is part of the audit trail.
"""

from __future__ import annotations

from typing import Any

from litreview.errors import InputError
from litreview.store import Library
from litreview.store.settings import get_setting, set_setting

TARGET_KEY, CONFIDENCE_KEY = "screening.target_recall", "screening.confidence"
DEFAULTS: dict[str, float] = {TARGET_KEY: 0.95, CONFIDENCE_KEY: 0.95}


def stopping_settings(library: Library) -> tuple[float, float]:
    """(target recall, confidence), each 0-1; the defaults (95 %, 95 %) until the reviewer changes them."""
    values = []
    for key in (TARGET_KEY, CONFIDENCE_KEY):
        value = get_setting(library, key, DEFAULTS[key])
        values.append(float(value) if _valid(value) else DEFAULTS[key])
    return values[0], values[1]


def set_stopping_settings(library: Library, target: float | None = None, confidence: float | None = None) -> tuple[float, float]:
    """Change the target recall and/or the confidence (fractions, or percentages above 1); returns both."""
    current = dict(zip((TARGET_KEY, CONFIDENCE_KEY), stopping_settings(library)))
    for key, value, name in ((TARGET_KEY, target, "target recall"), (CONFIDENCE_KEY, confidence, "confidence")):
        if value is None:
            continue
        value = float(value) / 100 if float(value) > 1 else float(value)
        if round(value, 4) == round(current[key], 4):
            continue  # unchanged: no command, no undo step
        if not _valid(value):
            raise InputError(f"the {name} must be between 50 % and 99.9 %, not {percent(value)}")
        set_setting(library, key, round(value, 4), f"Set the stopping {name} to {percent(value)}")
    return stopping_settings(library)


def _valid(value: Any) -> bool:
    return isinstance(value, (int, float)) and 0.5 <= float(value) <= 0.999


def percent(value: float) -> str:
    """0.95 -> "95 %", 0.925 -> "92.5 %"."""
    return f"{round(100 * float(value), 1):g} %"
