"""The library's SQLite schema and its forward migrations.

The schema version lives in ``PRAGMA user_version`` (as qutebrowser does): opening a library runs every
migration above the stored version inside one transaction, and a library written by a newer litreview is
refused rather than silently damaged. Migrations are append-only: a released step is never edited.

Every table that a user command can change has an integer ``id`` primary key, so the undo log can name any
row the same way (see ``commands.py``).
"""

from __future__ import annotations

import sqlite3

from litreview.errors import NewerLibraryError

V1 = r"""
CREATE TABLE studies (
    id            INTEGER PRIMARY KEY,
    title         TEXT,
    authors       TEXT NOT NULL DEFAULT '[]',   -- JSON list of {"given", "family"}
    year          INTEGER,
    doi           TEXT,
    abstract      TEXT,
    venue         TEXT,
    n_pages       INTEGER,
    source        TEXT NOT NULL,                -- pdf | ris | bibtex | csv
    source_ref    TEXT,                          -- file name, record id in the export, ...
    needs_ocr     INTEGER NOT NULL DEFAULT 0,   -- PDF without a text layer: kept, flagged
    title_key     TEXT,                          -- normalised title for duplicate detection
    author_key    TEXT,                          -- normalised first-author family name
    notes         TEXT NOT NULL DEFAULT '',
    extra         TEXT NOT NULL DEFAULT '{}',   -- JSON: fields an export carried that we keep verbatim
    created       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX studies_doi ON studies(doi);
CREATE INDEX studies_title_key ON studies(title_key);

CREATE TABLE files (
    id            INTEGER PRIMARY KEY,
    study_id      INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    sha256        TEXT NOT NULL,
    original_path TEXT NOT NULL,
    stored_path   TEXT,                          -- relative to the library folder; NULL when linked
    size          INTEGER NOT NULL,
    created       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE UNIQUE INDEX files_sha256 ON files(sha256);
CREATE INDEX files_study ON files(study_id);

CREATE TABLE pages (
    id            INTEGER PRIMARY KEY,
    study_id      INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    page_no       INTEGER NOT NULL,              -- 1-based, as printed by a PDF viewer
    text          TEXT NOT NULL
);
CREATE UNIQUE INDEX pages_study_page ON pages(study_id, page_no);

-- One row per input of an import batch: what happened to it and why, so the user can see every outcome.
CREATE TABLE import_outcomes (
    id            INTEGER PRIMARY KEY,
    batch         TEXT NOT NULL,
    input         TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('imported','duplicate','failed')),
    reason        TEXT,
    study_id      INTEGER REFERENCES studies(id) ON DELETE SET NULL,
    matched_id    INTEGER REFERENCES studies(id) ON DELETE SET NULL,
    created       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
-- Deleting a study (undoing an import) sets these to NULL; without the indexes each delete scans the table
-- (undoing a 1,800-record import took 11 s instead of 1.3 s).
CREATE INDEX import_outcomes_study ON import_outcomes(study_id);
CREATE INDEX import_outcomes_matched ON import_outcomes(matched_id);

CREATE TABLE claims (
    id            INTEGER PRIMARY KEY,
    study_id      INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL DEFAULT 0,
    text          TEXT NOT NULL,
    quote         TEXT NOT NULL,
    grounded      INTEGER NOT NULL DEFAULT 0,
    page_no       INTEGER,                        -- NULL: found in title/abstract, or not found
    char_start    INTEGER,
    char_end      INTEGER,
    source        TEXT NOT NULL DEFAULT 'model', -- model name, or 'user'
    created       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX claims_study ON claims(study_id);

CREATE TABLE hierarchies (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    settings      TEXT NOT NULL DEFAULT '{}',
    model         TEXT,
    created       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

-- A category with parent_id NULL is an aspect (CHIME's top level); below it a tree at most 3 deep.
CREATE TABLE categories (
    id            INTEGER PRIMARY KEY,
    hierarchy_id  INTEGER NOT NULL REFERENCES hierarchies(id) ON DELETE CASCADE,
    parent_id     INTEGER REFERENCES categories(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    position      INTEGER NOT NULL DEFAULT 0,
    terms         TEXT NOT NULL DEFAULT '[]',    -- JSON list of characteristic terms
    locked        INTEGER NOT NULL DEFAULT 0,    -- kept as it is by a rebuild
    user_edited   INTEGER NOT NULL DEFAULT 0,
    created       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX categories_parent ON categories(parent_id);
CREATE INDEX categories_hierarchy ON categories(hierarchy_id);

-- CHIME's claim-category shape, per study: label 1 = assigned, 0 = rejected (by the verifier or the user).
CREATE TABLE assignments (
    id            INTEGER PRIMARY KEY,
    category_id   INTEGER NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
    study_id      INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    label         INTEGER NOT NULL DEFAULT 1,
    score         REAL,
    source        TEXT NOT NULL DEFAULT 'model', -- 'user', 'stats', or a model name
    locked        INTEGER NOT NULL DEFAULT 0,
    implied       INTEGER NOT NULL DEFAULT 0,    -- 1: stored only because a descendant is assigned (label 1)
    created       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE UNIQUE INDEX assignments_pair ON assignments(category_id, study_id);
CREATE INDEX assignments_study ON assignments(study_id);

CREATE TABLE protocol (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    question      TEXT NOT NULL DEFAULT '',
    inclusion     TEXT NOT NULL DEFAULT '',
    exclusion     TEXT NOT NULL DEFAULT ''
);

-- The current screening decision per study; its history is in the command log and the feedback events.
CREATE TABLE decisions (
    id            INTEGER PRIMARY KEY,
    study_id      INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    decision      TEXT NOT NULL CHECK (decision IN ('include','exclude','maybe')),
    note          TEXT NOT NULL DEFAULT '',
    decided_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE UNIQUE INDEX decisions_study ON decisions(study_id);

-- A user command: one row per undoable change (Anki's "operation").
CREATE TABLE commands (
    id            INTEGER PRIMARY KEY,
    label         TEXT NOT NULL,
    undone        INTEGER NOT NULL DEFAULT 0,
    created       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

-- Row images before and after each write of a command, in order; undo applies "before" in reverse.
CREATE TABLE undo_log (
    id            INTEGER PRIMARY KEY,
    command_id    INTEGER NOT NULL REFERENCES commands(id) ON DELETE CASCADE,
    tbl           TEXT NOT NULL,
    row_id        INTEGER NOT NULL,
    before        TEXT,                           -- JSON row; NULL = the row did not exist
    after         TEXT                            -- JSON row; NULL = the row was deleted
);
CREATE INDEX undo_log_command ON undo_log(command_id);

-- What the user taught us: corrections and decisions that later assignment and ranking learn from.
CREATE TABLE feedback (
    id            INTEGER PRIMARY KEY,
    command_id    INTEGER REFERENCES commands(id) ON DELETE SET NULL,
    kind          TEXT NOT NULL,
    study_id      INTEGER,
    category_id   INTEGER,
    payload       TEXT NOT NULL DEFAULT '{}',
    retracted     INTEGER NOT NULL DEFAULT 0,    -- set while its command is undone
    created       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX feedback_kind ON feedback(kind);

CREATE TABLE llm_runs (
    id                INTEGER PRIMARY KEY,
    stage             TEXT NOT NULL,
    model             TEXT NOT NULL,
    backend           TEXT NOT NULL,
    settings          TEXT NOT NULL DEFAULT '{}',
    prompt_tokens     INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    seconds           REAL NOT NULL DEFAULT 0,
    finish_reason     TEXT,
    ok                INTEGER NOT NULL DEFAULT 1,
    error             TEXT,
    created           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

-- Full-text search over title, abstract and the text of every page; kept in step by triggers so that
-- imports, edits and undo all stay searchable without any caller remembering to reindex.
CREATE VIRTUAL TABLE studies_fts USING fts5(title, abstract, body, tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER studies_ai AFTER INSERT ON studies BEGIN
    INSERT INTO studies_fts(rowid, title, abstract, body) VALUES (new.id, new.title, new.abstract, '');
END;
CREATE TRIGGER studies_au AFTER UPDATE OF title, abstract ON studies BEGIN
    UPDATE studies_fts SET title = new.title, abstract = new.abstract WHERE rowid = new.id;
END;
CREATE TRIGGER studies_ad AFTER DELETE ON studies BEGIN
    DELETE FROM studies_fts WHERE rowid = old.id;
END;
-- The page body is indexed once, when a study's last page arrives (re-indexing per page would be quadratic).
CREATE TRIGGER pages_ai AFTER INSERT ON pages
WHEN (SELECT count(*) FROM pages WHERE study_id = new.study_id)
     >= coalesce((SELECT n_pages FROM studies WHERE id = new.study_id), 0) BEGIN
    UPDATE studies_fts SET body = coalesce(
        (SELECT group_concat(text, ' ') FROM (SELECT text FROM pages WHERE study_id = new.study_id ORDER BY page_no)), '')
    WHERE rowid = new.study_id;
END;
CREATE TRIGGER pages_ad AFTER DELETE ON pages
WHEN NOT EXISTS (SELECT 1 FROM pages WHERE study_id = old.study_id) BEGIN
    UPDATE studies_fts SET body = '' WHERE rowid = old.study_id;
END;
"""

V2 = r"""
-- Undo by intention: a group is what the user sees as one step (one drag, one import batch, one build, one
-- claims run). A job's group stays 'open' while it runs (its commands commit one by one, so a cancel keeps
-- finished work) and joins the undo stack when it closes; ``seq`` orders the stack by when groups closed.
CREATE TABLE undo_groups (
    id            INTEGER PRIMARY KEY,
    label         TEXT NOT NULL,
    origin        TEXT NOT NULL DEFAULT 'user' CHECK (origin IN ('user','job')),
    state         TEXT NOT NULL DEFAULT 'done' CHECK (state IN ('open','done','undone')),
    seq           INTEGER,
    owner         TEXT,                          -- 'pid@host' of the process that opened a job's group
    created       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX undo_groups_state ON undo_groups(state, seq);
INSERT INTO undo_groups(id, label, origin, state, seq, created)
    SELECT id, label, 'user', CASE WHEN undone THEN 'undone' ELSE 'done' END, id, created FROM commands;
ALTER TABLE commands ADD COLUMN group_id INTEGER REFERENCES undo_groups(id) ON DELETE CASCADE;
UPDATE commands SET group_id = id;
ALTER TABLE commands DROP COLUMN undone;
CREATE INDEX commands_group ON commands(group_id);
-- lazy = 1: an inserted row whose image is the live row itself (page text is never stored twice); the image
-- moves into ``after`` only while the insert is undone.
ALTER TABLE undo_log ADD COLUMN lazy INTEGER NOT NULL DEFAULT 0;
CREATE INDEX feedback_command ON feedback(command_id);
CREATE INDEX feedback_study ON feedback(study_id);

-- Two screening stages (PRISMA 2020): title/abstract, then full text. A decision may carry a reason from the
-- review's list and a free-text note; 'automation' marks records a tool, not a person, set aside.
CREATE TABLE decisions_v2 (
    id            INTEGER PRIMARY KEY,
    study_id      INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    stage         TEXT NOT NULL DEFAULT 'title_abstract' CHECK (stage IN ('title_abstract','full_text')),
    decision      TEXT NOT NULL CHECK (decision IN ('include','exclude','maybe','not_retrieved')),
    reason        TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    actor         TEXT NOT NULL DEFAULT 'human' CHECK (actor IN ('human','automation')),
    decided_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
INSERT INTO decisions_v2(id, study_id, decision, note, decided_at)
    SELECT id, study_id, decision, note, decided_at FROM decisions;
DROP TABLE decisions;
ALTER TABLE decisions_v2 RENAME TO decisions;
CREATE UNIQUE INDEX decisions_study_stage ON decisions(study_id, stage);

-- The review's list of exclusion reasons per stage (editable; the first are offered by default).
CREATE TABLE screening_reasons (
    id            INTEGER PRIMARY KEY,
    stage         TEXT NOT NULL CHECK (stage IN ('title_abstract','full_text')),
    text          TEXT NOT NULL,
    position      INTEGER NOT NULL DEFAULT 0
);

-- The stopping point of a screening stage, with the rule and its evidence at that moment (the audit trail a
-- methods section and the PRISMA diagram need). chosen_by 'user' = stopped before the rule allowed it.
CREATE TABLE screening_stops (
    id            INTEGER PRIMARY KEY,
    stage         TEXT NOT NULL DEFAULT 'title_abstract',
    rule          TEXT NOT NULL,
    target        REAL,
    confidence    REAL,
    screened      INTEGER NOT NULL,
    total         INTEGER NOT NULL,
    evidence      TEXT NOT NULL DEFAULT '{}',
    chosen_by     TEXT NOT NULL DEFAULT 'rule' CHECK (chosen_by IN ('rule','user')),
    created       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

-- Where records came from (PRISMA identification): a database, a register, or other methods.
CREATE TABLE sources (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL DEFAULT 'database' CHECK (kind IN ('database','register','other')),
    created       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE UNIQUE INDEX sources_name ON sources(name, kind);
-- The source a file name was imported from last time, so the user is asked once per file.
CREATE TABLE source_files (
    id            INTEGER PRIMARY KEY,
    file_name     TEXT NOT NULL UNIQUE,
    source_id     INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE
);
ALTER TABLE import_outcomes ADD COLUMN source_id INTEGER REFERENCES sources(id) ON DELETE SET NULL;
ALTER TABLE import_outcomes ADD COLUMN title TEXT;   -- what the input was, in words (for reports)
ALTER TABLE studies ADD COLUMN source_id INTEGER REFERENCES sources(id) ON DELETE SET NULL;

-- Output made without the model (its calls failed) is marked, shown as such, and can be redone.
ALTER TABLE claims ADD COLUMN fallback INTEGER NOT NULL DEFAULT 0;
ALTER TABLE categories ADD COLUMN name_source TEXT NOT NULL DEFAULT 'model';  -- model | fallback | user
-- The words of a study that justify a facet assignment (shown in the study pane).
ALTER TABLE assignments ADD COLUMN evidence TEXT;

-- Suggestions the learner makes after a correction; accepting or rejecting one is a user command.
CREATE TABLE suggestions (
    id            INTEGER PRIMARY KEY,
    hierarchy_id  INTEGER NOT NULL REFERENCES hierarchies(id) ON DELETE CASCADE,
    study_id      INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    category_id   INTEGER NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
    from_category INTEGER REFERENCES categories(id) ON DELETE CASCADE,
    score         REAL,
    reason        TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open','accepted','rejected')),
    created       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX suggestions_open ON suggestions(hierarchy_id, state);

-- A cache, not a user change: one sentence vector per study, recomputed only when its text changes.
CREATE TABLE study_vectors (
    study_id      INTEGER PRIMARY KEY REFERENCES studies(id) ON DELETE CASCADE,
    model         TEXT NOT NULL,
    text_hash     TEXT NOT NULL,
    vector        BLOB NOT NULL
);

-- Per-library settings a user changes from the app (stopping target, undo depth, ...): key -> JSON value.
CREATE TABLE library_settings (
    id            INTEGER PRIMARY KEY,
    key           TEXT NOT NULL UNIQUE,
    value         TEXT NOT NULL
);
"""

MIGRATIONS: list[str] = [V1, V2]
"""MIGRATIONS[i] takes a library from user_version i to i + 1."""

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database to SCHEMA_VERSION in one transaction; returns the version it started at.

    The version is read again after ``BEGIN IMMEDIATE`` has the write lock: two processes opening the same old
    library at once must not both run a migration (the second would find its tables already there).
    """
    start = _check_version(conn)
    if start == SCHEMA_VERSION:
        return start
    conn.execute("BEGIN IMMEDIATE")
    try:
        start = _check_version(conn)
        for version in range(start, SCHEMA_VERSION):
            for statement in _statements(MIGRATIONS[version]):
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return start


def _check_version(conn: sqlite3.Connection) -> int:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise NewerLibraryError(
            f"this library was written by a newer litreview (schema {version}, this one reads up to "
            f"{SCHEMA_VERSION}): update litreview to open it"
        )
    return version


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (executescript would commit our transaction)."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return [s for s in statements if s]
