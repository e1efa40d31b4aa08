"""Writing an export file so that a failed export never leaves half a file under the name the user chose.

Every writer gets a handle on a private temporary file beside the target and the file is renamed into place only
when the writer finished; an exception (a bug, a full disk, Ctrl+C) removes the temporary file instead. A target
that is a folder, a folder that does not exist, a full disk or a folder the user cannot write to is refused with a
sentence the user can act on.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

from litreview.errors import InputError, write_error


def check_target(path: str | Path) -> Path:
    """The target as a Path, or InputError when it cannot be written as a file."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise InputError(f"{target} is a folder: give a file name to export to")
    if not target.parent.is_dir():
        raise InputError(f"folder {target.parent} does not exist")
    return target


@contextlib.contextmanager
def atomic_text(path: str | Path, *, encoding: str = "utf-8", newline: str | None = "") -> Iterator[TextIO]:
    """A text handle whose content appears under ``path`` only if the block ends normally."""
    target = check_target(path)
    with _replacing(target) as partial, open(partial, "w", encoding=encoding, newline=newline) as out:
        yield out


@contextlib.contextmanager
def atomic_binary(path: str | Path) -> Iterator[BinaryIO]:
    """As ``atomic_text``, for bytes (PDF, PNG)."""
    target = check_target(path)
    with _replacing(target) as partial, open(partial, "wb") as out:
        yield out


@contextlib.contextmanager
def _replacing(target: Path) -> Iterator[Path]:
    """A private partial file that replaces ``target`` when the block ends normally and is removed otherwise."""
    partial = _partial(target)
    try:
        yield partial
        os.replace(partial, target)
    except OSError as error:
        raise (write_error(error, target) or error) from error
    finally:
        partial.unlink(missing_ok=True)


def _partial(target: Path) -> Path:
    # A name of its own per write: two exports to the same file at once never share a partial file.
    return target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
