"""The one root of every message meant for a user, and how a failure that is not one is reported.

A ``LitreviewError`` says what went wrong in the user's words and what to do about it; the CLI prints it as
one line (exit 2) and the app shows it in the status bar or a message box. Any other exception is a bug: it is
logged with its traceback (``report_bug``) and the user is told where the log is, never shown the traceback.
Areas subclass the root (``HierarchyError``, ``LlmError``, ...) so code can catch what it can handle, while the
CLI and the app need to know only this one class.

This module is a leaf: it imports nothing from litreview, so every layer may use it.
"""

from __future__ import annotations

import errno
import logging
import logging.handlers
import os
from pathlib import Path

import platformdirs

log = logging.getLogger("litreview")


class LitreviewError(Exception):
    """A message for the user: what went wrong and, where it helps, what to do. Nothing was half-written."""


class LibraryError(LitreviewError):
    """The library folder cannot be opened or written (damaged, newer, read-only, not a folder)."""


class NewerLibraryError(LibraryError):
    """The library was written by a newer litreview; opening it here could damage it."""


class InputError(LitreviewError):
    """A file or value the user gave cannot be used (unreadable, wrong format, out of range)."""


class UndoError(LitreviewError):
    """Undo or redo was refused (nothing to undo, a job is writing, or later changes touched the same records)."""


# Errors of a write that mean the disk (or the user's quota, or the file size limit) is full: a retry fails too.
NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
# Errors of a write that the user settles with the folder's permissions or by choosing another folder.
NOT_WRITABLE = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})


def write_error(error: OSError, target: Path) -> LitreviewError | None:
    """The user's error for a failed write of ``target``: a full disk or an unwritable folder; None for a bug."""
    if error.errno in NO_SPACE:
        return InputError(f"no space left to write {target} ({error.strerror}): nothing was written. Free some "
                          "space or choose another folder")
    if error.errno in NOT_WRITABLE:
        return InputError(f"cannot write {target} ({error.strerror}): choose a folder you can write to")
    return None


def log_file() -> Path:
    """Where bugs are logged: $LITREVIEW_LOG, else the per-user log folder."""
    env = os.environ.get("LITREVIEW_LOG")
    return Path(env).expanduser() if env else platformdirs.user_log_path("litreview") / "litreview.log"


_handler: logging.Handler | None = None


def setup_logging() -> Path:
    """Send litreview's log (warnings and bugs, with tracebacks) to ``log_file()``; idempotent."""
    global _handler
    path = log_file()
    if _handler is None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=2,
                                                            encoding="utf-8", delay=True)
        except OSError:  # an unwritable log folder must not stop the program; bugs then go to stderr
            _handler = logging.StreamHandler()
        _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(_handler)
        log.setLevel(logging.INFO)
    return path


def report_bug(error: BaseException, context: str) -> str:
    """Log an unexpected exception with its traceback; return the one line a user is shown instead."""
    path = setup_logging()
    log.error("bug in %s", context, exc_info=error)
    return f"internal error while {context} ({type(error).__name__}: {error}); details are in {path}"
