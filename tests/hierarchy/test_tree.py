"""The hierarchy's storage rules: graph view, validation, ancestor-consistent assignments, respected rejections."""

from __future__ import annotations

import networkx as nx
import pytest

from litreview.hierarchy import tree
from litreview.hierarchy.tree import HierarchyError


def test_load_graph_gives_a_validated_forest_with_depths(toy_hierarchy):
    library, ids, _ = toy_hierarchy
    graph = tree.load_graph(library, ids["_hierarchy"])
    tree.validate(graph)
    assert graph.graph["hierarchy_id"] == ids["_hierarchy"]
    assert tree.aspect_ids(graph) == [ids["Intervention"], ids["Outcome"]]
    node = graph.nodes[ids["Oral triptans"]]
    assert (node["depth"], node["aspect_id"], node["name"]) == (3, ids["Intervention"], "Oral triptans")
    assert graph.has_edge(ids["Triptans"], ids["Oral triptans"])
    assert nx.is_forest(graph)
    assert tree.latest_hierarchy_id(library) == ids["_hierarchy"]


def test_category_path_names_from_the_aspect_down(toy_hierarchy):
    library, ids, _ = toy_hierarchy
    assert tree.category_path(library, ids["Oral triptans"]) == ["Intervention", "Drugs", "Triptans", "Oral triptans"]


def test_leaf_assignment_stores_every_ancestor_below_the_aspect(toy_hierarchy):
    library, ids, studies = toy_hierarchy
    s1 = studies[0]
    assert s1 in tree.studies_in(library, ids["Oral triptans"])
    assert s1 in tree.studies_in(library, ids["Triptans"])
    assert s1 in tree.studies_in(library, ids["Drugs"])
    assert not library.query("SELECT 1 FROM assignments WHERE category_id = ?", (ids["Intervention"],))
    rows = {r["category_id"]: r for r in library.query("SELECT * FROM assignments WHERE study_id = ?", (s1,))}
    assert rows[ids["Oral triptans"]]["implied"] == 0
    assert rows[ids["Triptans"]]["implied"] == rows[ids["Drugs"]]["implied"] == 1
    paths = [c["path"] for c in tree.categories_of(library, s1, ids["_hierarchy"])]
    assert paths == [["Intervention", "Drugs"], ["Intervention", "Drugs", "Triptans"],
                     ["Intervention", "Drugs", "Triptans", "Oral triptans"], ["Outcome", "Efficacy"]]


def test_a_directly_assigned_parent_stays_direct(toy_hierarchy):
    library, ids, studies = toy_hierarchy
    row = tree.assignment_row(library, studies[2], ids["Triptans"])      # s3: put in Triptans itself
    assert (row["label"], row["implied"]) == (1, 0)


def test_uncategorised_lists_studies_outside_an_aspect(toy_hierarchy):
    library, ids, studies = toy_hierarchy
    assert tree.uncategorised(library, ids["_hierarchy"], ids["Intervention"]) == [studies[5]]
    assert tree.uncategorised(library, ids["_hierarchy"], ids["Outcome"]) == [studies[3], studies[5]]
    with pytest.raises(HierarchyError):
        tree.uncategorised(library, ids["_hierarchy"], ids["Drugs"])


def test_machine_writes_respect_rejections_and_user_rows(toy_hierarchy):
    library, ids, studies = toy_hierarchy
    s6 = studies[5]
    with library.command("user rejects") as cmd:
        assert tree.write_assignment(cmd, library, s6, ids["Drugs"], score=None, source="user", label=0)
    with library.command("machine build") as cmd:
        # below a rejected category, and on the rejected category itself: skipped
        assert not tree.write_assignment(cmd, library, s6, ids["Estrogens"], score=0.9, source="gemma")
        assert not tree.write_assignment(cmd, library, s6, ids["Drugs"], score=0.9, source="gemma")
        # a user row is never overwritten by a machine
        assert tree.write_assignment(cmd, library, s6, ids["Software"], score=None, source="user")
        assert not tree.write_assignment(cmd, library, s6, ids["Software"], score=0.1, source="gemma", label=0)
    assert tree.studies_in(library, ids["Estrogens"]) == [studies[3]]
    assert tree.assignment_row(library, s6, ids["Software"])["source"] == "user"


def test_rejecting_a_category_takes_the_study_out_of_its_children_and_implied_parents(toy_hierarchy):
    library, ids, studies = toy_hierarchy
    s1 = studies[0]
    with library.command("reject") as cmd:
        tree.write_assignment(cmd, library, s1, ids["Oral triptans"], score=0.1, source="verifier", label=0)
    assert s1 not in tree.studies_in(library, ids["Oral triptans"])
    assert s1 not in tree.studies_in(library, ids["Triptans"])     # was implied only
    assert s1 not in tree.studies_in(library, ids["Drugs"])
    assert tree.assignment_row(library, s1, ids["Oral triptans"])["label"] == 0


def test_assignments_to_an_aspect_are_refused(toy_hierarchy):
    library, ids, studies = toy_hierarchy
    with pytest.raises(HierarchyError, match="aspect"):
        with library.command("bad") as cmd:
            tree.write_assignment(cmd, library, studies[0], ids["Outcome"], score=1.0, source="user")


def _graph(edges: list[tuple[int | None, int, str]]) -> nx.DiGraph:
    graph = nx.DiGraph(hierarchy_id=1)
    for parent, node, name in edges:
        graph.add_node(node, name=name, description="", parent_id=parent, position=0, locked=0, user_edited=0)
    for parent, node, _ in edges:
        if parent is not None:
            graph.add_edge(parent, node)
    for node in graph.nodes:
        graph.nodes[node]["depth"], graph.nodes[node]["aspect_id"] = tree._depth_and_aspect(graph, node)
    return graph


def test_validate_rejects_cycles_depth_and_duplicate_siblings():
    tree.validate(_graph([(None, 1, "A"), (1, 2, "x"), (2, 3, "y"), (3, 4, "z")]))
    with pytest.raises(HierarchyError, match="at most 3 levels"):
        tree.validate(_graph([(None, 1, "A"), (1, 2, "x"), (2, 3, "y"), (3, 4, "z"), (4, 5, "w")]))
    with pytest.raises(HierarchyError, match="inside itself"):
        tree.validate(_graph([(None, 1, "A"), (3, 2, "x"), (2, 3, "y")]))
    with pytest.raises(HierarchyError, match="both be called"):
        tree.validate(_graph([(None, 1, "A"), (1, 2, "Drugs"), (1, 3, " drugs ")]))
    with pytest.raises(HierarchyError, match="both be called"):
        tree.validate(_graph([(None, 1, "A"), (None, 2, "a")]))
    with pytest.raises(HierarchyError, match="not part of this hierarchy"):
        tree.validate(_graph([(None, 1, "A"), (99, 2, "x")]))
