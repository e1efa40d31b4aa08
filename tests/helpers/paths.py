"""Where the checkout and the shared evaluation data are, and the skip for a test that needs that data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("LITREVIEW_SHARED_DATA", ROOT.parent / "shared" / "data"))


def need_shared(relative: str = "") -> Path:
    """The path under ../shared/data, or skip with a clear message (fail under CI=true: CI must see the data)."""
    path = SHARED_DATA / relative
    if not path.exists():
        message = f"shared evaluation data not found at {path} (expected ../shared/data beside the checkout)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path
