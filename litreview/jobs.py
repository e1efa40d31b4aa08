"""Progress and cancellation for long work, with no UI dependency.

Import, LLM stages and hierarchy builds take a ``progress`` callback and a ``CancelToken``. The CLI turns the
events into a terminal bar, the desktop app into a progress bar with a Cancel button (napari's Qt-free progress
idea). Work checks the token between items, so a cancel stops at an item boundary and never mid-transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class Cancelled(Exception):
    """Raised inside a job when its token was cancelled; callers treat it as a clean stop, not an error."""


class CancelToken:
    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled()


@dataclass
class ProgressEvent:
    stage: str
    done: int
    total: int | None
    message: str = ""
    data: dict[str, Any] = field(default_factory=dict)


ProgressCallback = Callable[[ProgressEvent], None]


def no_progress(event: ProgressEvent) -> None:
    """The default callback: report nothing."""
