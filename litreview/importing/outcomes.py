"""What happened to each input of an import batch, in words a researcher understands.

Every input file, and every record of a reference export, ends as exactly one outcome: imported, duplicate (of
which study, named by its title and year, and why), or failed (and why). The outcomes are also kept in
``import_outcomes`` under a batch id, with the record's title and its source, so the app can show a past
import's report and PRISMA can count the records identified per source; they are records of what happened,
not user changes, so they are written directly rather than through a command.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from litreview.store import Library

Status = Literal["imported", "duplicate", "failed"]
STATUSES: tuple[Status, ...] = ("imported", "duplicate", "failed")
# How much of a matched study's title a duplicate's reason quotes.
LABEL_CHARS = 60


@dataclass(frozen=True)
class ImportOutcome:
    file: str
    status: Status
    reason: str | None = None
    study_id: int | None = None
    matched_id: int | None = None
    record: int | None = None  # 1-based record number inside a reference export; None for a whole file
    title: str | None = None  # the record's (or PDF's) title, for reports

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def input(self) -> str:
        """How the input is named in reports: the file, plus the record number for a reference record."""
        return self.file if self.record is None else f"{self.file}#{self.record}"


class ImportReport(list):
    """The outcomes of one batch (a list of ``ImportOutcome``), with the batch id and, when the batch ended
    before its last input for a reason other than a cancel (the disk is full), that reason in one line."""

    def __init__(self, batch: str, outcomes: list[ImportOutcome] | None = None):
        super().__init__(outcomes or [])
        self.batch = batch
        self.stopped: str | None = None


def new_batch_id() -> str:
    return time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]


def record_outcomes(library: Library, batch: str, outcomes: list[ImportOutcome], source_id: int | None = None) -> None:
    with library.atomic():
        library.conn.executemany(
            "INSERT INTO import_outcomes(batch, input, status, reason, study_id, matched_id, source_id, title)"
            " VALUES (?,?,?,?,?,?,?,?)",
            [(batch, o.input, o.status, o.reason, o.study_id, o.matched_id, source_id, o.title) for o in outcomes],
        )


def summarise(outcomes: list[ImportOutcome]) -> dict[str, int]:
    counts = {"imported": 0, "duplicate": 0, "failed": 0}
    for outcome in outcomes:
        counts[outcome.status] += 1
    return counts


def study_label(library: Library, study_id: int) -> str:
    """A study as a researcher recognises it: “Its title, cut at a word…” (2006). Never its internal id."""
    row = library.conn.execute("SELECT title, year FROM studies WHERE id = ?", (study_id,)).fetchone()
    title, year = row if row else (None, None)
    return label(title, year)


def label(title: str | None, year: int | None) -> str:
    title = " ".join((title or "").split())
    if len(title) > LABEL_CHARS:
        cut = title[:LABEL_CHARS].rsplit(" ", 1)[0].rstrip(" ,;:.-")
        title = cut + "…"
    named = f"“{title}”" if title else "an untitled record"
    return f"{named} ({year})" if year else named


# -- past batches -------------------------------------------------------------------------------------------------
@dataclass
class BatchSummary:
    """One past import: when it ran, which files it read, and how many outcomes of each status it had."""

    batch: str
    started: str  # UTC time of its first outcome, ISO 8601
    files: list[str]
    counts: dict[str, int] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)


_RECORD_SUFFIX = re.compile(r"^(.*)#(\d+)$")


def split_input(value: str) -> tuple[str, int | None]:
    """``import_outcomes.input`` back into (file, record number or None)."""
    found = _RECORD_SUFFIX.match(value)
    return (found.group(1), int(found.group(2))) if found else (value, None)


def import_batches(library: Library, limit: int = 100) -> list[BatchSummary]:
    """Past import batches, newest first, so the app can list them and show an old report again."""
    recent = [row[0] for row in library.conn.execute(
        "SELECT batch FROM import_outcomes GROUP BY batch ORDER BY max(id) DESC LIMIT ?", (limit,))]
    batches = {batch: BatchSummary(batch, "", [], {status: 0 for status in STATUSES}) for batch in recent}
    marks = ",".join("?" * len(recent))
    for row in library.query(
            "SELECT o.batch, o.input, o.status, o.created, s.name AS source FROM import_outcomes o"
            f" LEFT JOIN sources s ON s.id = o.source_id WHERE o.batch IN ({marks}) ORDER BY o.id", recent):
        summary = batches[row["batch"]]
        summary.started = summary.started or row["created"]
        file, _ = split_input(row["input"])
        if file not in summary.files:
            summary.files.append(file)
        summary.counts[row["status"]] += 1
        if row["source"] and row["source"] not in summary.sources:
            summary.sources.append(row["source"])
    return list(batches.values())


def batch_outcomes(library: Library, batch: str) -> list[ImportOutcome]:
    """The outcomes of one past batch, in the order they happened (the report the app showed then)."""
    outcomes = []
    for row in library.query("SELECT input, status, reason, study_id, matched_id, title FROM import_outcomes"
                             " WHERE batch = ? ORDER BY id", (batch,)):
        file, record = split_input(row["input"])
        outcomes.append(ImportOutcome(file, row["status"], row["reason"], row["study_id"], row["matched_id"],
                                      record, row["title"]))
    return outcomes
