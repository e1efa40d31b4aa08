"""A library: one folder holding ``library.db`` (SQLite, WAL) and a content-addressed ``files/`` store.

One ``Library`` object owns one connection and must stay on the thread that opened it (sqlite3's rule).
Background work opens its own ``Library`` on the same folder: WAL lets readers run beside the one writer,
and ``busy_timeout`` makes a second writer wait instead of failing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from litreview.store import commands, schema

DB_NAME = "library.db"
FILES_DIR = "files"


class Library:
    """An open library folder. Use as a context manager or call ``close()``."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder).expanduser().resolve()
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / FILES_DIR).mkdir(exist_ok=True)
        conn = sqlite3.connect(self.folder / DB_NAME, isolation_level=None, timeout=30)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 30000")
        try:
            schema.migrate(conn)
        except BaseException:
            conn.close()
            raise
        self.db = Database(conn)

    # -- lifetime ---------------------------------------------------------------------------------------
    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> "Library":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    def atomic(self):
        """A transaction (nested calls become savepoints): all of its writes land, or none."""
        return self.db.atomic()

    # -- user commands (change + undo record + feedback, atomically) -------------------------------------
    @contextlib.contextmanager
    def command(self, label: str) -> Iterator[commands.Command]:
        """Run one user-visible change; see ``litreview.store.commands``."""
        with self.db.atomic():
            yield commands.begin(self.db, label)

    def undo(self) -> str | None:
        return commands.undo_last(self.db)

    def redo(self) -> str | None:
        return commands.redo_next(self.db)

    def undo_label(self) -> str | None:
        """What Ctrl+Z would undo now ("Undo Move study"), or None."""
        row = self.conn.execute("SELECT label FROM commands WHERE undone = 0 ORDER BY id DESC LIMIT 1").fetchone()
        return row[0] if row else None

    def redo_label(self) -> str | None:
        row = self.conn.execute("SELECT label FROM commands WHERE undone = 1 ORDER BY id ASC LIMIT 1").fetchone()
        return row[0] if row else None

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
            partial = target.with_name(target.name + ".part")
            shutil.copyfile(source, partial)
            partial.replace(target)  # atomic: a crash never leaves a half-copied file under the final name
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
        with self.atomic():
            return self.db["llm_runs"].insert(fields).last_pk


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
