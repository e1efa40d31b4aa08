"""The review protocol: the research question and the inclusion and exclusion criteria, one per library.

Editing it is a user command (undoable, logged as a ``protocol`` feedback event). Its text is the cold-start
query of the ranking, so a change here re-ranks the unscreened records.
"""

from __future__ import annotations

from litreview.store import Library

FIELDS = ("question", "inclusion", "exclusion")


def get_protocol(library: Library) -> dict[str, str]:
    rows = library.query("SELECT question, inclusion, exclusion FROM protocol WHERE id = 1")
    return rows[0] if rows else {name: "" for name in FIELDS}


def set_protocol(library: Library, question: str | None = None, inclusion: str | None = None,
                 exclusion: str | None = None) -> dict[str, str]:
    """Change the given fields (None = keep); one undoable command. Returns the protocol as it now is."""
    current = get_protocol(library)
    wanted = {"question": question, "inclusion": inclusion, "exclusion": exclusion}
    changes = {k: v.strip() for k, v in wanted.items() if v is not None and v.strip() != current[k]}
    if not changes:
        return current
    exists = bool(library.query("SELECT 1 FROM protocol WHERE id = 1"))
    with library.command("Edit review protocol") as cmd:
        if exists:
            cmd.update("protocol", 1, changes)
        else:
            cmd.insert("protocol", {"id": 1, **{**current, **changes}})
        cmd.feedback("protocol", changes={k: {"before": current[k], "after": v} for k, v in changes.items()})
    return get_protocol(library)


def ranking_query(protocol: dict[str, str]) -> str:
    """The text BM25 ranks against: the question and the inclusion criteria.

    Exclusion criteria are left out on purpose: BM25 only rewards shared words, so "exclude animal studies"
    would push animal studies to the top.
    """
    return " ".join(protocol.get(k, "") for k in ("question", "inclusion")).strip()
