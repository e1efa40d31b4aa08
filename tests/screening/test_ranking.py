"""Ranking: cold start (BM25 on the protocol, or file order), ties, empty abstracts, the switch to active learning."""

from __future__ import annotations

import numpy as np

from litreview.screening import Ranker, decide, next_study, set_protocol
from litreview.screening.features import bm25_scores, tfidf_matrix
from litreview.screening.model import ActiveLearner, order_by_score


def test_without_protocol_or_decisions_the_order_is_the_import_order(screening_library):
    library, ids = screening_library
    ranker = Ranker(library)
    assert ranker.rank() == ids
    assert ranker.mode == "file order"


def test_cold_start_ranks_by_bm25_on_the_question_and_inclusion_criteria(screening_library):
    library, ids = screening_library
    set_protocol(library, question="Does therapy reduce anxiety?", inclusion="randomised trials in adults",
                 exclusion="protein folding, soil")
    ranker = Ranker(library)
    ranking = ranker.rank()
    assert ranker.mode == "bm25"
    assert set(ranking[:3]) == {ids[0], ids[2], ids[4]}  # the three anxiety/therapy studies
    assert ranking[0] == ids[0]  # the randomised trial in adults matches most words
    assert set(ranking) == set(ids)


def test_ties_keep_import_order():
    scores = np.array([1.0, 2.0, 1.0, 2.0, 0.0])
    assert list(order_by_score(scores, np.arange(5))) == [1, 3, 0, 2, 4]


def test_empty_abstracts_and_empty_texts_are_ranked_not_dropped():
    texts = ["anxiety therapy", "", "  ", "soil nitrogen"]
    X = tfidf_matrix(texts)
    assert X.shape[0] == 4
    assert list(bm25_scores(texts, "anxiety"))[1:3] == [0.0, 0.0]
    assert tfidf_matrix(["", ""]).shape[0] == 2  # nothing to learn from, but no crash
    learner = ActiveLearner(X)
    scores = learner.scores(np.array([0, 3]), np.array([1, 0]))
    assert scores.shape == (4,) and np.all(np.isfinite(scores))


def test_first_include_and_exclude_switch_to_active_learning(screening_library):
    library, ids = screening_library
    ranker = Ranker(library)
    decide(library, ids[0], "include")
    ranking = ranker.rank()
    assert ranker.mode == "bm25"  # one include: BM25 on what was included, no classifier yet
    assert ids[0] not in ranking and ranking[0] in {ids[2], ids[4]}
    decide(library, ids[1], "exclude")
    ranking = ranker.rank()
    assert ranker.mode == "active"
    assert ids[1] not in ranking and len(ranking) == len(ids) - 2
    assert ranking[0] == ids[2]  # the other anxiety trial; soil, bridges and proteins last
    assert next_study(library) == ids[2]


def test_maybe_is_screened_but_not_learned_from(screening_library):
    library, ids = screening_library
    decide(library, ids[0], "maybe")
    ranker = Ranker(library)
    assert ids[0] not in ranker.rank()
    assert ranker.mode == "file order"


def test_new_studies_are_picked_up_by_an_existing_ranker(screening_library):
    from tests.helpers.studies import add_screening_studies

    library, ids = screening_library
    ranker = Ranker(library)
    assert len(ranker.rank()) == len(ids)
    cache = library.folder / "cache" / "screening-tfidf.npz"
    assert cache.exists()  # the matrix is kept, so the next process does not re-vectorise
    before = cache.read_bytes()
    assert Ranker(library).rank() == ranker.rank() and cache.read_bytes() == before
    new = add_screening_studies(library, [("Yoga for anxiety", "")])
    assert new[0] in ranker.rank()
    assert cache.read_bytes() != before  # rebuilt for the new record set


def test_an_empty_library_has_nothing_to_screen(library):
    assert Ranker(library).rank() == []
    assert next_study(library) is None


def _blank_collection():
    """Two topics and three records with no words at all (row 6, 7, 8)."""
    texts = (["anxiety therapy randomised trial"] * 3 + ["soil nitrogen field study"] * 3 + [""] * 3
             + ["bridge steel fatigue"] * 40)
    return tfidf_matrix(texts)


def test_blank_records_wait_while_the_ranking_still_finds_relevant_ones():
    learner = ActiveLearner(_blank_collection())
    scores = learner.scores(np.array([0, 3, 1]), np.array([1, 0, 1]))  # two includes in three: a hot streak
    assert order_by_score(scores, np.array([2, 4, 5, 6, 7, 8]))[0] == 2


def test_blank_records_go_first_once_the_ranking_finds_less_than_the_base_rate():
    learner = ActiveLearner(_blank_collection())
    screened = np.array([0, 1, 2, 3, 4, 5] + list(range(9, 29)))  # every topic record, then 20 bridges in a row
    labels = np.array([1, 1, 1, 0, 0, 0] + [0] * 20)
    scores = learner.scores(screened, labels)
    unscreened = np.setdiff1d(np.arange(49), screened)
    assert set(order_by_score(scores, unscreened)[:3]) == {6, 7, 8}
    # ELAS alone (the bench baseline) leaves them at the classifier's intercept
    baseline = ActiveLearner(_blank_collection(), blank_rule=False).scores(screened, labels)
    assert baseline[6] == baseline[7] == baseline[8] < scores[6]


def test_a_screened_blank_record_teaches_the_classifier_nothing():
    learner = ActiveLearner(_blank_collection())
    screened = np.array([0, 1, 2, 3, 4, 5] + list(range(9, 29)))
    labels = np.array([1, 1, 1, 0, 0, 0] + [0] * 20)
    before = learner.scores(screened, labels)
    after = learner.scores(np.append(screened, 6), np.append(labels, 0))
    readable = np.r_[29:49]
    assert np.allclose(before[readable], after[readable])  # a zero row would only have moved the intercept
    # the blank records' odds stay the collection's base rate (the leave-one-dataset-out choice: no update)
    assert learner.blank_relevance(np.append(screened, 6), np.append(labels, 0)) == 3 / 49
    assert learner.blank_relevance(screened, labels) == 3 / 49
