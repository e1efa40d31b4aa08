"""Clustering with automatic k, nested subclusters, c-TF-IDF terms and names (pure logic, no model)."""

from __future__ import annotations

import numpy as np
from sklearn.preprocessing import normalize

from litreview.hierarchy.cluster import choose_partition, nested_clusters
from litreview.hierarchy.naming import NamingInput, acceptable_name, fallback_name, name_category
from litreview.hierarchy.vectors import class_terms, embed_texts
from tests.fakes import FakeEngine

TOPICS = {
    "migraine": "sumatriptan migraine headache attack triptan pain relief rizatriptan",
    "diabetes": "glucose insulin glyburide diabetes metformin glycaemic hba1c fasting",
    "software": "software engineering developers code requirements testing empirical defects",
}


def _texts(per_topic: int = 12, seed: int = 0) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(seed)
    texts, gold = [], []
    filler = "the and of we were in this a patients results study".split()
    for topic, words in TOPICS.items():
        vocab = words.split()
        for _ in range(per_topic):
            picked = list(rng.choice(vocab, size=6)) + list(rng.choice(filler, size=4))
            texts.append(" ".join(picked))
            gold.append(topic)
    return texts, gold


def test_choose_partition_finds_the_number_of_topics():
    texts, gold = _texts()
    space = embed_texts(texts)
    partition = choose_partition(space.vectors, k_min=2, k_max=8)
    assert partition.k == 3
    for c in range(3):
        assert len({gold[i] for i in np.flatnonzero(partition.labels == c)}) == 1
    assert np.bincount(partition.labels)[0] == max(np.bincount(partition.labels))  # cluster 0 is the largest


def test_choose_partition_refuses_what_cannot_be_split():
    assert choose_partition(np.zeros((10, 4))) is None
    assert choose_partition(normalize(np.ones((3, 4))), min_size=3) is None


def test_nested_clusters_do_not_split_a_uniform_cluster():
    rng = np.random.default_rng(1)
    words = "alpha beta gamma delta epsilon zeta eta theta".split()
    texts = [" ".join(rng.choice(words, size=8)) for _ in range(30)]
    top = choose_partition(normalize(rng.normal(size=(30, 5))), k_min=2, k_max=2)
    nodes = nested_clusters(texts, top, depth=3)
    assert len(nodes) == 2
    assert all(not node.children for node in nodes)


def test_nested_clusters_split_a_cluster_made_of_two_topics():
    texts, gold = _texts(per_topic=10)
    both = [i for i, g in enumerate(gold) if g in ("migraine", "diabetes")]
    texts = [texts[i] for i in both]
    labels = np.zeros(len(texts), dtype=int)
    from litreview.hierarchy.cluster import Partition

    nodes = nested_clusters(texts, Partition(labels, 1, 0.0), depth=2, min_split=8, min_child=4)
    assert len(nodes) == 1 and len(nodes[0].children) == 2
    groups = [{gold[both[i]] for i in child.members} for child in nodes[0].children]
    assert all(len(g) == 1 for g in groups)


def test_class_terms_characterise_each_cluster():
    texts, gold = _texts()
    space = embed_texts(texts)
    labels = np.array([list(TOPICS).index(g) for g in gold])
    terms = class_terms(space.counts, space.vocabulary, labels, top_n=4)
    for c, topic in enumerate(TOPICS):
        assert set(terms[c]) & set(TOPICS[topic].split())
        assert not set(terms[c]) & {"the", "and", "patients"}


def test_names_must_be_grounded_and_distinct():
    item = NamingInput(["sumatriptan", "migraine"], ["Sumatriptan for migraine"],
                       ["sumatriptan migraine attack"] * 5, taken=("Migraine treatment",))
    assert acceptable_name("Triptans for migraine", item)
    assert not acceptable_name("Migraine treatment", item)          # a sibling has it
    assert not acceptable_name("Category X", item)                  # nothing in the studies says so
    assert not acceptable_name("", item)
    assert fallback_name(["sumatriptan", "migraine", "attack"]) == "Sumatriptan, migraine, attack"
    assert fallback_name(["a1", "b2"], taken=("A1, b2",)) == "A1, b2 (2)"


def test_name_category_uses_the_model_or_falls_back():
    item = NamingInput(["glucose", "insulin", "glyburide"], ["Glyburide in type 2 diabetes"],
                       ["glucose insulin glyburide"] * 4)
    good = FakeEngine({"hierarchy.name": [{"name": "Glucose-lowering drugs",
                                           "description": "Trials of oral drugs that lower blood glucose."}]})
    named = name_category(good, item)
    assert (named.name, named.source) == ("Glucose-lowering drugs", "model")
    obeying = FakeEngine({"hierarchy.name": [{"name": "Category X", "description": "Everything goes here now."}]})
    named = name_category(obeying, item)
    assert named.source == "terms" and named.name == "Glucose, insulin, glyburide"
    broken = FakeEngine({"hierarchy.name": [FakeEngine.TRUNCATED]})
    assert name_category(broken, item).source == "terms"
    assert name_category(None, item).description.startswith("Studies whose titles and abstracts share")
