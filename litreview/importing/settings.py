"""Import settings kept in the library (``library_settings``), so the app and the CLI read the same values."""

from __future__ import annotations

import json
import math

from litreview.errors import InputError
from litreview.importing.reader_pool import DEFAULT_TIMEOUT_S
from litreview.store import Library
from litreview.store.settings import get_setting, setting_id, write_setting

READER_TIMEOUT_KEY = "import.reader_timeout_s"


def reader_timeout(library: Library) -> float:
    """Seconds a PDF reader may spend on one file before the file is given up (default 60)."""
    try:
        value = float(get_setting(library, READER_TIMEOUT_KEY, DEFAULT_TIMEOUT_S))
    except (TypeError, ValueError):
        return DEFAULT_TIMEOUT_S
    return value if math.isfinite(value) and value > 0 else DEFAULT_TIMEOUT_S


def check_timeout(seconds: float) -> float:
    """A reader timeout a user typed, or InputError saying what is allowed."""
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        raise InputError(f"the reader timeout must be a number of seconds, not {seconds!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"the reader timeout must be more than 0 seconds (got {seconds})")
    return value


def set_reader_timeout(library: Library, seconds: float) -> None:
    """Change the PDF reader timeout of this library (an undoable change, like every setting)."""
    value = json.dumps(check_timeout(seconds))
    with library.command("Change the PDF reader timeout") as cmd:
        write_setting(cmd, setting_id(library, READER_TIMEOUT_KEY), READER_TIMEOUT_KEY, value)
