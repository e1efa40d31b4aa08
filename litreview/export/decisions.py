"""The screening decisions as a table, for a review's supplementary material and its audit trail.

One row per decision that stands (a study has at most one per stage): the study, its citation key (as in
``export bibtex``) and title, the stage (title_abstract | full_text), the decision (include | exclude | maybe |
not_retrieved), the reason and note, when it was made, and who made it: ``human`` or ``automation`` (a tool set
the record aside). Rows are in the order the decisions were made. Records that a recorded stop of screening left
unscreened have no decision; the PRISMA export counts them (``prisma``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litreview.export import csv_safe
from litreview.export.citekeys import library_keys
from litreview.export.files import atomic_text

COLUMNS = ["study_id", "citation_key", "title", "stage", "decision", "reason", "note", "decided_at", "who"]


def write_decisions_csv(library: Any, path: str | Path) -> Path:
    keys = library_keys(library)
    titles = {r["id"]: r["title"] or "" for r in library.query("SELECT id, title FROM studies")}
    rows = library.query("SELECT study_id, stage, decision, reason, note, decided_at, actor FROM decisions "
                         "ORDER BY decided_at, id")
    with atomic_text(path, encoding="utf-8-sig") as out:  # the BOM makes Excel read UTF-8 correctly
        writer = csv_safe.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([row["study_id"], keys[row["study_id"]], titles[row["study_id"]], row["stage"],
                             row["decision"], row["reason"], row["note"], row["decided_at"], row["actor"]])
    return Path(path)
