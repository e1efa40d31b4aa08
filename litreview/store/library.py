"""A library: one folder holding ``library.db`` (SQLite, WAL) and a content-addressed ``files/`` store.

One ``Library`` object owns one connection and must stay on the thread that opened it (sqlite3's rule). In the
app a single writer thread owns the one writing ``Library`` (``litreview.store.writer``) and every other thread
reads through its own ``read_only`` one; WAL lets readers run beside the writer. Another process (the CLI beside
the app) may write too: ``busy_timeout`` makes it wait, and every transaction that reads before it writes starts
with ``BEGIN IMMEDIATE`` so the upgrade to a writer can wait instead of failing.

Opening refuses what would lose data: a zero-byte or damaged ``library.db`` (never silently re-created), a
library from a newer litreview, a path that is a file. A brand-new library is created in a private file and
linked into place, so two processes creating it at once cannot both build its tables.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from litreview.errors import InputError, LibraryError
from litreview.store import commands, schema
from litreview.store.settings import get_setting, setting_id, write_setting

DB_NAME = "library.db"
FILES_DIR = "files"
BUSY_TIMEOUT_MS = 30000
UNDO_STEPS_KEY = "undo.steps"   # library_settings: how many undo steps the library keeps (default 200)


class Library:
    """An open library folder. Use as a context manager or call ``close()``."""

    def __init__(self, folder: str | Path, *, read_only: bool = False):
        self.folder = Path(folder).expanduser().resolve()
        self.read_only = read_only
        self.path = self.folder / DB_NAME
        self.current_group: int | None = None  # commands join this undo group (set by ``group`` or the writer)
        self.keep_groups = commands.DEFAULT_KEEP
        self.changes = commands.Changes()  # accumulated by commands, undo and redo; see ``take_changes``
        self._savepoints = 0
        _prepare_folder(self.folder)
        if not self.path.exists():
            _create(self.path)
        self.conn = _connect(self.path, read_only)
        self.keep_groups = self.undo_steps()

    # -- lifetime ---------------------------------------------------------------------------------------
    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- undo history length --------------------------------------------------------------------------------
    def undo_steps(self) -> int:
        """How many undo steps this library keeps (a library setting, so the app and the CLI agree; default 200)."""
        try:
            steps = int(get_setting(self, UNDO_STEPS_KEY, commands.DEFAULT_KEEP))
        except (TypeError, ValueError):
            return commands.DEFAULT_KEEP
        return steps if steps >= 1 else commands.DEFAULT_KEEP

    def set_undo_steps(self, steps: int) -> None:
        """Keep the last ``steps`` undo steps from the next change on (older ones are forgotten then)."""
        if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= 100_000:
            raise InputError(f"the number of undo steps to keep must be a whole number from 1 to 100000, not {steps}")
        with self.command(f"Keep {steps} undo steps") as cmd:
            write_setting(cmd, setting_id(self, UNDO_STEPS_KEY), UNDO_STEPS_KEY, json.dumps(steps))
        self.keep_groups = steps

    # -- transactions -----------------------------------------------------------------------------------
    @contextlib.contextmanager
    def atomic(self) -> Iterator[None]:
        """A write transaction (``BEGIN IMMEDIATE``; nested calls become savepoints): all of it lands, or none."""
        # a write through a read-only connection is a bug, not the user's read-only folder: it keeps its words
        with translated_errors(self.folder) if not self.read_only else contextlib.nullcontext():
            if self.conn.in_transaction:
                self._savepoints += 1
                name = f"sp{self._savepoints}"
                self.conn.execute(f"SAVEPOINT {name}")
                try:
                    yield
                except BaseException:
                    if self.conn.in_transaction:  # SQLite rolls the whole transaction back itself on a full disk
                        self.conn.execute(f"ROLLBACK TO {name}")
                        self.conn.execute(f"RELEASE {name}")
                    raise
                self.conn.execute(f"RELEASE {name}")
                return
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    # -- user commands (change + undo record + feedback, atomically) -------------------------------------
    @contextlib.contextmanager
    def command(self, label: str, *, group: int | None = None) -> Iterator[commands.Command]:
        """Run one change; see ``litreview.store.commands``. It joins ``group`` (or the library's current group);
        with neither it is an undo step of its own."""
        with self.atomic():
            cmd = commands.begin(self.conn, label, group if group is not None else self.current_group)
            yield cmd
            commands.finish(self.conn, cmd, self.keep_groups)
        self.changes.merge(cmd.changes)

    @contextlib.contextmanager
    def group(self, label: str, origin: str = "job") -> Iterator[int]:
        """Make every command of the block (on this library) one undo step, committed command by command: a
        stop half-way keeps the finished commands, and they undo together."""
        with self.atomic():
            group_id = commands.open_group(self.conn, label, origin)
        previous, self.current_group = self.current_group, group_id
        try:
            yield group_id
        finally:
            self.current_group = previous
            self.close_group(group_id)

    def step(self, label: str, origin: str = "job") -> contextlib.AbstractContextManager[Any]:
        """One undo step for several commands: a group of its own, unless the caller (the app's writer, a
        larger job) already runs them inside one. ``origin`` "user" (an edit made of several commands, such
        as a drop) clears the redo stack as any edit does; a "job" does not."""
        return self.group(label, origin) if self.current_group is None else contextlib.nullcontext()

    def open_group(self, label: str, origin: str = "job") -> int:
        with self.atomic():
            return commands.open_group(self.conn, label, origin)

    def close_group(self, group_id: int) -> None:
        with self.atomic():
            commands.close_group(self.conn, group_id, self.keep_groups)

    def undo(self) -> commands.Changes | None:
        """Undo the last step (None: nothing to undo); ``UndoError`` when later changes touched the same rows."""
        with self.atomic():
            changes = commands.undo_last(self.conn)
        if changes is not None:
            self.changes.merge(changes)
        return changes

    def redo(self) -> commands.Changes | None:
        with self.atomic():
            changes = commands.redo_next(self.conn)
        if changes is not None:
            self.changes.merge(changes)
        return changes

    def take_changes(self) -> commands.Changes:
        """What the commands, undos and redos on this connection changed since the last call (Anki's OpChanges)."""
        taken, self.changes = self.changes, commands.Changes()
        return taken

    def undo_label(self) -> str | None:
        """What Ctrl+Z would undo now ("Move study"), or None."""
        return commands.undo_label(self.conn)

    def redo_label(self) -> str | None:
        return commands.redo_label(self.conn)

    def running_jobs(self) -> list[str]:
        """Labels of open job groups (a job writing now, here or in another process)."""
        return [r[0] for r in self.conn.execute("SELECT label FROM undo_groups WHERE state = 'open' ORDER BY id")]

    # -- reading ------------------------------------------------------------------------------------------
    def query(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        cursor = self.conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def study(self, study_id: int) -> dict[str, Any] | None:
        """One study with its authors and extra fields decoded from JSON."""
        rows = self.query("SELECT * FROM studies WHERE id = ?", (study_id,))
        return decode_study(rows[0]) if rows else None

    def studies(self) -> list[dict[str, Any]]:
        return [decode_study(r) for r in self.query("SELECT * FROM studies ORDER BY id")]

    def study_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM studies").fetchone()[0]

    def full_text(self, study_id: int) -> list[tuple[int, str]]:
        """(page number, text) of every stored page, in order."""
        return self.conn.execute(
            "SELECT page_no, text FROM pages WHERE study_id = ? ORDER BY page_no", (study_id,)
        ).fetchall()

    def search(self, query: str, limit: int = 50) -> list[dict[str, Any]]:
        """Studies matching ``query`` (FTS5 syntax; plain words are ANDed), best first (bm25, title weighted)."""
        match = fts_query(query)
        if not match:
            return []
        # Rank inside the FTS table first, then join only the top rows (joining first fetched every match).
        return self.query(
            "SELECT s.id, s.title, s.year, s.authors, hits.rank FROM ("
            " SELECT rowid, bm25(studies_fts, 10.0, 4.0, 1.0) AS rank FROM studies_fts"
            " WHERE studies_fts MATCH ? ORDER BY rank LIMIT ?) hits "
            "JOIN studies s ON s.id = hits.rowid ORDER BY hits.rank",
            (match, limit),
        )

    # -- content-addressed file store ---------------------------------------------------------------------
    def store_file(self, source: Path, sha256: str) -> str:
        """Copy ``source`` into ``files/`` under its hash (idempotent); returns the path relative to the library."""
        relative = f"{FILES_DIR}/{sha256[:2]}/{sha256}{source.suffix.lower()}"
        target = self.folder / relative
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            # A name of its own per copy: two processes storing the same file never share a partial file.
            partial = target.with_name(f"{target.name}.{uuid.uuid4().hex[:12]}.part")
            try:
                shutil.copyfile(source, partial)
                partial.replace(target)  # atomic: a crash never leaves a half-copied file under the final name
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
        return relative

    def file_path(self, study_id: int) -> Path | None:
        """Where this study's PDF can be opened: the stored copy, or the linked original."""
        row = self.conn.execute(
            "SELECT stored_path, original_path FROM files WHERE study_id = ? ORDER BY id LIMIT 1", (study_id,)
        ).fetchone()
        if row is None:
            return None
        return self.folder / row[0] if row[0] else Path(row[1])

    # -- records that are not user changes ----------------------------------------------------------------
    def record_llm_run(self, **fields: Any) -> int:
        """Log one LLM call (stage, model, backend, settings, tokens, seconds, finish_reason, ok, error)."""
        if isinstance(fields.get("settings"), dict):
            fields["settings"] = json.dumps(fields["settings"], sort_keys=True)
        return self.insert_record("llm_runs", fields)

    def insert_record(self, table: str, row: dict[str, Any]) -> int:
        """Insert one row into a table that is a record, not a user change (LLM runs, import outcomes)."""
        if table in commands.UNDOABLE_TABLES:
            raise ValueError(f"{table!r} is written through commands")
        columns = list(row)
        with self.atomic():
            cursor = self.conn.execute(
                f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})", [row[c] for c in columns])
        assert cursor.lastrowid is not None
        return cursor.lastrowid


def decode_study(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["authors"] = json.loads(row.get("authors") or "[]")
    if "extra" in row:
        row["extra"] = json.loads(row.get("extra") or "{}")
    return row


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fts_query(text: str) -> str:
    """Turn what a user typed into a safe FTS5 query: each word quoted (so '-' or ':' cannot break the syntax),
    a trailing '*' kept as a prefix search, words ANDed."""
    terms = []
    for word in text.split():
        prefix = word.endswith("*")
        word = word.rstrip("*").replace('"', "")
        if word:
            terms.append(f'"{word}"' + ("*" if prefix else ""))
    return " ".join(terms)


# -- opening safely ---------------------------------------------------------------------------------------------
def _prepare_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise LibraryError(f"{folder} is a file, not a library folder: choose a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / FILES_DIR).mkdir(exist_ok=True)
    except OSError as error:
        raise LibraryError(f"cannot create the library folder {folder}: {error.strerror or error}") from error


def _create(path: Path) -> None:
    """Make a new library.db with its tables in a private file, then link it into place; when another process
    got there first, use theirs. A half-made database therefore never appears under the real name."""
    private = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.new")
    try:
        conn = sqlite3.connect(private, isolation_level=None)
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            schema.migrate(conn)
        finally:
            conn.close()
        try:
            os.link(private, path)
        except FileExistsError:
            pass  # another process created it meanwhile
    except sqlite3.Error as error:
        raise LibraryError(f"cannot create a library in {path.parent}: {error}") from error
    except OSError as error:
        raise LibraryError(f"cannot create a library in {path.parent}: {error.strerror or error}") from error
    finally:
        private.unlink(missing_ok=True)


def _connect(path: Path, read_only: bool) -> sqlite3.Connection:
    if path.stat().st_size == 0:
        raise LibraryError(f"{path} is empty (0 bytes): it is not a library any more. Restore it from a backup, "
                           f"or move it aside to start a new library in {path.parent}")
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=True)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        if read_only:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version != schema.SCHEMA_VERSION:
                schema.migrate(conn)  # a reader may be the first to open an old library
            conn.execute("PRAGMA query_only = ON")
        else:
            schema.migrate(conn)
            with _transaction(conn):
                commands.close_stale_groups(conn)
    except sqlite3.DatabaseError as error:
        conn.close()
        raise _library_error(error, path.parent) from error
    except BaseException:
        conn.close()
        raise
    return conn


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextlib.contextmanager
def translated_errors(folder: Path) -> Iterator[None]:
    """SQLite failures a user can act on (full disk, read-only folder, damaged file, held lock) as LibraryError."""
    try:
        yield
    except sqlite3.OperationalError as error:
        if _user_facing(error):
            raise _library_error(error, folder) from error
        raise
    except sqlite3.DatabaseError as error:
        if isinstance(error, sqlite3.IntegrityError | sqlite3.ProgrammingError | sqlite3.InterfaceError):
            raise
        raise _library_error(error, folder) from error


def _user_facing(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return any(k in text for k in ("disk is full", "readonly", "read-only", "locked", "disk i/o", "unable to open",
                                   "malformed", "not a database"))


def _library_error(error: sqlite3.Error, folder: Path) -> LibraryError:
    text = str(error).lower()
    if "disk is full" in text:
        return LibraryError(f"the disk holding {folder} is full: nothing of this change was saved. Free some "
                            "space and try again")
    if "readonly" in text or "read-only" in text:
        return LibraryError(f"the library {folder} is read-only here: nothing was saved. Check the folder's "
                            "permissions, or open a copy")
    if "locked" in text:
        return LibraryError(f"the library {folder} is busy: another program kept it locked for "
                            f"{BUSY_TIMEOUT_MS // 1000} s. Nothing was saved; try again when it has finished")
    if "unable to open" in text or "disk i/o" in text:
        return LibraryError(f"cannot read or write the library {folder} ({error}): check the disk and permissions")
    return LibraryError(f"{folder / DB_NAME} is damaged ({error}): restore it from a backup, or move it aside to "
                        "start a new library")
