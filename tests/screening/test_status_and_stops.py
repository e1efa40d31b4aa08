"""Status, the rule that applies and its evidence, recorded stops (the rule's or the reviewer's), the random check,
settings, and the methods paragraph: on real libraries, through the core's commands."""

from __future__ import annotations

import json

import pytest

import litreview
from litreview.cli import main
from litreview.errors import InputError
from litreview.screening import (
    DecisionError,
    Ranker,
    cancel_random_check,
    decide,
    excluded_by_automation,
    methods_paragraph,
    random_check,
    screening_status,
    set_stopping_settings,
    snapshot,
    start_random_check,
    stop_screening,
    stopping_settings,
)
from tests.helpers.studies import add_screening_studies


def _collection(library, n: int, relevant: int) -> list[int]:
    """``relevant`` anxiety-therapy trials among ``n - relevant`` records on other topics."""
    topics = ["soil nitrogen in alpine meadows", "bridge corrosion sensors", "compiler loop unrolling",
              "coral reef bleaching", "battery ageing in buses", "finch song dialects"]
    studies = [(f"Therapy for anxiety trial {i}", "Adults with anxiety randomised to therapy.") for i in range(relevant)]
    studies += [(f"{topics[i % len(topics)].capitalize()} study {i}", f"We report on {topics[i % len(topics)]}.")
                for i in range(n - relevant)]
    return add_screening_studies(library, studies)


def _screen(library, ids, labels):
    for study_id, label in zip(ids, labels):
        decide(library, study_id, "include" if label else "exclude")


def test_status_counts_and_the_estimate_as_information(screening_library):
    library, ids = screening_library
    status = screening_status(library)
    assert status["screened"] == 0 and status["estimated_remaining"] is None and not status["suggested_stop"]
    assert status["rule"] == "random_sample" and status["random_sample_offer"] == len(ids)
    decide(library, ids[0], "include")
    decide(library, ids[1], "exclude")
    decide(library, ids[2], "maybe")
    decide(library, ids[3], "exclude")
    status = screening_status(library)
    assert (status["screened"], status["included"], status["excluded"], status["maybe"], status["total"]) == (
        4, 1, 2, 1, len(ids))
    assert status["records_since_last_include"] == 1  # maybe counts as relevant: the rule stays careful
    assert status["rule"] == "ranked" and status["rule_name"].startswith("Callaghan")
    assert 0 < status["p_value"] <= 1 and status["target_recall"] == status["confidence"] == 0.95
    low, high = status["remaining_interval"]
    assert 0 <= low <= status["estimated_remaining"] <= high <= len(ids) - 4
    assert status["stop_after"] > 0 and "keep screening" in status["stop_note"]


def test_a_review_with_one_relevant_record(library):
    ids = _collection(library, 200, 1)
    ranker = Ranker(library)
    decide(library, ids[0], "include")
    decide(library, ids[1], "exclude")
    for _ in range(120):  # screen what the ranking offers, as a reviewer would
        decide(library, ranker.rank()[0], "exclude")
    status = screening_status(library)
    assert status["rule"] == "ranked" and not status["suggested_stop"]
    assert status["records_since_last_include"] == 121
    # 1 found: H0 is "one more is left among the 78"; 121 quiet records are not yet enough
    assert status["stop_after"] > 0 and status["p_value"] > 0.05
    while not screening_status(library)["suggested_stop"]:
        decide(library, ranker.rank()[0], "exclude")
    status = screening_status(library)
    assert status["p_value"] < 0.05 and status["unscreened"] > 0 and "safe to stop" in status["stop_note"]
    stop = stop_screening(library)
    assert stop["chosen_by"] == "rule" and stop["evidence"]["p_value"] < 0.05
    assert len(excluded_by_automation(library)) == status["unscreened"]
    text = methods_paragraph(library)
    assert "when the criterion rejected the hypothesis that recall was below 95 %" in text
    assert f"{status['unscreened']} records not screened were excluded by automation" in text


def test_a_review_with_no_relevant_record_says_so_clearly(library, capsys):
    ids = _collection(library, 60, 0)
    _screen(library, ids[:20], [0] * 20)
    status = screening_status(library)
    assert status["rule"] == "random_sample" and not status["suggested_stop"]
    assert status["estimated_remaining"] is None and status["random_sample_offer"] == 38  # 95 % of the 40 left
    assert "no relevant record found yet" in status["stop_note"] and "38 random records" in status["stop_note"]
    assert main(["--library", str(library.folder), "screen", "status"]) == 0
    assert "no relevant record found yet" in capsys.readouterr().out
    assert main(["--library", str(library.folder), "screen", "status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["p_value"] == 1.0
    stop = stop_screening(library)
    assert stop["chosen_by"] == "user"
    assert "Screening stopped" in methods_paragraph(library)


def test_an_empty_library_has_nothing_to_stop(library):
    status = screening_status(library)
    assert status["total"] == 0 and status["stop_note"] == "no records yet: import some to screen"
    with pytest.raises(DecisionError, match="nothing to screen"):
        stop_screening(library)


def test_a_user_may_stop_before_the_rule_allows_and_it_is_recorded_as_their_choice(library):
    ids = _collection(library, 100, 10)
    _screen(library, ids[:30], [1] * 10 + [0] * 20)
    status = screening_status(library)
    assert not status["suggested_stop"]
    with pytest.raises(DecisionError, match="does not allow stopping yet.*your own choice"):
        stop_screening(library, chosen_by="rule")
    stop = stop_screening(library)
    assert stop["chosen_by"] == "user" and stop["screened"] == 30 and stop["total"] == 100
    assert (stop["target"], stop["confidence"]) == (0.95, 0.95)
    assert stop["rule"].startswith("Callaghan") and "ranked sample" in stop["rule"]
    evidence = stop["evidence"]
    assert evidence["records_since_last_include"] == 20 and evidence["p_value"] == status["p_value"]
    assert evidence["version"] == litreview.__version__ and "linear SVM" in evidence["ranker"]
    assert library.undo_label() == "Stop title/abstract screening (by the reviewers' choice)"
    assert screening_status(library)["stopped"]["chosen_by"] == "user"
    assert len(excluded_by_automation(library)) == 70
    text = methods_paragraph(library)
    assert "by the reviewers' decision before the criterion was met" in text and "30 of 100 records" in text
    assert "70 records not screened were excluded by automation" in text and litreview.__version__ in text
    library.undo()
    assert screening_status(library)["stopped"] is None and excluded_by_automation(library) == []


def test_target_and_confidence_are_per_library_settings(library):
    assert stopping_settings(library) == (0.95, 0.95)
    assert set_stopping_settings(library, target=90) == (0.9, 0.95)
    assert library.undo_label() == "Set the stopping target recall to 90 %"
    set_stopping_settings(library, confidence=0.99)
    assert screening_status(library)["target_recall"] == 0.9 and screening_status(library)["confidence"] == 0.99
    with pytest.raises(InputError, match="between 50 % and 99.9 %"):
        set_stopping_settings(library, target=0.3)
    library.undo()
    assert stopping_settings(library) == (0.9, 0.95)


def test_a_lower_target_lets_the_rule_stop_sooner(library):
    ids = _collection(library, 400, 20)
    _screen(library, ids[:140], [1] * 20 + [0] * 120)
    strict = screening_status(library)
    set_stopping_settings(library, target=0.8)
    loose = screening_status(library)
    assert loose["p_value"] < strict["p_value"] and loose["stop_after"] < strict["stop_after"]


def test_the_random_check_shows_random_records_first_and_can_allow_the_stop(library):
    ids = _collection(library, 120, 0)
    _screen(library, ids[:10], [0] * 10)
    offer = screening_status(library)["random_sample_offer"]
    state = start_random_check(library, seed=3)
    assert sorted(state["order"]) == ids[10:] and state["urn"] == 110 and state["found_before"] == 0
    with pytest.raises(DecisionError, match="already running"):
        start_random_check(library)
    ranker = Ranker(library)
    first = ranker.rank()
    assert ranker.mode == "random check" and first[:offer] == state["order"][:offer]
    for study_id in state["order"][:offer - 1]:
        decide(library, study_id, "exclude")
    status = screening_status(library)
    assert status["rule"] == "random_sample" and not status["suggested_stop"]
    assert status["random_check"]["sampled"] == offer - 1 and status["random_check"]["to_go"] == 1
    decide(library, state["order"][offer - 1], "exclude")
    status = screening_status(library)
    assert status["suggested_stop"] and status["stop_allowed_by"] == "random_sample"
    assert stop_screening(library)["chosen_by"] == "rule"
    library.undo()
    cancel_random_check(library)
    assert random_check(library) is None and Ranker(library).rank()[0] not in state["order"][:offer]
    library.undo()
    assert random_check(library) is not None


def test_a_snapshot_holds_queue_status_and_curve_for_either_stage(library):
    ids = _collection(library, 30, 3)
    _screen(library, ids[:4], [1, 1, 0, 0])
    view = snapshot(library)
    assert view.stage == "title_abstract" and view.mode == "active" and len(view.queue) == 26
    assert view.recall_labels == [1, 1, 0, 0] and view.status["screened"] == 4
    decide(library, ids[1], "include", stage="full_text")
    full = snapshot(library, stage="full_text")
    assert full.queue == [ids[0]] and full.status["total"] == 2 and full.status["screened"] == 1
    assert full.status["sought"] == 1  # decided at full text; ids[0] has no file and no decision yet
