"""Learning from corrections (issue 11): the learner fed by the feedback log, the suggestions it makes after a
correction, their answers, and new imports placed by the learned profiles. Real SQLite libraries and real
sentence embeddings (all-MiniLM-L6-v2) of dev_mixed studies; the hierarchy is written by hand as machine
placements so each test knows exactly what is wrong in it."""

from __future__ import annotations

import pytest

from litreview import feedback
from litreview.embeddings import load_encoder, study_vectors
from litreview.hierarchy import edits, learner, suggestions, tree
from litreview.hierarchy.build import assign_new_studies
from tests.helpers.hierarchies import make_hierarchy, table_dump
from tests.helpers.mixtures import read_mixture
from tests.helpers.studies import add_studies

TRIPTANS, SOFTWARE, RODENTS = ("Triptans for migraine", "Software engineering literature reviews",
                               "Rodent object-in-context recognition memory")


@pytest.fixture(scope="module")
def encoder():
    return load_encoder()


@pytest.fixture
def mixed(library, encoder):
    """10 studies of each of three reviews, embedded (the cache the build fills), and a machine-made hierarchy
    that swallowed the rodent studies: "Migraine" = triptans + rodents 0-3, "Software" = software + rodents 4-7;
    rodents 8-9 are not placed yet (imported after the build)."""
    rows = read_mixture()
    picked = {t: [r for r in rows if r["topic"] == t][:10] for t in (TRIPTANS, SOFTWARE, RODENTS)}
    ids = {t: add_studies(library, picked[t]) for t in picked}
    texts = [(s, f"{r['title']}. {r['abstract']}") for t in picked for s, r in zip(ids[t], picked[t])]
    study_vectors(library, texts, encoder)
    rodents = ids[RODENTS]
    spec = {"Topic": {"Migraine": {"_studies": ids[TRIPTANS] + rodents[:4]},
                      "Software": {"_studies": ids[SOFTWARE] + rodents[4:8]}}}
    names = make_hierarchy(library, spec)
    with library.command("Hierarchy settings") as cmd:
        cmd.update("hierarchies", names["_hierarchy"], {"settings": '{"vectors": "embeddings", '
                                                                    f'"aspect_kinds": {{"{names["Topic"]}": "clusters"}}}}'})
    return library, names, ids


def test_examples_come_from_the_log_and_user_assignments_include_answers(toy_hierarchy):
    library, ids, studies = toy_hierarchy
    s1, s2, s3, s4, s5, _ = studies
    edits.move_study(library, s5, ids["Software"], ids["Estrogens"])
    edits.merge_categories(library, ids["Safety"], ids["Efficacy"])
    examples = {(e.study_id, e.category_id): e for e in feedback.examples(library, ids["_hierarchy"])}
    assert examples[(s5, ids["Estrogens"])].verdict == 1 and examples[(s5, ids["Estrogens"])].individual
    assert examples[(s5, ids["Software"])].verdict == -1
    assert not examples[(s2, ids["Efficacy"])].individual          # carried along by the merge
    assert (s5, ids["Software"], -1) in feedback.user_assignments(library, ids["_hierarchy"])


def test_a_move_teaches_the_learner_and_its_suggestions_are_one_undo_step_with_it(mixed):
    library, names, ids = mixed
    hierarchy, rodents = names["_hierarchy"], ids[RODENTS]
    before = table_dump(library, ("categories", "assignments", "suggestions"))

    with suggestions.correcting(library, hierarchy):
        memory = edits.new_category(library, names["Topic"], "Memory in rodents")
        edits.move_study(library, rodents[0], names["Migraine"], memory)
    offered = suggestions.open_rows(library, hierarchy)
    offered_studies = {r["study_id"] for r in offered}
    assert offered_studies <= set(rodents[1:])        # only rodents (unplaced ones too), no triptan or software
    assert len(offered_studies) >= 4
    assert all(r["category_id"] == memory and r["state"] == "open" for r in offered)
    assert "the ones you moved to “Memory in rodents”" in offered[0]["reason"]
    assert suggestions.offers(library, hierarchy)[0].words().startswith(f"{len(offered)} studies look like the ones")
    assert library.undo_label() == "New category 'Memory in rodents'"   # ONE step, named after the correction

    library.undo()                                                   # the correction takes its suggestions away
    assert table_dump(library, ("categories", "assignments", "suggestions")) == before
    library.redo()
    assert {r["study_id"] for r in suggestions.open_rows(library, hierarchy)} == offered_studies


def test_accept_all_is_one_command_and_both_answers_are_feedback(mixed):
    library, names, ids = mixed
    hierarchy, rodents = names["_hierarchy"], ids[RODENTS]
    with suggestions.correcting(library, hierarchy):
        memory = edits.new_category(library, names["Topic"], "Memory")
        edits.move_study(library, rodents[0], names["Migraine"], memory)
    offered = suggestions.open_rows(library, hierarchy)
    refused, accepted = offered[0], offered[1:]
    before = table_dump(library, ("assignments", "suggestions"))

    suggestions.reject(library, [refused["id"]])
    assert library.undo_label() == "Reject suggestion"
    assert (refused["study_id"], memory, -1) in feedback.user_assignments(library, hierarchy)
    commands = library.conn.execute("SELECT count(*) FROM commands").fetchone()[0]
    assert suggestions.accept(library, [r["id"] for r in accepted]) == len(accepted)
    assert library.conn.execute("SELECT count(*) FROM commands").fetchone()[0] == commands + 1
    assert library.undo_label() == f"Accept {len(accepted)} suggestions"
    for row in accepted:
        assert row["study_id"] in tree.studies_in(library, memory)
        assert row["study_id"] not in tree.studies_in(library, row["from_category"])
        assert (row["study_id"], memory, 1) in feedback.user_assignments(library, hierarchy)
    assert suggestions.open_rows(library, hierarchy) == []

    # answered studies are the user's now: the learner never moves them, and never proposes the refused one again
    scores = learner.learn(library, hierarchy).aspect(names["Topic"])
    frozen = {s for s, f in zip(scores.study_ids, scores.frozen) if f}
    assert {r["study_id"] for r in offered} <= frozen
    assert all(m.study_id not in frozen for m in learner.learn(library, hierarchy).moves())

    library.undo()
    library.undo()
    assert table_dump(library, ("assignments", "suggestions")) == before


def test_locked_categories_and_placements_are_never_moved_nor_targets(mixed):
    library, names, ids = mixed
    hierarchy, rodents = names["_hierarchy"], ids[RODENTS]
    edits.set_locked(library, category_id=names["Software"])
    edits.set_locked(library, assignment=(rodents[1], names["Migraine"]))
    with suggestions.correcting(library, hierarchy):
        memory = edits.new_category(library, names["Topic"], "Memory")
        edits.move_study(library, rodents[0], names["Migraine"], memory)
    moved = {m.study_id for m in learner.learn(library, hierarchy).moves()}
    assert moved and moved <= {*rodents[2:4], *rodents[8:]}   # not the locked placement, nothing out of "Software"
    assert all(m.to_category != names["Software"] for m in learner.learn(library, hierarchy).moves())


def test_deleting_a_category_takes_its_suggestions_along_and_undo_brings_both_back(mixed):
    library, names, ids = mixed
    hierarchy = names["_hierarchy"]
    with suggestions.correcting(library, hierarchy):
        memory = edits.new_category(library, names["Topic"], "Memory")
        edits.move_study(library, ids[RODENTS][0], names["Migraine"], memory)
    before = table_dump(library, ("categories", "assignments", "suggestions"))
    assert before["suggestions"]
    edits.delete_category(library, memory)
    assert suggestions.open_rows(library, hierarchy) == []
    library.undo()
    assert table_dump(library, ("categories", "assignments", "suggestions")) == before


def test_a_rename_or_a_refused_edit_offers_nothing(mixed):
    library, names, ids = mixed
    hierarchy = names["_hierarchy"]
    with suggestions.correcting(library, hierarchy):
        edits.rename_category(library, names["Migraine"], "Headache")
    assert suggestions.open_rows(library, hierarchy) == [] and library.undo_label() == "Rename 'Migraine' to 'Headache'"
    with pytest.raises(tree.HierarchyError), suggestions.correcting(library, hierarchy):
        edits.move_study(library, ids[TRIPTANS][0], names["Software"], names["Migraine"])
    assert library.undo_label() == "Rename 'Migraine' to 'Headache'"


def test_new_imports_are_placed_by_the_learned_profiles(mixed):
    """Two rodent studies the user put into "Memory" outweigh the machine's eight scattered ones: the rodent
    studies imported after the build go to "Memory", not to where most rodents were machine-placed."""
    library, names, ids = mixed
    hierarchy, rodents = names["_hierarchy"], ids[RODENTS]
    memory = edits.new_category(library, names["Topic"], "Memory")
    edits.move_study(library, rodents[0], names["Migraine"], memory)
    edits.move_study(library, rodents[4], names["Software"], memory)
    result = assign_new_studies(library, None, hierarchy)
    assert set(result["studies"]) == set(rodents[8:])
    for study in rodents[8:]:
        assert study in tree.studies_in(library, memory)


def test_rescoring_takes_well_under_a_second(mixed):
    library, names, _ = mixed
    assert learner.learn(library, names["_hierarchy"]).seconds < 1.0


def test_without_vectors_the_learner_stays_quiet_and_the_correction_stands_alone(toy_hierarchy):
    library, ids, studies = toy_hierarchy          # no vectors in this library: nothing to learn from
    assert learner.learn(library, ids["_hierarchy"]).moves() == []
    with suggestions.correcting(library, ids["_hierarchy"]):
        edits.move_study(library, studies[4], ids["Software"], ids["Estrogens"])
    assert library.undo_label() == "Move study to 'Estrogens'"
    assert suggestions.open_rows(library, ids["_hierarchy"]) == []
