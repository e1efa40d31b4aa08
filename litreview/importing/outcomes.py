"""What happened to each input of an import batch, in words a researcher understands.

Every input file, and every record of a reference export, ends as exactly one outcome: imported, duplicate (of
which study, and why), or failed (and why). The outcomes are also kept in ``import_outcomes`` under a batch id,
so the app can show a past import's report; they are records of what happened, not user changes, so they are
written directly rather than through a command.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass
from typing import Any, Literal

from litreview.store import Library

Status = Literal["imported", "duplicate", "failed"]


@dataclass(frozen=True)
class ImportOutcome:
    file: str
    status: Status
    reason: str | None = None
    study_id: int | None = None
    matched_id: int | None = None
    record: int | None = None  # 1-based record number inside a reference export; None for a whole file

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def input(self) -> str:
        """How the input is named in reports: the file, plus the record number for a reference record."""
        return self.file if self.record is None else f"{self.file}#{self.record}"


def new_batch_id() -> str:
    return time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]


def record_outcomes(library: Library, batch: str, outcomes: list[ImportOutcome]) -> None:
    with library.atomic():
        library.conn.executemany(
            "INSERT INTO import_outcomes(batch, input, status, reason, study_id, matched_id) VALUES (?,?,?,?,?,?)",
            [(batch, o.input, o.status, o.reason, o.study_id, o.matched_id) for o in outcomes],
        )


def summarise(outcomes: list[ImportOutcome]) -> dict[str, int]:
    counts = {"imported": 0, "duplicate": 0, "failed": 0}
    for outcome in outcomes:
        counts[outcome.status] += 1
    return counts
