"""Screenshots of the app's tests, for a person to look at: they are never compared, so by default they go
under the test's own ``tmp_path`` (pytest keeps the last three runs' folders) and never into the checkout.

Set ``LITREVIEW_SCREENSHOTS`` to a folder to collect them there instead, one PNG per name, e.g.
``LITREVIEW_SCREENSHOTS=bench/out/screenshots pytest tests/ui``.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget


def screenshot_folder(tmp_path: Path) -> Path:
    """``$LITREVIEW_SCREENSHOTS`` when it is set, else ``tmp_path / "screenshots"``; made if missing."""
    chosen = os.environ.get("LITREVIEW_SCREENSHOTS")
    folder = Path(chosen).expanduser() if chosen else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_screenshot(widget: QWidget, name: str, tmp_path: Path) -> Path:
    """Paint ``widget`` (pending events first) to ``NAME.png`` in ``screenshot_folder(tmp_path)``; returns the
    path. Pass the test's ``tmp_path``: without ``$LITREVIEW_SCREENSHOTS`` the picture stays there."""
    QApplication.processEvents()
    path = screenshot_folder(tmp_path) / f"{name}.png"
    assert widget.grab().save(str(path))
    return path
