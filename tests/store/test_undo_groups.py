"""Undo by intention: groups, jobs beside user edits, conflict refusal, lazy page images, a bounded log."""

from __future__ import annotations

import json

import pytest

from litreview.errors import InputError, UndoError
from litreview.store import Library, Writer


def add_study(library, title, pages=("page text",), group=None):
    with library.command(f"Add {title}", group=group) as cmd:
        study_id = cmd.insert("studies", {"title": title, "source": "pdf", "n_pages": len(pages)})
        for number, text in enumerate(pages, start=1):
            cmd.insert("pages", {"study_id": study_id, "page_no": number, "text": text})
    return study_id


def rename(library, study_id, title, group=None):
    with library.command(f"Rename to {title}", group=group) as cmd:
        cmd.update("studies", study_id, {"title": title})


def test_a_group_of_commands_is_one_undo_step(library):
    with library.group("Import 3 files"):
        for title in ("A", "B", "C"):
            add_study(library, title)
    assert library.undo_label() == "Import 3 files"
    changes = library.undo()
    assert changes.label == "Import 3 files" and library.study_count() == 0
    assert changes.areas == {"studies"} and len(changes.studies) == 3
    assert library.undo() is None
    assert library.redo().label == "Import 3 files"
    assert sorted(s["title"] for s in library.studies()) == ["A", "B", "C"]


def test_an_open_group_is_not_undoable_and_a_cancelled_one_keeps_what_finished(library):
    first = add_study(library, "Before")
    group = library.open_group("Import 2 files")
    add_study(library, "Half", group=group)
    assert library.undo_label() == "Add Before"  # the job's group is still open: not on the stack yet
    assert library.running_jobs() == ["Import 2 files"]
    library.close_group(group)  # cancelled after one file: that file stays, as one step in its own words
    assert library.undo_label() == "Add Half"
    library.undo()
    assert [s["id"] for s in library.studies()] == [first]


def test_empty_group_leaves_nothing(library):
    with library.group("Cancelled at once"):
        pass
    assert library.undo_label() is None
    assert library.query("SELECT count(*) AS n FROM undo_groups") == [{"n": 0}]


def test_a_job_does_not_clear_the_users_redo_stack(library):
    study = add_study(library, "Paper")
    rename(library, study, "Renamed")
    library.undo()
    assert library.redo_label() == "Rename to Renamed"
    with library.group("Extract claims"):
        add_study(library, "Other")  # the job writes other rows
    assert library.redo_label() == "Rename to Renamed"
    assert library.redo().label == "Rename to Renamed"
    # a user's new edit does clear it
    library.undo()
    rename(library, study, "Third")
    assert library.redo_label() is None


def test_user_edit_during_a_job_is_undone_alone(library):
    study = add_study(library, "Paper")
    group = library.open_group("Extract claims")
    add_study(library, "Claimed", group=group)
    rename(library, study, "Edited while the job runs")
    assert library.undo().label == "Rename to Edited while the job runs"
    assert library.study(study)["title"] == "Paper"
    add_study(library, "Claimed later", group=group)
    library.close_group(group)
    assert library.redo_label() == "Rename to Edited while the job runs"


def test_undo_refuses_when_a_later_change_touched_the_same_rows(library):
    study = add_study(library, "Paper")
    group = library.open_group("Long job")
    rename(library, study, "User title")
    with library.command("Job rewrites the title", group=group) as cmd:
        cmd.update("studies", study, {"title": "Job title"})
    with pytest.raises(UndoError, match="Long job.*still running"):
        library.undo()
    assert library.study(study)["title"] == "Job title"  # nothing was overwritten
    add_study(library, "Second step of the job", group=group)
    library.close_group(group)
    assert library.undo().label == "Long job"
    assert library.undo().label == "Rename to User title"


def test_page_text_is_not_stored_twice_and_survives_undo_redo(library):
    text = "a long page " * 500
    study = add_study(library, "Paper", pages=(text, text + "2"))
    log_bytes = library.conn.execute("SELECT coalesce(sum(length(before)), 0) + coalesce(sum(length(after)), 0) "
                                     "FROM undo_log WHERE tbl = 'pages'").fetchone()[0]
    assert log_bytes == 0
    library.undo()
    assert library.conn.execute("SELECT count(*) FROM pages").fetchone()[0] == 0
    library.redo()
    assert library.full_text(study) == [(1, text), (2, text + "2")]
    assert [r["id"] for r in library.search("long")] == [study]
    assert library.conn.execute("SELECT count(*) FROM undo_log WHERE tbl = 'pages' AND after IS NOT NULL"
                                ).fetchone()[0] == 0


def test_only_the_newest_groups_stay_undoable(tmp_path):
    with Library(tmp_path / "lib") as library:
        assert library.undo_steps() == 200
        library.set_undo_steps(3)
    with Library(tmp_path / "lib") as library:  # a library setting: every later opening keeps 3
        assert library.keep_groups == 3
        study = add_study(library, "Paper")
        for number in range(6):
            rename(library, study, f"T{number}")
        assert library.query("SELECT count(*) AS n FROM undo_groups") == [{"n": 3}]
        with pytest.raises(InputError, match="from 1 to 100000"):
            library.set_undo_steps(0)
        labels = [library.undo().label for _ in range(3)]
        assert labels == ["Rename to T5", "Rename to T4", "Rename to T3"]
        assert library.undo() is None
        assert library.study(study)["title"] == "T2"
        # what the user taught stays even when the step is no longer undoable
        assert library.conn.execute("SELECT count(*) FROM commands").fetchone()[0] == 3


def test_writer_runs_ops_in_order_on_one_thread_inside_the_given_group(tmp_path):
    folder = tmp_path / "lib"
    Library(folder).close()
    writer = Writer(folder)
    try:
        group = writer.call(lambda lib: lib.open_group("Job"))
        futures = [writer.submit(lambda lib, t=title: add_study(lib, t), group=group) for title in ("A", "B")]
        [f.result() for f in futures]
        user = writer.call(lambda lib: add_study(lib, "User"))
        writer.call(lambda lib: lib.close_group(group))
        with Library(folder, read_only=True) as reader:
            assert reader.undo_label() == "Job"
            assert reader.study_count() == 3
        assert writer.call(lambda lib: lib.undo()).label == "Job"
        assert writer.call(lambda lib: lib.undo()).label == "Add User"
        with pytest.raises(UndoError):
            writer.call(lambda lib: (_ for _ in ()).throw(UndoError("raised in the op")))
        assert user
    finally:
        writer.close()


def test_read_only_library_refuses_writes(tmp_path):
    Library(tmp_path / "lib").close()
    with Library(tmp_path / "lib", read_only=True) as reader:
        with pytest.raises(Exception, match="readonly|read-only"):
            add_study(reader, "Nope")


def test_feedback_rows_of_undone_groups_are_retracted(library):
    with library.group("Drop 2 studies", origin="user"):
        for title in ("A", "B"):
            with library.command(f"Assign {title}") as cmd:
                cmd.insert("studies", {"title": title, "source": "pdf"})
                cmd.feedback("assign_study", payload=json.dumps({"x": 1}))
    library.undo()
    assert library.query("SELECT DISTINCT retracted FROM feedback") == [{"retracted": 1}]
