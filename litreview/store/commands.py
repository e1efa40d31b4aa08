"""User commands and undo groups: every change to the library is undoable, and undo follows intentions.

Anki's lesson: every edit a user can make is one operation that also records how to undo it. Here a command
is a ``with library.command("Move study") as cmd:`` block that runs in one transaction and writes, together:

* the change itself, through ``cmd.insert/update/delete`` (never raw SQL, so nothing escapes the log);
* its undo record: the image of every touched row before and after, in order (``undo_log``);
* its feedback events (``cmd.feedback(...)``), the corrections later assignment and ranking learn from.

Commands belong to an **undo group**, which is what Ctrl+Z takes back: one drag, one import batch, one build,
one claims run. A command outside any group is a group of one. A job's group is *open* while the job runs:
its commands commit one by one (a cancel keeps what finished), it cannot be undone half-way, and it joins the
undo stack when it closes. A new *user* group clears the redo stack; a job's does not, so a job running in the
background never takes away what the user could redo.

Undo applies the "before" images of a group in reverse order; redo applies the "after" images in order. Because
the images are whole rows, a new kind of edit is undoable the moment it is written through a ``Command``.
Before applying, undo checks that every row is still as the group left it (redo: as it found it); when a later
change touched the same row, it refuses with a reason instead of silently overwriting that change.

Page text is never stored twice: an inserted page is logged *lazily* (the live row is its image), and its text
moves into the log only while the insert is undone. Only the newest ``keep`` groups stay undoable.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from litreview.errors import UndoError

# Tables a command may write. Anything else (import outcomes, LLM runs, vector caches) is a record, not a change.
UNDOABLE_TABLES = frozenset(
    {"studies", "files", "pages", "claims", "hierarchies", "categories", "assignments", "protocol", "decisions",
     "screening_reasons", "screening_stops", "sources", "source_files", "suggestions", "library_settings"}
)
# Inserted rows of these tables are logged without their image (see the module docstring).
LAZY_TABLES = frozenset({"pages"})
# What a view cares about: the area each table belongs to (Anki's OpChanges).
AREAS = {"studies": "studies", "files": "studies", "pages": "studies", "sources": "studies",
         "source_files": "studies", "claims": "claims", "hierarchies": "hierarchy", "categories": "hierarchy",
         "assignments": "hierarchy", "suggestions": "hierarchy", "protocol": "protocol", "decisions": "decisions",
         "screening_reasons": "decisions", "screening_stops": "decisions", "library_settings": "settings"}
DEFAULT_KEEP = 200


@dataclass
class Changes:
    """What a command, an undo or a redo touched, so views redraw only when they are affected."""

    label: str = ""
    tables: set[str] = field(default_factory=set)
    studies: set[int] = field(default_factory=set)

    @property
    def areas(self) -> set[str]:
        return {AREAS[t] for t in self.tables if t in AREAS}

    def merge(self, other: Changes) -> None:
        self.tables |= other.tables
        self.studies |= other.studies
        self.label = self.label or other.label


def _row(conn: sqlite3.Connection, table: str, row_id: int) -> dict[str, Any] | None:
    cursor = conn.execute(f"SELECT * FROM [{table}] WHERE id = ?", (row_id,))
    values = cursor.fetchone()
    if values is None:
        return None
    return {d[0]: v for d, v in zip(cursor.description, values)}


class Command:
    """The open command of a ``with library.command(...)`` block; write through it."""

    def __init__(self, conn: sqlite3.Connection, command_id: int, label: str):
        self.conn = conn
        self.id = command_id
        self.label = label
        self.changes = Changes(label)
        self.group_id = 0
        self.own_group = False  # True: the command is its own undo step (``begin`` opened its group)

    def _log(self, table: str, row_id: int, before: dict | None, after: dict | None, lazy: bool = False) -> None:
        self.conn.execute(
            "INSERT INTO undo_log(command_id, tbl, row_id, before, after, lazy) VALUES (?,?,?,?,?,?)",
            (self.id, table, row_id, _dump(before), _dump(after), int(lazy)),
        )
        self.changes.tables.add(table)
        study = (after or before or {}).get("study_id") if table != "studies" else row_id
        if isinstance(study, int):
            self.changes.studies.add(study)

    def insert(self, table: str, row: dict[str, Any]) -> int:
        """Insert a row (``id`` chosen by SQLite unless given) and return its id."""
        _check_table(table)
        columns = list(row)
        cursor = self.conn.execute(
            f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) VALUES ({', '.join('?' * len(columns))})",
            [row[c] for c in columns],
        )
        row_id = cursor.lastrowid
        assert row_id is not None
        if table in LAZY_TABLES:
            self._log(table, row_id, None, None, lazy=True)
            if "study_id" in row:
                self.changes.studies.add(row["study_id"])
        else:
            self._log(table, row_id, None, _row(self.conn, table, row_id))
        return row_id

    def update(self, table: str, row_id: int, changes: dict[str, Any]) -> None:
        """Change some columns of one row; a missing row is an error, not a silent no-op."""
        _check_table(table)
        before = _row(self.conn, table, row_id)
        if before is None:
            raise KeyError(f"{table} {row_id} does not exist")
        if not changes:
            return
        assignments = ", ".join(f"[{c}] = ?" for c in changes)
        self.conn.execute(f"UPDATE [{table}] SET {assignments} WHERE id = ?", [*changes.values(), row_id])
        self._log(table, row_id, before, _row(self.conn, table, row_id))

    def delete(self, table: str, row_id: int) -> None:
        """Delete one row. Rows that depend on it must be deleted first, through the command, so undo can restore them."""
        _check_table(table)
        before = _row(self.conn, table, row_id)
        if before is None:
            raise KeyError(f"{table} {row_id} does not exist")
        self.conn.execute(f"DELETE FROM [{table}] WHERE id = ?", (row_id,))
        self._log(table, row_id, before, None)

    def feedback(self, kind: str, *, study_id: int | None = None, category_id: int | None = None, **payload: Any) -> int:
        """Record what the user taught us with this command (a correction, a decision, an import)."""
        cursor = self.conn.execute(
            "INSERT INTO feedback(command_id, kind, study_id, category_id, payload) VALUES (?,?,?,?,?)",
            (self.id, kind, study_id, category_id, json.dumps(payload, ensure_ascii=False, sort_keys=True)),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid


# -- groups ------------------------------------------------------------------------------------------------------
def owner() -> str:
    """Who holds an open group: this process on this machine (a stale group of a dead process can be closed)."""
    return f"{os.getpid()}@{socket.gethostname()}"


def open_group(conn: sqlite3.Connection, label: str, origin: str) -> int:
    """Start a group inside the caller's transaction. A user's new group clears the redo stack."""
    if origin == "user":
        _clear_redo(conn)
    cursor = conn.execute("INSERT INTO undo_groups(label, origin, state, owner) VALUES (?, ?, 'open', ?)",
                          (label, origin, owner()))
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def close_group(conn: sqlite3.Connection, group_id: int, keep: int = DEFAULT_KEEP) -> None:
    """Put a finished group on the undo stack (an empty one is dropped; one of a single command, or one opened
    with an empty label, takes its first command's words, "Import refs.ris (2 records)"), then forget groups
    beyond ``keep``."""
    labels = [r[0] for r in conn.execute("SELECT label FROM commands WHERE group_id = ? ORDER BY id LIMIT 2",
                                         (group_id,))]
    if not labels:
        conn.execute("DELETE FROM undo_groups WHERE id = ? AND state = 'open'", (group_id,))
        return
    conn.execute("UPDATE undo_groups SET state = 'done', seq = (SELECT coalesce(max(seq), 0) + 1 FROM undo_groups), "
                 "label = CASE WHEN ? OR label = '' THEN ? ELSE label END WHERE id = ? AND state = 'open'",
                 (len(labels) == 1, labels[0], group_id))
    _trim(conn, keep)


def begin(conn: sqlite3.Connection, label: str, group_id: int | None) -> Command:
    """Start a command inside the caller's transaction, in ``group_id`` or (None) in a new user group of one."""
    own_group = group_id is None
    if group_id is None:
        group_id = open_group(conn, label, "user")
    elif conn.execute("SELECT 1 FROM undo_groups WHERE id = ? AND state = 'open'", (group_id,)).fetchone() is None:
        raise ValueError(f"undo group {group_id} is not open")
    cursor = conn.execute("INSERT INTO commands(label, group_id) VALUES (?, ?)", (label, group_id))
    assert cursor.lastrowid is not None
    command = Command(conn, cursor.lastrowid, label)
    command.group_id, command.own_group = group_id, own_group
    return command


def finish(conn: sqlite3.Connection, command: Command, keep: int = DEFAULT_KEEP) -> None:
    """End a command inside its transaction: a group of one closes with it."""
    if command.own_group:
        close_group(conn, command.group_id, keep)


def close_stale_groups(conn: sqlite3.Connection) -> int:
    """Close the open groups of processes on this machine that no longer run (a job killed mid-way): what they
    committed becomes one undo step. Returns how many were closed."""
    host = socket.gethostname()
    stale = []
    for group_id, who in conn.execute("SELECT id, owner FROM undo_groups WHERE state = 'open'").fetchall():
        pid, _, where = (who or "").partition("@")
        if where == host and pid.isdigit() and not _alive(int(pid)):
            stale.append(group_id)
    for group_id in stale:
        close_group(conn, group_id)
    return len(stale)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _clear_redo(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM undo_groups WHERE state = 'undone'")


def _trim(conn: sqlite3.Connection, keep: int) -> None:
    """Forget (no longer undoable) groups beyond the newest ``keep``; their feedback stays, it is what we learnt."""
    conn.execute("DELETE FROM undo_groups WHERE state != 'open' AND seq <= "
                 "(SELECT seq FROM undo_groups WHERE state != 'open' ORDER BY seq DESC LIMIT 1 OFFSET ?)", (keep,))


# -- undo and redo -----------------------------------------------------------------------------------------------
def undo_label(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT label FROM undo_groups WHERE state = 'done' ORDER BY seq DESC LIMIT 1").fetchone()
    return row[0] if row else None


def redo_label(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT label FROM undo_groups WHERE state = 'undone' ORDER BY seq ASC LIMIT 1").fetchone()
    return row[0] if row else None


def undo_last(conn: sqlite3.Connection) -> Changes | None:
    """Undo the newest finished group (inside the caller's write transaction); None when there is nothing."""
    found = conn.execute("SELECT id, label FROM undo_groups WHERE state = 'done' ORDER BY seq DESC LIMIT 1").fetchone()
    return None if found is None else _apply(conn, found[0], found[1], undo=True)


def redo_next(conn: sqlite3.Connection) -> Changes | None:
    """Redo the most recently undone group; None when there is nothing to redo."""
    found = conn.execute("SELECT id, label FROM undo_groups WHERE state = 'undone' ORDER BY seq ASC LIMIT 1").fetchone()
    return None if found is None else _apply(conn, found[0], found[1], undo=False)


def _apply(conn: sqlite3.Connection, group_id: int, label: str, *, undo: bool) -> Changes:
    entries = conn.execute(
        "SELECT u.id, u.tbl, u.row_id, u.before, u.after, u.lazy FROM undo_log u JOIN commands c ON c.id = u.command_id "
        "WHERE c.group_id = ? ORDER BY u.id " + ("DESC" if undo else "ASC"), (group_id,)).fetchall()
    _check_unchanged(conn, group_id, label, entries, undo=undo)
    changes = Changes(label)
    for log_id, table, row_id, before, after, lazy in entries:
        changes.tables.add(table)
        if lazy:
            _apply_lazy(conn, log_id, table, row_id, after, undo=undo, changes=changes)
            continue
        image = before if undo else after
        target = json.loads(image) if image else None
        if target is None:
            conn.execute(f"DELETE FROM [{table}] WHERE id = ?", (row_id,))
        else:
            _put(conn, table, target)
        reference = target or json.loads(after or before or "{}")
        study = row_id if table == "studies" else reference.get("study_id")
        if isinstance(study, int):
            changes.studies.add(study)
    conn.execute("UPDATE undo_groups SET state = ? WHERE id = ?", ("undone" if undo else "done", group_id))
    conn.execute("UPDATE feedback SET retracted = ? WHERE command_id IN (SELECT id FROM commands WHERE group_id = ?)",
                 (1 if undo else 0, group_id))
    return changes


def _apply_lazy(conn: sqlite3.Connection, log_id: int, table: str, row_id: int, after: str | None, *, undo: bool,
                changes: Changes) -> None:
    """An inserted row logged without its image: undo parks the row in the log, redo puts it back."""
    if undo:
        row = _row(conn, table, row_id)
        if row is not None:
            conn.execute("UPDATE undo_log SET after = ? WHERE id = ?", (_dump(row), log_id))
            conn.execute(f"DELETE FROM [{table}] WHERE id = ?", (row_id,))
            if isinstance(row.get("study_id"), int):
                changes.studies.add(row["study_id"])
    elif after:
        row = json.loads(after)
        _put(conn, table, row)
        conn.execute("UPDATE undo_log SET after = NULL WHERE id = ?", (log_id,))
        if isinstance(row.get("study_id"), int):
            changes.studies.add(row["study_id"])


def _check_unchanged(conn: sqlite3.Connection, group_id: int, label: str, entries: list[tuple], *,
                     undo: bool) -> None:
    """Refuse when a row is no longer as this group left it (undo) or found it (redo): a later change that is not
    being undone touched it, and applying the images would silently overwrite that change."""
    expected: dict[tuple[str, int], tuple[Any, bool]] = {}
    for _log_id, table, row_id, before, after, lazy in entries:
        # entries run in the order they will be applied, so the first image seen per row is the one that counts
        key = (table, row_id)
        if key in expected:
            continue
        if lazy:
            expected[key] = ("exists" if undo else None, True)
        else:
            image = after if undo else before
            expected[key] = (json.loads(image) if image else None, False)
    for (table, row_id), (image, lazy) in expected.items():
        current = _row(conn, table, row_id)
        same = (current is not None) if (lazy and image == "exists") else current == image
        if not same:
            raise UndoError(f"cannot {'undo' if undo else 'redo'} “{label}”: "
                            f"{_later_change(conn, group_id, table, row_id)} changed the same records since. "
                            f"Undo that first.")


def _later_change(conn: sqlite3.Connection, group_id: int, table: str, row_id: int) -> str:
    row = conn.execute(
        "SELECT g.label, g.state FROM undo_log u JOIN commands c ON c.id = u.command_id "
        "JOIN undo_groups g ON g.id = c.group_id WHERE u.tbl = ? AND u.row_id = ? AND g.id != ? "
        "ORDER BY u.id DESC LIMIT 1", (table, row_id, group_id)).fetchone()
    if row is None:
        return "another change"
    return f"“{row[0]}”" + (" (still running)" if row[1] == "open" else "")


def _put(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> None:
    """Restore a whole row image; an UPDATE in place (not REPLACE) so ON DELETE CASCADE never fires."""
    columns = list(row)
    exists = conn.execute(f"SELECT 1 FROM [{table}] WHERE id = ?", (row["id"],)).fetchone()
    if exists:
        conn.execute(
            f"UPDATE [{table}] SET {', '.join(f'[{c}] = ?' for c in columns if c != 'id')} WHERE id = ?",
            [row[c] for c in columns if c != "id"] + [row["id"]],
        )
    else:
        conn.execute(
            f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) VALUES ({', '.join('?' * len(columns))})",
            [row[c] for c in columns],
        )


def _check_table(table: str) -> None:
    if table not in UNDOABLE_TABLES:
        raise ValueError(f"{table!r} is not a table user commands write")


def _dump(row: dict | None) -> str | None:
    return None if row is None else json.dumps(row, ensure_ascii=False)
