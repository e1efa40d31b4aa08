"""User commands: one undoable, logged change to the library.

Anki's lesson: every edit a user can make is one operation that also records how to undo it. Here a command
is a ``with library.command("Move study") as cmd:`` block that runs in one ``db.atomic()`` transaction and
writes, together:

* the change itself, through ``cmd.insert/update/delete`` (never raw SQL, so nothing escapes the log);
* its undo record: the image of every touched row before and after, in order (``undo_log``);
* its feedback events (``cmd.feedback(...)``), the corrections later assignment and ranking learn from.

Undo applies the "before" images in reverse order; redo applies the "after" images in order. Because the
images are whole rows, undo needs no per-command code: a new kind of edit is undoable the moment it is
written through a ``Command``. Undoing retracts the command's feedback; a new command clears the redo stack.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from sqlite_utils import Database

# Tables a command may write. Anything else (import outcomes, LLM runs) is a record, not a user change.
UNDOABLE_TABLES = frozenset(
    {"studies", "files", "pages", "claims", "hierarchies", "categories", "assignments", "protocol", "decisions"}
)


def _row(conn: sqlite3.Connection, table: str, row_id: int) -> dict[str, Any] | None:
    cursor = conn.execute(f"SELECT * FROM [{table}] WHERE id = ?", (row_id,))
    values = cursor.fetchone()
    if values is None:
        return None
    return {d[0]: v for d, v in zip(cursor.description, values)}


class Command:
    """The open command of a ``with library.command(...)`` block; write through it."""

    def __init__(self, db: Database, command_id: int, label: str):
        self.db = db
        self.id = command_id
        self.label = label

    def _log(self, table: str, row_id: int, before: dict | None, after: dict | None) -> None:
        self.db.conn.execute(
            "INSERT INTO undo_log(command_id, tbl, row_id, before, after) VALUES (?,?,?,?,?)",
            (self.id, table, row_id, _dump(before), _dump(after)),
        )

    def insert(self, table: str, row: dict[str, Any]) -> int:
        """Insert a row (``id`` chosen by SQLite unless given) and return its id."""
        _check_table(table)
        columns = list(row)
        cursor = self.db.conn.execute(
            f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) VALUES ({', '.join('?' * len(columns))})",
            [row[c] for c in columns],
        )
        row_id = cursor.lastrowid
        self._log(table, row_id, None, _row(self.db.conn, table, row_id))
        return row_id

    def update(self, table: str, row_id: int, changes: dict[str, Any]) -> None:
        """Change some columns of one row; a missing row is an error, not a silent no-op."""
        _check_table(table)
        before = _row(self.db.conn, table, row_id)
        if before is None:
            raise KeyError(f"{table} {row_id} does not exist")
        if not changes:
            return
        assignments = ", ".join(f"[{c}] = ?" for c in changes)
        self.db.conn.execute(f"UPDATE [{table}] SET {assignments} WHERE id = ?", [*changes.values(), row_id])
        self._log(table, row_id, before, _row(self.db.conn, table, row_id))

    def delete(self, table: str, row_id: int) -> None:
        """Delete one row. Rows that depend on it must be deleted first, through the command, so undo can restore them."""
        _check_table(table)
        before = _row(self.db.conn, table, row_id)
        if before is None:
            raise KeyError(f"{table} {row_id} does not exist")
        self.db.conn.execute(f"DELETE FROM [{table}] WHERE id = ?", (row_id,))
        self._log(table, row_id, before, None)

    def feedback(self, kind: str, *, study_id: int | None = None, category_id: int | None = None, **payload: Any) -> int:
        """Record what the user taught us with this command (a correction, a decision, an import)."""
        cursor = self.db.conn.execute(
            "INSERT INTO feedback(command_id, kind, study_id, category_id, payload) VALUES (?,?,?,?,?)",
            (self.id, kind, study_id, category_id, json.dumps(payload, ensure_ascii=False, sort_keys=True)),
        )
        return cursor.lastrowid


def begin(db: Database, label: str) -> Command:
    """Start a command inside the caller's transaction: clear the redo stack, then log the new command."""
    db.conn.execute("DELETE FROM commands WHERE undone = 1")
    cursor = db.conn.execute("INSERT INTO commands(label) VALUES (?)", (label,))
    return Command(db, cursor.lastrowid, label)


def _apply(db: Database, command_id: int, *, undo: bool) -> None:
    entries = db.conn.execute(
        "SELECT tbl, row_id, before, after FROM undo_log WHERE command_id = ? ORDER BY id " + ("DESC" if undo else "ASC"),
        (command_id,),
    ).fetchall()
    for table, row_id, before, after in entries:
        target = json.loads(before) if undo and before else json.loads(after) if not undo and after else None
        db.conn.execute(f"DELETE FROM [{table}] WHERE id = ?", (row_id,)) if target is None else _put(db, table, target)
    db.conn.execute("UPDATE commands SET undone = ? WHERE id = ?", (1 if undo else 0, command_id))
    db.conn.execute("UPDATE feedback SET retracted = ? WHERE command_id = ?", (1 if undo else 0, command_id))


def _put(db: Database, table: str, row: dict[str, Any]) -> None:
    """Restore a whole row image; an UPDATE in place (not REPLACE) so ON DELETE CASCADE never fires."""
    columns = list(row)
    exists = db.conn.execute(f"SELECT 1 FROM [{table}] WHERE id = ?", (row["id"],)).fetchone()
    if exists:
        db.conn.execute(
            f"UPDATE [{table}] SET {', '.join(f'[{c}] = ?' for c in columns if c != 'id')} WHERE id = ?",
            [row[c] for c in columns if c != "id"] + [row["id"]],
        )
    else:
        db.conn.execute(
            f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) VALUES ({', '.join('?' * len(columns))})",
            [row[c] for c in columns],
        )


def undo_last(db: Database) -> str | None:
    """Undo the newest command that is not undone; returns its label, or None when there is nothing to undo."""
    with db.atomic():
        found = db.conn.execute("SELECT id, label FROM commands WHERE undone = 0 ORDER BY id DESC LIMIT 1").fetchone()
        if found is None:
            return None
        _apply(db, found[0], undo=True)
        return found[1]


def redo_next(db: Database) -> str | None:
    """Redo the oldest undone command; returns its label, or None when there is nothing to redo."""
    with db.atomic():
        found = db.conn.execute("SELECT id, label FROM commands WHERE undone = 1 ORDER BY id ASC LIMIT 1").fetchone()
        if found is None:
            return None
        _apply(db, found[0], undo=False)
        return found[1]


def _check_table(table: str) -> None:
    if table not in UNDOABLE_TABLES:
        raise ValueError(f"{table!r} is not a table user commands write")


def _dump(row: dict | None) -> str | None:
    return None if row is None else json.dumps(row, ensure_ascii=False)
