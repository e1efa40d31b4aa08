"""Counting a build's model calls, so a failure is never silent and a dead model is not called forever.

Every stage that asks the model reports each call here: ``ok(stage)`` or ``failed(stage, error)``. The build
report and the CLI say "N of M model calls failed" from these counts, and the output made without the model is
marked (``categories.name_source = 'fallback'``). After ``GIVE_UP_AFTER`` failures in a row the model is not
asked again in this build (a server that is down would otherwise cost a timeout per category); the rest of the
build uses the statistical fallbacks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

GIVE_UP_AFTER = 3


@dataclass
class ModelCalls:
    engine: object | None
    stages: dict[str, dict[str, int]] = field(default_factory=dict)
    last_error: str = ""
    in_a_row: int = 0

    @property
    def usable(self):
        """The engine, or None once it failed ``GIVE_UP_AFTER`` times in a row (or when there is none)."""
        return self.engine if self.in_a_row < GIVE_UP_AFTER else None

    @property
    def gave_up(self) -> bool:
        return self.engine is not None and self.in_a_row >= GIVE_UP_AFTER

    def ok(self, stage: str) -> None:
        self._count(stage)["calls"] += 1
        self.in_a_row = 0

    def failed(self, stage: str, error: BaseException) -> None:
        counts = self._count(stage)
        counts["calls"] += 1
        counts["failed"] += 1
        self.in_a_row += 1
        self.last_error = str(error) or type(error).__name__

    @property
    def calls(self) -> int:
        return sum(s["calls"] for s in self.stages.values())

    @property
    def failures(self) -> int:
        return sum(s["failed"] for s in self.stages.values())

    def line(self) -> str | None:
        """'3 of 12 model calls failed (…)' when any failed, else None."""
        if not self.failures:
            return None
        tail = "; the model was not asked again after 3 failures in a row" if self.gave_up else ""
        return (f"{self.failures} of {self.calls} model calls failed (last: {self.last_error}){tail}; "
                "the names made without it are marked as fallback")

    def _count(self, stage: str) -> dict[str, int]:
        return self.stages.setdefault(stage, {"calls": 0, "failed": 0})
