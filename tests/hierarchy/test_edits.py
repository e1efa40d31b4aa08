"""User corrections: each is one command that undoes and redoes to the exact database state, logs feedback
(retracted on undo), keeps ancestors consistent and refuses edits that would break the tree."""

from __future__ import annotations

import pytest

from litreview import feedback
from litreview.hierarchy import edits, tree
from litreview.hierarchy.tree import HierarchyError
from tests.helpers.hierarchies import table_dump


def _active_feedback(library):
    return library.query("SELECT kind, study_id, category_id, payload FROM feedback WHERE retracted = 0 ORDER BY id")


def _roundtrip(library, edit):
    """Run ``edit``; check undo restores the exact tables and retracts feedback, redo restores the edited state."""
    before = table_dump(library)
    feedback_before = len(_active_feedback(library))
    result = edit()
    after = table_dump(library)
    assert after != before
    new_feedback = _active_feedback(library)[feedback_before:]
    assert len(new_feedback) == 1
    assert library.undo() is not None
    assert table_dump(library) == before
    assert len(_active_feedback(library)) == feedback_before
    assert library.redo() is not None
    assert table_dump(library) == after
    assert _active_feedback(library)[feedback_before:] == new_feedback
    tree.checked_graph(library, tree.latest_hierarchy_id(library))
    return result, new_feedback[0]


def test_move_study_drag_keeps_ancestors_consistent_and_undoes_exactly(toy_hierarchy):
    library, ids, studies = toy_hierarchy
    s1 = studies[0]
    _, event = _roundtrip(library, lambda: edits.move_study(library, s1, ids["Oral triptans"], ids["Estrogens"]))
    assert event["kind"] == feedback.MOVE_STUDY
    assert s1 in tree.studies_in(library, ids["Estrogens"])
    assert s1 in tree.studies_in(library, ids["Drugs"])            # still implied by Estrogens
    assert s1 not in tree.studies_in(library, ids["Triptans"])     # implied only by Oral triptans: gone
    assert s1 not in tree.studies_in(library, ids["Oral triptans"])
    moved_out = tree.assignment_row(library, s1, ids["Oral triptans"])
    assert (moved_out["label"], moved_out["source"]) == (0, "user")
    moved_in = tree.assignment_row(library, s1, ids["Estrogens"])
    assert (moved_in["label"], moved_in["source"], moved_in["implied"]) == (1, "user", 0)
    assert (s1, ids["Oral triptans"], -1) in feedback.user_assignments(library, ids["_hierarchy"])
    assert (s1, ids["Estrogens"], 1) in feedback.user_assignments(library, ids["_hierarchy"])


def test_move_to_another_branch_and_to_a_parent(toy_hierarchy):
    library, ids, studies = toy_hierarchy
    s1, s3 = studies[0], studies[2]
    edits.move_study(library, s1, ids["Oral triptans"], ids["Software"])
    assert [c["name"] for c in tree.categories_of(library, s1, ids["_hierarchy"])] == ["Software", "Efficacy"]
    edits.move_study(library, s3, ids["Triptans"], ids["Drugs"])
    assert [c["name"] for c in tree.categories_of(library, s3, ids["_hierarchy"])] == ["Drugs", "Efficacy"]


def test_move_refuses_studies_not_in_the_source_and_aspects_as_targets(toy_hierarchy):
    library, ids, studies = toy_hierarchy
    before = table_dump(library)
    with pytest.raises(HierarchyError, match="not in"):
        edits.move_study(library, studies[5], ids["Software"], ids["Drugs"])
    with pytest.raises(HierarchyError, match="aspect"):
        edits.move_study(library, studies[0], ids["Oral triptans"], ids["Outcome"])
    assert table_dump(library) == before


def test_assign_and_unassign(toy_hierarchy):
    library, ids, studies = toy_hierarchy
    s6 = studies[5]
    _, event = _roundtrip(library, lambda: edits.assign_study(library, s6, ids["Oral triptans"]))
    assert event["kind"] == feedback.ASSIGN_STUDY
    assert s6 in tree.studies_in(library, ids["Drugs"])
    _, event = _roundtrip(library, lambda: edits.unassign_study(library, s6, ids["Drugs"]))
    assert event["kind"] == feedback.UNASSIGN_STUDY
    for name in ("Drugs", "Triptans", "Oral triptans"):
        assert s6 not in tree.studies_in(library, ids[name])
    assert (s6, ids["Drugs"], -1) in feedback.user_assignments(library, ids["_hierarchy"])


def test_rename_marks_user_edited_and_logs_old_and_new(toy_hierarchy):
    library, ids, _ = toy_hierarchy
    _, event = _roundtrip(library, lambda: edits.rename_category(library, ids["Drugs"], "  Medicines ", "Drug studies"))
    row = tree.category_row(library, ids["Drugs"])
    assert (row["name"], row["description"], row["user_edited"]) == ("Medicines", "Drug studies", 1)
    assert '"old": "Drugs"' in event["payload"] and '"new": "Medicines"' in event["payload"]
    assert [r["id"] for r in feedback.renamed_or_locked(library, ids["_hierarchy"])] == [ids["Drugs"]]


def test_rename_without_a_description_clears_the_generated_one(toy_hierarchy):
    library, ids, _ = toy_hierarchy
    assert tree.category_row(library, ids["Software"])["description"] == "About Software"
    edits.rename_category(library, ids["Software"], "Tools for teaching")
    row = tree.category_row(library, ids["Software"])
    assert (row["name"], row["description"], row["name_source"]) == ("Tools for teaching", "", "user")
    library.undo()
    row = tree.category_row(library, ids["Software"])
    assert (row["name"], row["description"]) == ("Software", "About Software")


def test_rename_to_a_sibling_name_is_refused_and_changes_nothing(toy_hierarchy):
    library, ids, _ = toy_hierarchy
    before = table_dump(library)
    commands_before = library.query("SELECT * FROM commands")
    with pytest.raises(HierarchyError, match="both be called"):
        edits.rename_category(library, ids["Software"], "drugs")
    with pytest.raises(HierarchyError):
        edits.rename_category(library, ids["Software"], "   ")
    assert table_dump(library) == before
    assert library.query("SELECT * FROM commands") == commands_before


def test_new_category_and_new_aspect(toy_hierarchy):
    library, ids, _ = toy_hierarchy
    new_id, event = _roundtrip(library, lambda: edits.new_category(library, ids["Drugs"], "Antidiabetics"))
    assert event["kind"] == feedback.NEW_CATEGORY
    assert tree.category_path(library, new_id) == ["Intervention", "Drugs", "Antidiabetics"]
    aspect = edits.new_category(library, None, "Population", hierarchy_id=ids["_hierarchy"])
    assert tree.category_row(library, aspect)["parent_id"] is None
    with pytest.raises(HierarchyError, match="at most 3 levels"):
        edits.new_category(library, ids["Oral triptans"], "Too deep")


def test_delete_category_removes_subtree_and_undo_restores_it(toy_hierarchy):
    library, ids, studies = toy_hierarchy
    _, event = _roundtrip(library, lambda: edits.delete_category(library, ids["Triptans"]))
    assert event["kind"] == feedback.DELETE_CATEGORY
    names = {r["name"] for r in library.query("SELECT name FROM categories")}
    assert "Triptans" not in names and "Oral triptans" not in names
    # s1..s3 were in Drugs only through Triptans: no longer
    assert tree.studies_in(library, ids["Drugs"]) == [studies[3]]
    assert [(d["name"], d["path"]) for d in feedback.deleted_categories(library, ids["_hierarchy"])] == \
        [("Triptans", ["Intervention", "Drugs", "Triptans"])]
    library.undo()
    assert feedback.deleted_categories(library, ids["_hierarchy"]) == []


def test_reparent_moves_studies_with_the_subtree_and_refuses_cycles(toy_hierarchy):
    library, ids, studies = toy_hierarchy
    before = table_dump(library)
    with pytest.raises(HierarchyError, match="inside itself"):
        edits.reparent_category(library, ids["Drugs"], ids["Oral triptans"])
    with pytest.raises(HierarchyError, match="at most 3 levels"):
        edits.reparent_category(library, ids["Triptans"], ids["Estrogens"])
    assert table_dump(library) == before
    _, event = _roundtrip(library, lambda: edits.reparent_category(library, ids["Triptans"], ids["Software"]))
    assert event["kind"] == feedback.REPARENT_CATEGORY
    assert tree.category_path(library, ids["Oral triptans"]) == ["Intervention", "Software", "Triptans", "Oral triptans"]
    assert tree.studies_in(library, ids["Drugs"]) == [studies[3]]
    assert tree.studies_in(library, ids["Software"]) == studies[:3] + [studies[4]]


def test_reparent_into_another_aspect(toy_hierarchy):
    library, ids, studies = toy_hierarchy
    edits.reparent_category(library, ids["Estrogens"], ids["Safety"])
    assert tree.category_path(library, ids["Estrogens"]) == ["Outcome", "Safety", "Estrogens"]
    assert studies[3] in tree.studies_in(library, ids["Safety"])
    assert studies[3] not in tree.studies_in(library, ids["Drugs"])


def test_merge_moves_studies_and_children(toy_hierarchy):
    library, ids, studies = toy_hierarchy
    _, event = _roundtrip(library, lambda: edits.merge_categories(library, ids["Estrogens"], ids["Software"]))
    assert event["kind"] == feedback.MERGE_CATEGORIES
    assert tree.studies_in(library, ids["Software"]) == [studies[3], studies[4]]
    assert tree.studies_in(library, ids["Drugs"]) == studies[:3]
    edits.merge_categories(library, ids["Triptans"], ids["Software"])
    assert tree.category_path(library, ids["Oral triptans"]) == ["Intervention", "Software", "Oral triptans"]
    assert set(tree.studies_in(library, ids["Software"])) == set(studies[:5])
    assert tree.studies_in(library, ids["Drugs"]) == []
    with pytest.raises(HierarchyError, match="one branch"):
        edits.merge_categories(library, ids["Oral triptans"], ids["Software"])


def test_split_creates_subcategories(toy_hierarchy):
    library, ids, studies = toy_hierarchy
    s1, s3, s5 = studies[0], studies[2], studies[4]
    new_ids, event = _roundtrip(library, lambda: edits.split_category(
        library, ids["Efficacy"], {"Pain relief": [s1, s3], "Productivity": [s5]}))
    assert event["kind"] == feedback.SPLIT_CATEGORY
    assert [tree.studies_in(library, n) for n in new_ids] == [[s1, s3], [s5]]
    assert tree.studies_in(library, ids["Efficacy"]) == [s1, s3, s5]
    assert tree.assignment_row(library, s1, ids["Efficacy"])["implied"] == 1
    with pytest.raises(HierarchyError, match="not in"):
        edits.split_category(library, ids["Safety"], {"X": [s5]})


def test_locks_and_protected_sets(toy_hierarchy):
    library, ids, studies = toy_hierarchy
    _roundtrip(library, lambda: edits.set_locked(library, category_id=ids["Estrogens"]))
    _roundtrip(library, lambda: edits.set_locked(library, assignment=(studies[4], ids["Software"])))
    assert tree.category_row(library, ids["Estrogens"])["locked"] == 1
    protected = feedback.protected_categories(library, ids["_hierarchy"])
    assert {ids["Estrogens"], ids["Drugs"], ids["Intervention"], ids["Software"]} <= protected
    assert [(r["study_id"], r["category_id"]) for r in feedback.protected_assignments(library, ids["_hierarchy"])] \
        == [(studies[4], ids["Software"])]
    with pytest.raises(HierarchyError):
        edits.set_locked(library, assignment=(studies[5], ids["Software"]))


def test_undone_corrections_are_not_learned(toy_hierarchy):
    library, ids, studies = toy_hierarchy
    edits.assign_study(library, studies[5], ids["Safety"])
    assert feedback.user_assignments(library, ids["_hierarchy"]) == [(studies[5], ids["Safety"], 1)]
    library.undo()
    assert feedback.user_assignments(library, ids["_hierarchy"]) == []


def test_reorder_siblings_and_promote_to_aspect(toy_hierarchy):
    library, ids, studies = toy_hierarchy
    graph = lambda: tree.load_graph(library, ids["_hierarchy"])  # noqa: E731
    _roundtrip(library, lambda: edits.reparent_category(library, ids["Software"], ids["Intervention"], position=0))
    assert tree.children(graph(), ids["Intervention"]) == [ids["Software"], ids["Drugs"]]
    _roundtrip(library, lambda: edits.reparent_category(library, ids["Triptans"], None, position=1))
    assert tree.aspect_ids(graph()) == [ids["Intervention"], ids["Triptans"], ids["Outcome"]]
    assert not library.query("SELECT * FROM assignments WHERE category_id = ?", (ids["Triptans"],))
    assert tree.studies_in(library, ids["Oral triptans"]) == studies[:2]
    assert tree.studies_in(library, ids["Drugs"]) == [studies[3]]


def test_delete_an_aspect(toy_hierarchy):
    library, ids, _ = toy_hierarchy
    _roundtrip(library, lambda: edits.delete_category(library, ids["Outcome"]))
    assert tree.aspect_ids(tree.load_graph(library, ids["_hierarchy"])) == [ids["Intervention"]]


def test_moving_a_selection_is_one_command(toy_hierarchy):
    library, ids, studies = toy_hierarchy
    s1, s2 = studies[:2]
    before = table_dump(library)
    edits.move_studies(library, [s1, s2], ids["Oral triptans"], ids["Software"])
    assert tree.studies_in(library, ids["Software"]) == [s1, s2, studies[4]]
    assert [r["kind"] for r in _active_feedback(library)] == [feedback.MOVE_STUDY] * 2
    assert library.undo().label == "Move 2 studies to 'Software'"
    assert table_dump(library) == before
    with pytest.raises(HierarchyError, match="not in"):
        edits.move_studies(library, [s1, studies[5]], ids["Oral triptans"], ids["Software"])
    assert table_dump(library) == before
