"""Decisions at two stages with reasons, and the protocol: user commands, stored, undoable, logged as feedback."""

from __future__ import annotations

import json

import pytest

from litreview.screening import (
    DecisionError,
    decide,
    decision_history,
    decisions,
    get_protocol,
    reasons,
    set_protocol,
    undecided_ids,
)
from litreview.screening.reasons import DEFAULT_REASONS, add_reason, move_reason, remove_reason, rename_reason, set_reasons


def _feedback(library, kind):
    return library.query("SELECT * FROM feedback WHERE kind = ? ORDER BY id", (kind,))


def test_a_decision_is_stored_logged_and_undoable(screening_library):
    library, ids = screening_library
    decide(library, ids[0], "include", note="meets all criteria")
    row = library.query("SELECT * FROM decisions WHERE study_id = ?", (ids[0],))[0]
    assert (row["stage"], row["decision"], row["note"], row["reason"], row["actor"]) == (
        "title_abstract", "include", "meets all criteria", "", "human")
    assert row["decided_at"].endswith("Z")
    event = _feedback(library, "decision")[-1]
    assert event["study_id"] == ids[0]
    assert json.loads(event["payload"]) == {"decision": "include", "note": "meets all criteria", "previous": None,
                                            "stage": "title_abstract", "reason": "", "actor": "human"}
    # undo labels name the study by its title, never by an internal id
    assert library.undo_label() == "Include “Mindfulness therapy for anxiety in adults: a randomised trial”"

    assert library.undo().label.startswith("Include “Mindfulness")
    assert library.query("SELECT * FROM decisions") == []
    assert _feedback(library, "decision")[-1]["retracted"] == 1
    library.redo()
    assert decisions(library)[0]["decision"] == "include"


def test_changing_a_decision_updates_the_row_and_undo_restores_the_old_one(screening_library):
    library, ids = screening_library
    decide(library, ids[0], "maybe")
    decide(library, ids[0], "exclude", reason="wrong population", note="children only")
    rows = library.query("SELECT decision, reason, note FROM decisions")
    assert rows == [{"decision": "exclude", "reason": "wrong population", "note": "children only"}]
    assert json.loads(_feedback(library, "decision")[-1]["payload"])["previous"] == "maybe"
    library.undo()
    assert library.query("SELECT decision, reason FROM decisions") == [{"decision": "maybe", "reason": ""}]


def test_bad_decisions_are_refused_and_write_nothing(screening_library):
    library, ids = screening_library
    with pytest.raises(DecisionError, match="include, exclude, maybe"):
        decide(library, ids[0], "perhaps")
    with pytest.raises(DecisionError, match="no study 9999"):
        decide(library, 9999, "include")
    with pytest.raises(DecisionError, match="title_abstract or full_text"):
        decide(library, ids[0], "include", stage="abstract")
    with pytest.raises(DecisionError, match="include, exclude, not_retrieved"):
        decide(library, ids[0], "maybe", stage="full_text")
    with pytest.raises(DecisionError, match="human or by automation"):
        decide(library, ids[0], "include", actor="robot")
    assert library.query("SELECT count(*) AS n FROM decisions") == [{"n": 0}]
    assert library.undo_label() == "Add test studies"


def test_full_text_follows_a_title_abstract_include_and_both_stages_undo(screening_library):
    library, ids = screening_library
    with pytest.raises(DecisionError, match="not included at title/abstract"):
        decide(library, ids[0], "include", stage="full_text")
    decide(library, ids[0], "include")
    decide(library, ids[2], "include")
    decide(library, ids[1], "exclude", reason="wrong population")
    assert undecided_ids(library, "full_text") == [ids[0], ids[2]]
    decide(library, ids[0], "exclude", stage="full_text", reason="wrong outcome", note="no anxiety scale")
    decide(library, ids[2], "not_retrieved", stage="full_text", reason="full text not available")
    assert library.undo_label().startswith("Not retrieved “Cognitive behavioural") and "full text" in library.undo_label()
    # the ranking, status and simulation read the title/abstract stage only
    assert [(d["study_id"], d["decision"]) for d in decisions(library)] == [
        (ids[0], "include"), (ids[2], "include"), (ids[1], "exclude")]
    assert [(d["decision"], d["reason"]) for d in decisions(library, "full_text")] == [
        ("exclude", "wrong outcome"), ("not_retrieved", "full text not available")]
    # a title/abstract include that a full-text decision rests on stays until that decision goes
    with pytest.raises(DecisionError, match="already has a full-text decision"):
        decide(library, ids[0], "exclude")
    library.undo()  # not retrieved
    library.undo()  # full-text exclude
    assert decisions(library, "full_text") == []
    decide(library, ids[0], "exclude", reason="wrong population")
    assert undecided_ids(library, "full_text") == [ids[2]]


def test_the_history_lists_every_decision_with_filter_and_search(screening_library):
    library, ids = screening_library
    decide(library, ids[0], "maybe", note="check the design")
    decide(library, ids[1], "exclude", reason="wrong population")
    decide(library, ids[0], "include")
    decide(library, ids[0], "include", stage="full_text", note="eligible")
    decide(library, ids[3], "exclude", reason="wrong study design")
    library.undo()  # the last exclude never happened, as far as the history is concerned
    rows = decision_history(library)
    assert [(r["study_id"], r["stage"], r["decision"]) for r in rows] == [
        (ids[0], "full_text", "include"), (ids[0], "title_abstract", "include"), (ids[1], "title_abstract", "exclude"),
        (ids[0], "title_abstract", "maybe")]
    assert [r["current"] for r in rows] == [True, True, True, False]
    assert rows[1]["previous"] == "maybe" and rows[1]["title"].startswith("Mindfulness")
    assert set(rows[0]) == {"study_id", "title", "year", "stage", "decision", "reason", "note", "time", "who",
                            "previous", "current"}
    assert rows[0]["who"] == "human" and rows[0]["time"].endswith("Z")
    assert [r["decision"] for r in decision_history(library, stage="title_abstract", decision="exclude")] == ["exclude"]
    assert [r["note"] for r in decision_history(library, search="DESIGN check")] == ["check the design"]
    assert [r["reason"] for r in decision_history(library, search="population")] == ["wrong population"]
    assert len(decision_history(library, study_id=ids[0])) == 3 and len(decision_history(library, limit=1)) == 1


def test_reasons_start_from_defaults_and_every_edit_is_undoable(library):
    assert reasons(library) == DEFAULT_REASONS["title_abstract"]
    assert "full text not available" in reasons(library, "full_text")
    add_reason(library, "title_abstract", "  animal   study ")
    assert reasons(library)[-1] == "animal study"
    assert library.undo_label() == "Add the exclusion reason “animal study”"
    rename_reason(library, "title_abstract", "animal study", "animal or in-vitro study")
    move_reason(library, "title_abstract", "animal or in-vitro study", 0)
    assert reasons(library)[0] == "animal or in-vitro study"
    remove_reason(library, "title_abstract", "DUPLICATE")
    assert "duplicate" not in reasons(library)
    assert reasons(library, "full_text") == DEFAULT_REASONS["full_text"]  # the other stage is its own list
    set_reasons(library, "title_abstract", [])
    assert reasons(library) == []  # an emptied list stays empty
    with pytest.raises(DecisionError, match="already in the list"):
        set_reasons(library, "title_abstract", ["a", "A"])
    with pytest.raises(DecisionError, match="not in the title/abstract list"):
        remove_reason(library, "title_abstract", "wrong population")
    for _ in range(5):
        library.undo()
    assert reasons(library) == DEFAULT_REASONS["title_abstract"]
    assert library.query("SELECT count(*) AS n FROM screening_reasons") == [{"n": 0}]


def test_protocol_edits_are_commands(library):
    assert get_protocol(library) == {"question": "", "inclusion": "", "exclusion": ""}
    set_protocol(library, question="Does CBT help?")
    set_protocol(library, inclusion="RCTs")
    assert get_protocol(library) == {"question": "Does CBT help?", "inclusion": "RCTs", "exclusion": ""}
    assert json.loads(_feedback(library, "protocol")[-1]["payload"]) == {"changes": {"inclusion": {"before": "", "after": "RCTs"}}}
    library.undo()
    assert get_protocol(library)["inclusion"] == ""
    library.undo()
    assert get_protocol(library)["question"] == ""
