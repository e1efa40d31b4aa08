"""Decisions and the protocol are user commands: stored, undoable, logged as feedback."""

from __future__ import annotations

import json

import pytest

from litreview.screening import DecisionError, decide, decisions, get_protocol, screening_status, set_protocol


def _feedback(library, kind):
    return library.query("SELECT * FROM feedback WHERE kind = ? ORDER BY id", (kind,))


def test_a_decision_is_stored_logged_and_undoable(screening_library):
    library, ids = screening_library
    decide(library, ids[0], "include", note="meets all criteria")
    row = library.query("SELECT * FROM decisions WHERE study_id = ?", (ids[0],))[0]
    assert (row["decision"], row["note"]) == ("include", "meets all criteria")
    assert row["decided_at"].endswith("Z")
    event = _feedback(library, "decision")[-1]
    assert event["study_id"] == ids[0]
    assert json.loads(event["payload"]) == {"decision": "include", "note": "meets all criteria", "previous": None}
    assert library.undo_label() == f"Include study {ids[0]}"

    assert library.undo().label == f"Include study {ids[0]}"
    assert library.query("SELECT * FROM decisions") == []
    assert _feedback(library, "decision")[-1]["retracted"] == 1
    library.redo()
    assert decisions(library)[0]["decision"] == "include"


def test_changing_a_decision_updates_the_row_and_undo_restores_the_old_one(screening_library):
    library, ids = screening_library
    decide(library, ids[0], "maybe")
    decide(library, ids[0], "exclude", note="wrong population")
    rows = library.query("SELECT decision, note FROM decisions")
    assert rows == [{"decision": "exclude", "note": "wrong population"}]
    assert json.loads(_feedback(library, "decision")[-1]["payload"])["previous"] == "maybe"
    library.undo()
    assert library.query("SELECT decision FROM decisions") == [{"decision": "maybe"}]


def test_bad_decisions_are_refused_and_write_nothing(screening_library):
    library, ids = screening_library
    with pytest.raises(DecisionError, match="include, exclude, maybe"):
        decide(library, ids[0], "perhaps")
    with pytest.raises(DecisionError, match="no study 9999"):
        decide(library, 9999, "include")
    assert library.query("SELECT count(*) AS n FROM decisions") == [{"n": 0}]
    assert library.undo_label() == "Add test studies"


def test_protocol_edits_are_commands(library):
    assert get_protocol(library) == {"question": "", "inclusion": "", "exclusion": ""}
    set_protocol(library, question="Does CBT help?")
    set_protocol(library, inclusion="RCTs")
    assert get_protocol(library) == {"question": "Does CBT help?", "inclusion": "RCTs", "exclusion": ""}
    assert json.loads(_feedback(library, "protocol")[-1]["payload"]) == {"inclusion": {"before": "", "after": "RCTs"}}
    library.undo()
    assert get_protocol(library)["inclusion"] == ""
    library.undo()
    assert get_protocol(library)["question"] == ""


def test_status_counts_and_estimates(screening_library):
    library, ids = screening_library
    status = screening_status(library)
    assert status["screened"] == 0 and status["estimated_remaining"] is None and not status["suggested_stop"]
    decide(library, ids[0], "include")
    decide(library, ids[1], "exclude")
    decide(library, ids[2], "maybe")
    decide(library, ids[3], "exclude")
    status = screening_status(library)
    assert (status["screened"], status["included"], status["excluded"], status["maybe"], status["total"]) == (4, 1, 2, 1, len(ids))
    assert status["irrelevant_in_a_row"] == 1
    low, high = status["remaining_interval"]
    assert 0 <= low <= status["estimated_remaining"] <= high <= len(ids) - 4
    assert isinstance(status["suggested_stop"], bool) and status["stop_after"] >= 0
