"""One app window per library: a second window on the same folder is refused with the reason.

Two windows on one library would each keep views and an undo stack of their own over the same rows (the CLI
beside the app is fine: it writes through short transactions and the app's views refresh). The lock is an
advisory ``flock`` on a file in the library folder, so it disappears with the process that held it, however
that process ended.
"""

from __future__ import annotations

import os
from pathlib import Path

from litreview.errors import LibraryError

LOCK_NAME = ".app.lock"

try:
    import fcntl
except ImportError:  # Windows: no advisory locks of this kind; a second window is not detected there
    fcntl = None  # type: ignore[assignment]


class AppLock:
    """Held while an app window has the library open; ``release()`` (or process exit) frees it."""

    def __init__(self, folder: str | Path):
        self.path = Path(folder) / LOCK_NAME
        self.handle = None
        if fcntl is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 (held for the window's lifetime)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise LibraryError(f"this library is already open in another litreview window ({holder}): switch to "
                               "that window, or close it first") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()}")
        handle.flush()
        self.handle = handle

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None
