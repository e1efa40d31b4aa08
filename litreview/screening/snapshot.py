"""Everything the screening screen shows after a decision, computed in one go: the queue, the status, the curve.

The app calls this once per decision, in the thread that owns the ``Ranker`` (off the GUI thread), and paints
from the result: one status computation per key, never one per widget (at 10,000 studies and 1,000 decisions a
status costs tens of milliseconds, a re-rank a few hundred; neither may hold the window).

At title/abstract the queue is the ranking (a random check's records first while one runs); at full text it is
the title/abstract includes still without a full-text decision, in the order they were included.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from litreview.screening.decisions import FULL_TEXT, TITLE_ABSTRACT, check_stage, decisions, undecided_ids
from litreview.screening.ranking import Ranker
from litreview.screening.status import RELEVANT, screening_status
from litreview.store import Library


@dataclass
class ScreeningSnapshot:
    stage: str
    queue: list[int]                  # study ids still to decide at this stage, best first
    mode: str                         # how the queue is ordered (Ranker.mode, or "inclusion order" at full text)
    status: dict                      # screening_status of the stage
    recall_labels: list[int] = field(default_factory=list)  # 1 = relevant, in screening order (title/abstract)


def snapshot(library: Library, ranker: Ranker | None = None, stage: str = TITLE_ABSTRACT) -> ScreeningSnapshot:
    if check_stage(stage) == FULL_TEXT:
        waiting = set(undecided_ids(library, FULL_TEXT))
        queue = [d["study_id"] for d in decisions(library, TITLE_ABSTRACT) if d["study_id"] in waiting]
        return ScreeningSnapshot(FULL_TEXT, queue, "inclusion order", screening_status(library, FULL_TEXT))
    ranker = ranker or Ranker(library)
    queue = ranker.rank()
    labels = [int(d["decision"] in RELEVANT) for d in decisions(library, TITLE_ABSTRACT)]
    return ScreeningSnapshot(TITLE_ABSTRACT, queue, ranker.mode, screening_status(library, TITLE_ABSTRACT), labels)
