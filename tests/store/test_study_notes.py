"""Notes are an undoable user change with a feedback row."""

from litreview.study_notes import set_notes


def test_notes_are_undoable_and_logged(library):
    with library.command("Add") as cmd:
        study_id = cmd.insert("studies", {"title": "A trial", "source": "pdf"})
    set_notes(library, study_id, "check the dosage table")
    assert library.study(study_id)["notes"] == "check the dosage table"
    assert library.query("SELECT kind, retracted FROM feedback WHERE kind = 'note'") == [{"kind": "note", "retracted": 0}]
    assert library.undo().label == "Edit notes"
    assert library.study(study_id)["notes"] == ""
    assert library.query("SELECT retracted FROM feedback WHERE kind = 'note'") == [{"retracted": 1}]
