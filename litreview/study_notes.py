"""The researcher's own notes on a study: a user change like any other, so one undoable command with feedback."""

from __future__ import annotations

from litreview.store import Library


def set_notes(library: Library, study_id: int, text: str) -> None:
    """Replace the study's notes (Ctrl+Z restores the previous text); a missing study raises KeyError."""
    with library.command("Edit notes") as cmd:
        cmd.update("studies", study_id, {"notes": text})
        cmd.feedback("note", study_id=study_id, length=len(text))
