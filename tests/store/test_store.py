"""The store: schema version, WAL, FTS kept in step by triggers, commands with undo/redo and feedback."""

from __future__ import annotations

import sqlite3

import pytest

from litreview.store import SCHEMA_VERSION, Library, NewerLibraryError


def add_study(library, title="Nudging physicians", abstract="A trial of default options.", pages=("page one text",)):
    with library.command(f"Add {title}") as cmd:
        study_id = cmd.insert("studies", {"title": title, "abstract": abstract, "source": "pdf"})
        for number, text in enumerate(pages, start=1):
            cmd.insert("pages", {"study_id": study_id, "page_no": number, "text": text})
        cmd.feedback("import", study_id=study_id)
    return study_id


def test_new_library_has_schema_version_wal_and_foreign_keys(library):
    assert library.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert library.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert library.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_newer_library_is_refused(tmp_path):
    Library(tmp_path / "lib").close()
    conn = sqlite3.connect(tmp_path / "lib" / "library.db")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(NewerLibraryError):
        Library(tmp_path / "lib")


def test_search_finds_title_abstract_and_page_text(library):
    study_id = add_study(library, pages=("randomised controlled zebrafish experiment",))
    assert [r["id"] for r in library.search("nudging")] == [study_id]
    assert [r["id"] for r in library.search("zebrafish")] == [study_id]
    assert [r["id"] for r in library.search("zebra*")] == [study_id]
    assert library.search('unbalanced "quote -minus:') == []


def test_undo_and_redo_restore_rows_search_and_feedback(library):
    study_id = add_study(library)
    with library.command("Rename study") as cmd:
        cmd.update("studies", study_id, {"title": "Defaults for clinicians"})
        cmd.feedback("rename", study_id=study_id, old="Nudging physicians")
    assert library.undo_label() == "Rename study"

    assert library.undo().label == "Rename study"
    assert library.study(study_id)["title"] == "Nudging physicians"
    assert library.search("clinicians") == []
    assert library.query("SELECT retracted FROM feedback WHERE kind = 'rename'") == [{"retracted": 1}]

    assert library.redo().label == "Rename study"
    assert library.study(study_id)["title"] == "Defaults for clinicians"
    assert library.query("SELECT retracted FROM feedback WHERE kind = 'rename'") == [{"retracted": 0}]

    assert library.undo().label == "Rename study"
    assert library.undo().label == "Add Nudging physicians"
    assert library.study_count() == 0
    assert library.search("zebrafish") == [] and library.conn.execute("SELECT count(*) FROM pages").fetchone()[0] == 0
    assert library.redo().label == "Add Nudging physicians"
    assert library.full_text(study_id) == [(1, "page one text")]
    assert [r["id"] for r in library.search("page")] == [study_id]


def test_new_command_clears_redo_stack(library):
    add_study(library, title="First")
    library.undo()
    add_study(library, title="Second")
    assert library.redo() is None
    assert library.redo_label() is None


def test_failed_command_writes_nothing(library):
    with pytest.raises(RuntimeError):
        with library.command("Half a change") as cmd:
            cmd.insert("studies", {"title": "Ghost", "source": "pdf"})
            raise RuntimeError("crash in the middle")
    assert library.study_count() == 0
    assert library.query("SELECT count(*) AS n FROM commands") == [{"n": 0}]
    assert library.query("SELECT count(*) AS n FROM undo_groups") == [{"n": 0}]
    assert library.query("SELECT count(*) AS n FROM undo_log") == [{"n": 0}]


def test_commands_only_write_known_tables(library):
    with pytest.raises(ValueError):
        with library.command("Sneaky") as cmd:
            cmd.insert("llm_runs", {"stage": "x", "model": "m", "backend": "b"})


def test_second_connection_sees_committed_work(tmp_path):
    with Library(tmp_path / "lib") as writer, Library(tmp_path / "lib") as reader:
        add_study(writer)
        assert reader.study_count() == 1
