"""The review's list of exclusion reasons, per stage, offered when a record is excluded (keys 1-9 in the app).

A review starts with common defaults (the wording of PRISMA 2020 and Cochrane's screening forms); the reviewer
adds, renames, removes and reorders them, each change one undoable command. The list is stored only once it is
edited: until then ``reasons`` returns the defaults, and the first edit writes them together with the change, so
an edited list never falls back to the defaults (even when the reviewer removes every reason).
"""

from __future__ import annotations

from litreview.screening.decisions import STAGE_NAMES, DecisionError, check_stage
from litreview.store import Library
from litreview.store.settings import get_setting, setting_id, write_setting

DEFAULT_REASONS = {
    "title_abstract": ["wrong population", "wrong intervention", "wrong comparator", "wrong outcome",
                       "wrong study design", "not a primary study", "duplicate", "wrong language", "wrong publication type"],
    "full_text": ["wrong population", "wrong intervention", "wrong comparator", "wrong outcome", "wrong study design",
                  "not a primary study", "duplicate", "full text not available", "insufficient data"],
}
EDITED_KEY = "screening.reasons_edited.{stage}"  # set by the first edit, so an emptied list stays empty


def reasons(library: Library, stage: str = "title_abstract") -> list[str]:
    """The reasons offered at ``stage``, in order."""
    check_stage(stage)
    if not get_setting(library, EDITED_KEY.format(stage=stage), False):
        return list(DEFAULT_REASONS[stage])
    return [r[0] for r in library.conn.execute(
        "SELECT text FROM screening_reasons WHERE stage = ? ORDER BY position, id", (stage,))]


def set_reasons(library: Library, stage: str, wanted: list[str], label: str | None = None) -> list[str]:
    """Make the list exactly ``wanted`` (one command): add, remove, rename and reorder are all this."""
    check_stage(stage)
    cleaned: list[str] = []
    for text in wanted:
        text = " ".join(text.split())
        if not text:
            raise DecisionError("a reason needs some words")
        if len(text) > 120:
            raise DecisionError("a reason is a short phrase (at most 120 characters); use the note for more")
        if text.lower() in (c.lower() for c in cleaned):
            raise DecisionError(f"“{text}” is already in the list")
        cleaned.append(text)
    before = reasons(library, stage)
    if cleaned == before:
        return cleaned
    stored = library.query("SELECT id, text, position FROM screening_reasons WHERE stage = ? ORDER BY position, id",
                           (stage,))
    flag = setting_id(library, EDITED_KEY.format(stage=stage))
    with library.command(label or f"Edit the {STAGE_NAMES[stage]} exclusion reasons") as cmd:
        if flag is None:
            write_setting(cmd, None, EDITED_KEY.format(stage=stage), "true")
        for position, text in enumerate(cleaned):
            if position < len(stored):
                if (stored[position]["text"], stored[position]["position"]) != (text, position):
                    cmd.update("screening_reasons", stored[position]["id"], {"text": text, "position": position})
            else:
                cmd.insert("screening_reasons", {"stage": stage, "text": text, "position": position})
        for row in stored[len(cleaned):]:
            cmd.delete("screening_reasons", row["id"])
        cmd.feedback("reasons", stage=stage, before=before, after=cleaned)
    return cleaned


def add_reason(library: Library, stage: str, text: str) -> list[str]:
    text = " ".join(text.split())
    return set_reasons(library, stage, reasons(library, stage) + [text], f"Add the exclusion reason “{text}”")


def remove_reason(library: Library, stage: str, text: str) -> list[str]:
    current = reasons(library, stage)
    match = [r for r in current if r.lower() == " ".join(text.split()).lower()]
    if not match:
        raise DecisionError(f"“{text}” is not in the {STAGE_NAMES[stage]} list")
    return set_reasons(library, stage, [r for r in current if r != match[0]], f"Remove the exclusion reason “{match[0]}”")


def rename_reason(library: Library, stage: str, old: str, new: str) -> list[str]:
    current = reasons(library, stage)
    if old not in current:
        raise DecisionError(f"“{old}” is not in the {STAGE_NAMES[stage]} list")
    return set_reasons(library, stage, [new if r == old else r for r in current], f"Rename the exclusion reason “{old}”")


def move_reason(library: Library, stage: str, text: str, position: int) -> list[str]:
    current = reasons(library, stage)
    if text not in current:
        raise DecisionError(f"“{text}” is not in the {STAGE_NAMES[stage]} list")
    current.remove(text)
    current.insert(max(0, min(position, len(current))), text)
    return set_reasons(library, stage, current, f"Move the exclusion reason “{text}”")
