"""Settings kept in the library (``library_settings``: key -> JSON value), so they travel with the review and the
app and the CLI read the same values. Every area's settings (screening, import, undo) go through these helpers; a
change is a command like any other, so it is undoable."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from litreview.store.library import Library


def get_setting(library: Library, key: str, default: Any = None) -> Any:
    """The setting's value, or ``default`` when it is unset or unreadable."""
    row = library.conn.execute("SELECT value FROM library_settings WHERE key = ?", (key,)).fetchone()
    if row is None:
        return default
    try:
        return json.loads(row[0])
    except ValueError:
        return default


def setting_id(library: Library, key: str) -> int | None:
    """The row id of a setting, None when it is unset (``write_setting`` needs it)."""
    row = library.conn.execute("SELECT id FROM library_settings WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def set_setting(library: Library, key: str, value: Any, label: str) -> None:
    """Write one setting as its own undoable command, logged as a ``setting`` feedback event (nothing is written
    when the value is unchanged)."""
    row = library.conn.execute("SELECT id, value FROM library_settings WHERE key = ?", (key,)).fetchone()
    text = json.dumps(value, sort_keys=True)
    if row is not None and row[1] == text:
        return
    with library.command(label) as cmd:
        write_setting(cmd, row[0] if row else None, key, text)
        cmd.feedback("setting", key=key, before=json.loads(row[1]) if row else None, after=value)


def write_setting(cmd: Any, row_id: int | None, key: str, text: str | None) -> None:
    """Insert, update or (``text`` None) delete one setting inside an open command."""
    if row_id is None and text is not None:
        cmd.insert("library_settings", {"key": key, "value": text})
    elif row_id is not None and text is not None:
        cmd.update("library_settings", row_id, {"value": text})
    elif row_id is not None:
        cmd.delete("library_settings", row_id)
