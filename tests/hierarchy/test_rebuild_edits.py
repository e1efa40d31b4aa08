"""A rebuild keeps every edit (issue 11's 100 % target): a test that makes EVERY kind of edit the app offers
(rename, move, assign, take-out, merge, split, reparent, lock a category, lock a placement, delete a Topic
category, delete a facet category, a new category with studies) and an answered suggestion, rebuilds, and checks
each one; and the build's basis, "included studies only". Real embeddings, a scripted model for the names."""

from __future__ import annotations

import pytest

from litreview.hierarchy import edits, suggestions, tree
from litreview.hierarchy.build import INCLUDED, build_hierarchy
from litreview.hierarchy.rebuild_plan import build_basis
from litreview.screening import decide
from tests.helpers.fake_engine import FakeEngine
from tests.helpers.mixtures import FIVE_TOPICS, rows_of_topics
from tests.helpers.studies import add_studies


def build(library, **kwargs):
    return build_hierarchy(library, FakeEngine(capability="small"), aspects=3, depth=2, **kwargs)


def tops(library, aspect_id: int) -> list[int]:
    return tree.children(tree.load_graph(library, tree.latest_hierarchy_id(library)), aspect_id)


def by_size(library, categories: list[int]) -> list[int]:
    return sorted(categories, key=lambda c: (-len(tree.studies_in(library, c)), c))


def test_every_kind_of_edit_survives_a_rebuild(library):
    add_studies(library, rows_of_topics(FIVE_TOPICS))
    report = build(library)
    topic = report.aspects[0].aspect_id
    a, b, c, d, e = by_size(library, tops(library, topic))[:5]
    checks: dict[str, object] = {}

    edits.rename_category(library, a, "Renamed by me")
    moved = tree.studies_in(library, b)[0]
    edits.move_study(library, moved, b, a)
    also = tree.studies_in(library, c)[0]
    edits.assign_study(library, also, b)
    taken_out = tree.studies_in(library, b)[1]
    edits.unassign_study(library, taken_out, b)
    merged_name, merged_studies = tree.category_row(library, d)["name"], tree.studies_in(library, d)
    edits.merge_categories(library, d, c)
    halves = tree.studies_in(library, c)
    split = edits.split_category(library, c, {"First half": halves[: len(halves) // 2],
                                              "Second half": halves[len(halves) // 2:]})
    mine = edits.new_category(library, topic, "My hand-made group")
    edits.assign_studies(library, tree.studies_in(library, e)[:2], mine)
    edits.reparent_category(library, mine, a)
    edits.set_locked(library, category_id=b)
    facets = [c for a in report.aspects[1:] for c in a.categories]
    facet, pinned_in = facets[0], facets[-1]["id"]
    assert facet["id"] != pinned_in
    pinned_study = tree.studies_in(library, pinned_in)[0]
    edits.set_locked(library, assignment=(pinned_study, pinned_in))
    gone_name, gone_studies = tree.category_row(library, e)["name"], tree.studies_in(library, e)
    edits.delete_category(library, e)
    edits.delete_category(library, facet["id"])

    kept = {cat: (tree.category_row(library, cat)["name"], tree.category_row(library, cat)["parent_id"],
                  tree.studies_in(library, cat)) for cat in (a, b, c, mine, *split)}

    build(library)

    for cat, (name, parent, studies) in kept.items():                               # rename, split, reparent,
        row = tree.category_row(library, cat)                                       # new category, lock, merge
        checks[f"category {name}"] = (row["name"], row["parent_id"], tree.studies_in(library, cat)) == \
            (name, parent, studies)
    checks["move"] = moved in tree.studies_in(library, a) and moved not in tree.studies_in(library, b)
    checks["assign"] = also in tree.studies_in(library, b)
    checks["take-out"] = taken_out not in tree.studies_in(library, b)
    names = [r["name"] for r in library.query("SELECT name FROM categories")]
    checks["merge"] = merged_name not in names and set(merged_studies) <= set(tree.studies_in(library, c))
    checks["delete (Topic)"] = gone_name not in names and all(
        len(set(tree.studies_in(library, t)) & set(gone_studies)) < len(gone_studies) / 2
        for t in tops(library, topic) if t not in kept)
    checks["delete (facet)"] = facet["name"] not in names
    pin = tree.assignment_row(library, pinned_study, pinned_in)
    checks["lock a placement"] = pin is not None and pin["label"] == 1 and pin["locked"] == 1
    survived = sum(bool(v) for v in checks.values())
    assert survived == len(checks), {k: v for k, v in checks.items() if not v}
    assert library.undo_label() == "Rebuild hierarchy"
    tree.validate(tree.load_graph(library, report.hierarchy_id))


def test_answered_suggestions_survive_a_rebuild_and_open_ones_are_withdrawn(library):
    add_studies(library, rows_of_topics(FIVE_TOPICS, 8))
    report = build(library)
    topic = report.aspects[0].aspect_id
    a, b = by_size(library, tops(library, topic))[:2]
    with suggestions.correcting(library, report.hierarchy_id):
        mine = edits.new_category(library, topic, "Mine")
        edits.move_study(library, tree.studies_in(library, a)[0], a, mine)
    offered = suggestions.open_rows(library, report.hierarchy_id)
    assert len(offered) >= 2
    suggestions.accept(library, [offered[0]["id"]])
    placed = tree.studies_in(library, mine)
    build(library)
    assert tree.studies_in(library, mine) == placed
    assert suggestions.open_rows(library, report.hierarchy_id) == []
    library.undo()                                                     # the rebuild's undo brings them back
    assert [r["id"] for r in suggestions.open_rows(library, report.hierarchy_id)] == [r["id"] for r in offered[1:]]


def test_included_only_builds_on_the_included_studies_and_a_rebuild_keeps_that_basis(library):
    ids = add_studies(library, rows_of_topics(FIVE_TOPICS, 6))
    included = ids[::2]
    for study in included:
        decide(library, study, "include")
    decide(library, ids[1], "exclude")
    basis = build_basis(library)
    assert (basis.included, basis.excluded, basis.studies) == (len(included), 1, len(ids) - 1)
    assert basis.words(included_only=True) == f"{len(included)} included studies"

    report = build(library, scope=INCLUDED)
    assert report.studies == len(included)
    placed = {s for a in report.aspects for c in a.categories for s in tree.studies_in(library, c["id"])}
    assert placed <= set(included)
    assert sorted(tree.scope_study_ids(library, report.hierarchy_id)) == sorted(included)
    assert set(tree.uncategorised(library, report.hierarchy_id, report.aspects[0].aspect_id)) <= set(included)

    again = build(library)                                              # no scope given: the basis stays
    assert again.studies == len(included)
    everything = build(library, scope="all")
    assert everything.studies == len(ids) - 1


def test_included_only_without_decisions_says_what_to_do(library):
    add_studies(library, rows_of_topics(FIVE_TOPICS, 2))
    with pytest.raises(tree.HierarchyError, match="no study is included yet"):
        build(library, scope=INCLUDED)
