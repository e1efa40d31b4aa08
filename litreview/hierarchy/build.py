"""Build a hierarchy: aspects → categories (≤ 3 deep) → verified multi-label assignments, as undoable commands.

Stages, each reported through ``progress`` and stoppable between items through ``cancel``:

1. **Plan aspects** (``aspects``): Topic clusters for every model; rules + findings clusters for a small
   model, TnT-LLM proposals for a capable one.
2. **Name** (``naming``): the model names and describes every clustered category, grounded in the members.
3. **Assign** (``assign``): calibrated scores, optional ``choose``, verification, multi-label decision.
4. **Write**: one command per aspect ("Build hierarchy: Topic"), so a build can be undone aspect by aspect.

A **rebuild** works in place on the library's latest hierarchy, so ids the user's edits refer to stay valid:
categories the user edited or locked (and their ancestors), and assignments made by the user or locked, are
kept exactly (``litreview.feedback``'s readers say which); everything else the previous build made is
removed in one command ("Clear previous build"). Kept categories take part in the new build: a new cluster
that mostly repeats a kept category is dropped in its favour, and studies the user took out of a category
are never put back (``tree.write_assignment`` refuses it).

**Incremental**: ``assign_new_studies`` places studies imported after the build into the existing tree,
scored against the categories' current members, without touching anything else.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from litreview import feedback
from litreview.hierarchy import aspects as aspect_plans
from litreview.hierarchy import tree
from litreview.hierarchy.aspects import (
    DESIGN_RULES,
    POPULATION_RULES,
    AspectDraft,
    CategoryDraft,
    cluster_aspect,
    fill_terms,
    findings_texts,
    propose_taxonomy,
    proposed_aspect,
    rule_aspect,
)
from litreview.hierarchy.assign import AssignmentResult, CategoryProfile, Decision, assign
from litreview.hierarchy.naming import NamingInput, name_category
from litreview.hierarchy.vectors import embed_texts
from litreview.jobs import CancelToken, ProgressCallback, ProgressEvent, no_progress
from litreview.llm.engine import LlmError

TOPIC = "Topic"
STATS = "stats"
KEEP_OVERLAP = 0.5   # a new cluster sharing this share of its studies with a kept category is that category
MERGE_COSINE = 0.9   # categories whose centroids are this close are near-duplicates
MIN_STUDIES = 2      # a category needs at least this many studies (its primary ones) to stand
CENTRAL_TITLES = 6


@dataclass
class AspectReport:
    aspect_id: int
    name: str
    kind: str
    categories: list[dict[str, Any]]      # top level: id, name, description, studies, name_source, children
    uncategorised: list[int]              # study ids
    stats_primary: dict[int, int | None]  # study id -> top category id statistics alone chose (for the bench)


@dataclass
class BuildReport:
    hierarchy_id: int
    aspects: list[AspectReport] = field(default_factory=list)
    studies: int = 0
    seconds: float = 0.0
    kept_categories: int = 0


@dataclass
class _Corpus:
    ids: list[int]
    texts: list[str]          # title + abstract + claims: what statistics see
    model_texts: list[str]    # title + abstract: what the model reads in choose / verify
    titles: list[str]
    claims: list[list[str]]
    abstracts: list[str]

    def index(self) -> dict[int, int]:
        return {s: i for i, s in enumerate(self.ids)}


# -- public API --------------------------------------------------------------------------------------------------
def build_hierarchy(library, engine, *, aspects: int = 5, depth: int = tree.MAX_DEPTH,
                    hierarchy_id: int | None = None, progress: ProgressCallback = no_progress,
                    cancel: CancelToken | None = None) -> BuildReport:
    """Build (or rebuild in place) the library's hierarchy and return what was made."""
    with library.step("Build hierarchy"):  # the whole build is one undo step
        return _build(library, engine, aspects=aspects, depth=depth, hierarchy_id=hierarchy_id, progress=progress,
                      cancel=cancel)


def _build(library, engine, *, aspects: int, depth: int, hierarchy_id: int | None, progress: ProgressCallback,
           cancel: CancelToken | None) -> BuildReport:
    started = time.perf_counter()
    aspects = max(1, min(aspects, aspect_plans.MAX_ASPECTS))
    depth = max(1, min(depth, tree.MAX_DEPTH))
    corpus = _corpus(library, None)
    if len(corpus.ids) < 4:
        raise tree.HierarchyError("a hierarchy needs at least 4 studies with a title or abstract")
    check = cancel.check if cancel is not None else (lambda: None)
    hierarchy_id = hierarchy_id if hierarchy_id is not None else tree.latest_hierarchy_id(library)
    settings = {"aspects": aspects, "depth": depth, "model": getattr(engine, "name", None),
                "capability": getattr(engine, "capability", None)}
    if hierarchy_id is None:
        with library.command("Build hierarchy") as cmd:
            hierarchy_id = cmd.insert("hierarchies", {"name": "Hierarchy", "settings": json.dumps(settings),
                                                      "model": settings["model"]})
        previous: dict[int, list[int]] = {}
    else:
        previous = _clear_previous_build(library, hierarchy_id, settings)
    report = BuildReport(hierarchy_id, studies=len(corpus.ids), kept_categories=len(previous))

    progress(ProgressEvent("hierarchy.plan", 0, aspects, "planning aspects"))
    drafts = _plan(engine, corpus, aspects, depth, check, cancel)
    for done, draft in enumerate(drafts):
        check()
        progress(ProgressEvent("hierarchy.aspects", done, len(drafts), draft.name))
        report.aspects.append(_build_aspect(library, engine, hierarchy_id, draft, corpus, previous, position=done,
                                            progress=progress, cancel=cancel))
    progress(ProgressEvent("hierarchy.aspects", len(drafts), len(drafts), "done"))
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def assign_new_studies(library, engine, hierarchy_id: int, *, progress: ProgressCallback = no_progress,
                       cancel: CancelToken | None = None) -> dict[str, Any]:
    """Place studies that have no assignment row in the hierarchy yet into its existing categories (one
    command). Each aspect scores them against its top categories' current members; rule aspects apply their
    rules. Returns {"studies": [ids], "assigned": n pairs, "uncategorised": {aspect name: [ids]}}."""
    graph = tree.load_graph(library, hierarchy_id)
    in_scope = tree.scope_study_ids(library, hierarchy_id)
    seen = {r[0] for r in library.conn.execute(
        "SELECT DISTINCT a.study_id FROM assignments a JOIN categories c ON c.id = a.category_id "
        "WHERE c.hierarchy_id = ?", (hierarchy_id,))}
    new_ids = [s for s in in_scope if s not in seen]
    result: dict[str, Any] = {"studies": new_ids, "assigned": 0, "uncategorised": {}}
    if not new_ids:
        return result
    corpus = _corpus(library, sorted(set(in_scope)))
    index = corpus.index()
    new_rows = [index[s] for s in new_ids if s in index]
    kinds = json.loads(library.conn.execute("SELECT settings FROM hierarchies WHERE id = ?",
                                            (hierarchy_id,)).fetchone()[0] or "{}").get("aspect_kinds", {})
    plans = []
    for aspect_id in tree.aspect_ids(graph):
        if cancel is not None:
            cancel.check()
        tops = tree.children(graph, aspect_id)
        if not tops:
            continue
        kind = kinds.get(str(aspect_id), "clusters")
        profiles = [CategoryProfile(c, graph.nodes[c]["name"], graph.nodes[c]["description"],
                                    [index[s] for s in tree.studies_in(library, c) if s in index],
                                    bool(graph.nodes[c]["locked"])) for c in tops]
        if kind == "rules":
            plans.append((aspect_id, _rule_decisions(profiles, corpus, new_rows), None))
            continue
        texts = _aspect_texts(kind, corpus, graph, aspect_id)
        space = embed_texts(texts)
        described = space.project([f"{p.name}. {p.description}" for p in profiles])
        outcome = assign(space.vectors, profiles, texts=corpus.model_texts, engine=engine, described=described,
                         only=new_rows, progress=progress, cancel=cancel, stage="hierarchy.assign_new")
        plans.append((aspect_id, [(d.study, d.key, d.label, d.score, d.source) for d in outcome.decisions],
                      space.vectors))
    with library.command(f"Assign {len(new_ids)} new stud{'y' if len(new_ids) == 1 else 'ies'}") as cmd:
        for aspect_id, decisions, vectors in plans:
            assigned = set()
            for row, key, label, score, source in decisions:
                target = _descend(library, graph, key, row, vectors, index) \
                    if vectors is not None and label == 1 else key
                if _write(cmd, library, corpus.ids[row], target, score, source, label, graph):
                    result["assigned"] += label
                    assigned.add(row)
            missing = [corpus.ids[r] for r in new_rows if r not in assigned]
            result["uncategorised"][graph.nodes[aspect_id]["name"]] = missing
        tree.checked_graph(library, hierarchy_id)
    return result


# -- planning -------------------------------------------------------------------------------------------------
def _plan(engine, corpus: _Corpus, aspects: int, depth: int, check, cancel) -> list[AspectDraft]:
    """The aspect drafts, Topic first; the capability of the engine picks where the other aspects come from."""
    topic = cluster_aspect(TOPIC, "What the studies are about, from the words of their titles, abstracts and "
                                  "findings.", corpus.texts, depth=depth, cancel_check=check)
    drafts = [topic] if topic is not None else []
    if topic is not None:
        fill_terms(topic)
    if aspects == 1:
        return drafts
    capable = engine is not None and getattr(engine, "capability", "small") == "capable"
    if capable:
        summaries = _summaries(corpus, topic)
        try:
            proposals = propose_taxonomy(engine, summaries, max_aspects=aspects - len(drafts), cancel=cancel)
        except LlmError:  # cut off or unparseable even after the retry: the statistical aspects stand in
            proposals = []
        drafts += [proposed_aspect(p, corpus.texts) for p in proposals]
        if len(drafts) > 1:
            return drafts[:aspects]
    design = rule_aspect("Study design", "How the studies were done.", DESIGN_RULES, corpus.model_texts)
    population = rule_aspect("Population", "Whom or what the studies studied.", POPULATION_RULES,
                             corpus.model_texts)
    drafts += [d for d in (design, population) if d is not None]
    if len(drafts) < aspects and topic is not None:
        topic_terms = {t for c in topic.categories for t in c.terms}
        texts = findings_texts(corpus.claims, corpus.abstracts, topic_terms)
        findings = cluster_aspect("Findings", "What the studies found, grouped without the words of their topic.",
                                  texts, depth=1, cancel_check=check)
        if findings is not None:
            fill_terms(findings)
            drafts.append(findings)
    return drafts[:aspects]


def _summaries(corpus: _Corpus, topic: AspectDraft | None) -> list[str]:
    """Study summaries for the taxonomy loop, interleaved across topic clusters so every batch is diverse."""
    groups = [c.members for c in topic.categories] if topic is not None else [list(range(len(corpus.ids)))]
    order: list[int] = []
    for rank in range(max(len(g) for g in groups)):
        order += [g[rank] for g in groups if rank < len(g)]
    return [(corpus.titles[i] + (f" Finding: {corpus.claims[i][0]}" if corpus.claims[i] else ""))[:300]
            for i in order]


# -- one aspect ----------------------------------------------------------------------------------------------
def _build_aspect(library, engine, hierarchy_id: int, draft: AspectDraft, corpus: _Corpus,
                  previous: dict[int, list[int]], *, position: int, progress: ProgressCallback,
                  cancel: CancelToken | None) -> AspectReport:
    graph = tree.load_graph(library, hierarchy_id)
    index = corpus.index()
    aspect_id = _existing_aspect(graph, draft.name)
    kept = _kept_drafts(library, graph, aspect_id, index, previous) if aspect_id is not None else []
    draft.categories = _drop_repeats(draft.categories, kept)
    space = draft.space or embed_texts(draft.texts)
    if draft.kind == "proposed":
        _seed_members(draft, space)
    if draft.kind != "rules":
        draft.categories = refine(draft.categories, kept, space.vectors)
    _name_tree(engine, draft, kept, corpus, space, progress, cancel)
    categories = kept + draft.categories
    profiles = [CategoryProfile(i, c.name, c.description, list(c.members), c.existing_id is not None and
                                _is_locked(graph, c.existing_id)) for i, c in enumerate(categories)]
    rejected = _rejections(library, hierarchy_id, index, categories)
    described = space.project([f"{c.name}. {c.description}" for c in categories])
    if draft.kind == "rules":
        outcome = _rule_outcome(draft, kept, len(corpus.ids))
    else:
        outcome = assign(space.vectors, profiles, texts=corpus.model_texts, engine=engine, rejected=rejected,
                         described=described, progress=progress, cancel=cancel,
                         stage=f"hierarchy.assign.{draft.kind}")
    with library.command(f"Build hierarchy: {draft.name}") as cmd:
        if aspect_id is None:
            aspect_id = cmd.insert("categories", {"hierarchy_id": hierarchy_id, "parent_id": None, "name": draft.name,
                                                  "description": draft.description, "position": position})
        ids = _insert_categories(cmd, hierarchy_id, aspect_id, categories)
        graph = tree.load_graph(library, hierarchy_id)
        for d in outcome.decisions:
            if profiles[d.key].fixed:
                continue
            category = categories[d.key]
            target = ids[id(_leaf_for(category, d.study, space.vectors) if d.label == 1 else category)]
            _write(cmd, library, corpus.ids[d.study], target, d.score, d.source, d.label, graph)
        _store_kind(cmd, library, hierarchy_id, aspect_id, draft.kind)
        tree.checked_graph(library, hierarchy_id)
    uncategorised = tree.uncategorised(library, hierarchy_id, aspect_id)
    stats_primary = {corpus.ids[i]: (ids[id(categories[k])] if k is not None else None)
                     for i, k in enumerate(outcome.stats_primary)} if outcome.stats_primary else {}
    return AspectReport(aspect_id, draft.name, draft.kind, _describe(library, categories, ids), uncategorised,
                        stats_primary)


def _name_tree(engine, draft: AspectDraft, kept: list[CategoryDraft], corpus: _Corpus, space, progress,
               cancel) -> None:
    """Name every unnamed draft, top level first, siblings kept distinct (kept categories' names included)."""
    todo: list[tuple[CategoryDraft, list[CategoryDraft], str | None]] = []

    def collect(siblings: list[CategoryDraft], parent: str | None, extra: list[CategoryDraft]) -> None:
        for category in siblings:
            todo.append((category, extra + siblings, parent))

    collect(draft.categories, None, kept)
    done = 0
    while done < len(todo):
        if cancel is not None:
            cancel.check()
        category, siblings, parent = todo[done]
        if not category.name:
            taken = tuple(s.name for s in siblings if s is not category and s.name)
            item = NamingInput(category.terms, _central_titles(category.members, space.vectors, corpus.titles),
                               [corpus.texts[i] for i in category.members], parent, taken)
            result = name_category(engine, item, cancel=cancel)
            category.name, category.description, category.name_source = result.name, result.description, result.source
        if category.children:
            collect(category.children, category.name, [])
        done += 1
        progress(ProgressEvent("hierarchy.name", done, len(todo), category.name))


def _central_titles(members: list[int], vectors: np.ndarray, titles: list[str]) -> list[str]:
    if not members:
        return []
    block = vectors[members]
    centre = block.mean(axis=0)
    order = np.argsort(-(block @ centre))[:CENTRAL_TITLES]
    return [titles[members[i]] for i in order if titles[members[i]]]


def _seed_members(draft: AspectDraft, space) -> None:
    """Model-proposed categories start with the studies nearest to their description, so that assignment can
    calibrate on them like on clusters (one round of self-training)."""
    described = space.project([f"{c.name}. {c.description}" for c in draft.categories])
    sims = space.vectors @ described.T
    best = np.argmax(sims, axis=1)
    for j, category in enumerate(draft.categories):
        category.members = [int(i) for i in np.flatnonzero((best == j) & (sims[:, j] > 0))]


def _leaf_for(category: CategoryDraft, row: int, vectors: np.ndarray) -> CategoryDraft:
    """The deepest sub-category whose centroid is nearest the study (children partition their parent)."""
    current = category
    while current.children:
        current = _nearest_child(current, row, vectors)
    return current


def _nearest_child(category: CategoryDraft, row: int, vectors: np.ndarray) -> CategoryDraft:
    scores = []
    for child in category.children:
        members = [m for m in child.members if m != row] or child.members
        scores.append(float(vectors[row] @ vectors[members].mean(axis=0)) if members else -1.0)
    return category.children[int(np.argmax(scores))]


def refine(new: list[CategoryDraft], kept: list[CategoryDraft], vectors: np.ndarray) -> list[CategoryDraft]:
    """CHIME/TopicGPT-style refinement on the statistics alone, before anything is named or stored:
    near-duplicate categories merged (centroid cosine >= MERGE_COSINE), categories that end up with fewer than
    MIN_STUDIES studies once every study goes to its best category removed (an outlier is not a topic: its
    study is placed elsewhere or listed as uncategorised), and in every sub-tree empty children removed and a
    parent left with a single child flattened."""
    new = _merge_near_duplicates(new, vectors)
    for _ in range(3):
        profiles = [CategoryProfile(i, "", "", list(c.members)) for i, c in enumerate(kept + new)]
        outcome = assign(vectors, profiles)
        counts = np.zeros(len(profiles), dtype=int)
        for d in outcome.decisions:
            if d.primary:
                counts[d.key] += 1
        small = [j for j in range(len(kept), len(profiles)) if counts[j] < MIN_STUDIES]
        if not small or len(profiles) - len(small) < 2:
            break
        new = [c for j, c in enumerate(new) if len(kept) + j not in small]
    primaries = {}
    for d in outcome.decisions:
        if d.primary:
            primaries.setdefault(d.key, []).append(d.study)
    for j, category in enumerate(new):
        _prune_children(category, primaries.get(len(kept) + j, []), vectors)
    return new


def _merge_near_duplicates(categories: list[CategoryDraft], vectors: np.ndarray) -> list[CategoryDraft]:
    out: list[CategoryDraft] = []
    for category in sorted(categories, key=lambda c: -len(c.members)):
        centre = vectors[category.members].mean(axis=0) if category.members else None
        twin = None
        for other in out:
            if centre is None or not other.members:
                continue
            other_centre = vectors[other.members].mean(axis=0)
            denominator = np.linalg.norm(centre) * np.linalg.norm(other_centre)
            if denominator and float(centre @ other_centre) / denominator >= MERGE_COSINE:
                twin = other
                break
        if twin is None:
            out.append(category)
        else:
            twin.members = sorted(set(twin.members) | set(category.members))
            twin.children = []  # the merged sub-trees no longer partition the whole; keep the merged category flat
    return out


def _prune_children(category: CategoryDraft, studies: list[int], vectors: np.ndarray) -> None:
    if not category.children:
        return
    placed: dict[int, list[int]] = {}
    for row in studies:
        placed.setdefault(id(_nearest_child(category, row, vectors)), []).append(row)
    category.children = [c for c in category.children if placed.get(id(c))]
    if len(category.children) < 2:
        category.children = []
        return
    for child in category.children:
        _prune_children(child, placed[id(child)], vectors)


# -- rules ---------------------------------------------------------------------------------------------------
def _rule_outcome(draft: AspectDraft, kept: list[CategoryDraft], n: int) -> AssignmentResult:
    """Rules decide alone (no similarity, no model): a match is an assignment, the first match the primary."""
    decisions = []
    primary: list[int | None] = [None] * n
    offset = len(kept)
    for j, category in enumerate(draft.categories):
        for i in category.members:
            first = primary[i] is None
            if first:
                primary[i] = offset + j
            decisions.append(Decision(i, offset + j, 1, 1.0, first, "rules"))
    uncategorised = [i for i in range(n) if primary[i] is None]
    return AssignmentResult(decisions, np.zeros((n, 0)), primary, uncategorised)


def _rule_decisions(profiles: list[CategoryProfile], corpus: _Corpus,
                    rows: list[int]) -> list[tuple[int, int, int, float, str]]:
    rules = {tree.name_key(name): patterns for name, _, patterns in DESIGN_RULES + POPULATION_RULES}
    out = []
    for profile in profiles:
        patterns = rules.get(tree.name_key(profile.name))
        if patterns is None or profile.fixed:
            continue
        compiled = [re.compile(p, re.IGNORECASE) for p in patterns]
        for row in rows:
            if any(p.search(corpus.model_texts[row]) for p in compiled):
                out.append((row, profile.key, 1, 1.0, "rules"))
    return out


# -- rebuild: what is kept -------------------------------------------------------------------------------------
def _clear_previous_build(library, hierarchy_id: int, settings: dict) -> dict[int, list[int]]:
    """Remove what the previous build made, keeping user-edited/locked categories and user/locked assignments.
    Returns the kept categories' studies as they were before (their machine-made rows go too, but the new
    build needs to know which of its clusters each kept category stands for)."""
    graph = tree.load_graph(library, hierarchy_id)
    keep = feedback.protected_categories(library, hierarchy_id)
    before = {c: tree.studies_in(library, c) for c in keep if graph.nodes[c]["parent_id"] is not None}
    kept_rows = {r["id"] for r in feedback.protected_assignments(library, hierarchy_id)}
    rows = library.query("SELECT a.id, c.locked FROM assignments a JOIN categories c ON "
                         "c.id = a.category_id WHERE c.hierarchy_id = ?", (hierarchy_id,))
    kept_rows |= {r["id"] for r in rows if r["locked"]}  # a locked category is kept as it is, studies included
    doomed_categories = sorted((n for n in graph.nodes if n not in keep),
                               key=lambda n: -(graph.nodes[n]["depth"] or 0))
    with library.command("Clear previous build") as cmd:
        for row in rows:
            if row["id"] not in kept_rows:
                cmd.delete("assignments", row["id"])
        for node in doomed_categories:
            cmd.delete("categories", node)
        cmd.update("hierarchies", hierarchy_id, {"settings": json.dumps(settings), "model": settings["model"]})
        remaining = tree.load_graph(library, hierarchy_id)
        kept_studies = {r[0] for r in library.conn.execute(
            "SELECT DISTINCT a.study_id FROM assignments a JOIN categories c ON c.id = a.category_id "
            "WHERE c.hierarchy_id = ?", (hierarchy_id,))}
        for study in kept_studies:
            for aspect_id in tree.aspect_ids(remaining):
                tree.reconcile(cmd, library, study, aspect_id, remaining)
        tree.checked_graph(library, hierarchy_id)
    return before


def _existing_aspect(graph, name: str) -> int | None:
    key = tree.name_key(name)
    for aspect_id in tree.aspect_ids(graph):
        if tree.name_key(graph.nodes[aspect_id]["name"]) == key:
            return aspect_id
    return None


def _kept_drafts(library, graph, aspect_id: int, index: dict[int, int],
                 previous: dict[int, list[int]]) -> list[CategoryDraft]:
    """The kept top categories of an aspect as drafts (with their sub-trees); members: their studies before the
    rebuild, and the studies assigned to them now (the user's own rows)."""

    def make(node: int) -> CategoryDraft:
        data = graph.nodes[node]
        studies = set(previous.get(node, [])) | set(tree.studies_in(library, node))
        members = sorted(index[s] for s in studies if s in index)
        draft = CategoryDraft(members, data["terms"], data["name"], data["description"], "user", existing_id=node)
        draft.children = [make(c) for c in tree.children(graph, node)]
        return draft

    return [make(c) for c in tree.children(graph, aspect_id)]


def _drop_repeats(new: list[CategoryDraft], kept: list[CategoryDraft]) -> list[CategoryDraft]:
    """New top categories that mostly repeat a kept one are dropped: the user's version stands, and takes the
    dropped cluster's studies as members for assignment."""
    out = []
    for category in new:
        members = set(category.members)
        twin = next((k for k in kept if members and len(members & set(k.members)) >= KEEP_OVERLAP * len(members)),
                    None)
        if twin is None:
            out.append(category)
        else:
            twin.members = sorted(set(twin.members) | members)
    return out


def _is_locked(graph, category_id: int) -> bool:
    return bool(graph.nodes[category_id]["locked"]) if category_id in graph else False


def _rejections(library, hierarchy_id: int, index: dict[int, int], categories: list[CategoryDraft]) -> set:
    """(study row, category position) pairs the user took out (feedback), for the kept categories."""
    position = {c.existing_id: j for j, c in enumerate(categories) if c.existing_id is not None}
    out = set()
    for study_id, category_id, verdict in feedback.user_assignments(library, hierarchy_id):
        if verdict < 0 and category_id in position and study_id in index:
            out.add((index[study_id], position[category_id]))
    return out


# -- writing ---------------------------------------------------------------------------------------------------
def _insert_categories(cmd, hierarchy_id: int, aspect_id: int, categories: list[CategoryDraft]) -> dict[int, int]:
    """Insert new drafts (kept ones already exist); returns id(draft) -> category id for every draft."""
    ids: dict[int, int] = {}

    def put(draft: CategoryDraft, parent_id: int, position: int) -> None:
        if draft.existing_id is not None:
            ids[id(draft)] = draft.existing_id
        else:
            ids[id(draft)] = cmd.insert("categories", {
                "hierarchy_id": hierarchy_id, "parent_id": parent_id, "name": draft.name,
                "description": draft.description, "position": position, "terms": json.dumps(draft.terms)})
        for child_position, child in enumerate(draft.children):
            put(child, ids[id(draft)], child_position)

    for position, draft in enumerate(categories):
        put(draft, aspect_id, position)
    return ids


def _write(cmd, library, study_id: int, category_id: int, score: float, source: str, label: int, graph) -> bool:
    return tree.write_assignment(cmd, library, study_id, category_id, score=score, source=source, label=label,
                                 graph=graph)


def _store_kind(cmd, library, hierarchy_id: int, aspect_id: int, kind: str) -> None:
    """Remember how each aspect was made, so new studies are placed the same way (rules vs. similarity)."""
    row = library.conn.execute("SELECT settings FROM hierarchies WHERE id = ?", (hierarchy_id,)).fetchone()
    settings = json.loads(row[0] or "{}")
    settings.setdefault("aspect_kinds", {})[str(aspect_id)] = kind
    cmd.update("hierarchies", hierarchy_id, {"settings": json.dumps(settings)})


def _describe(library, categories: list[CategoryDraft], ids: dict[int, int]) -> list[dict[str, Any]]:
    def one(category: CategoryDraft) -> dict[str, Any]:
        category_id = ids[id(category)]
        return {"id": category_id, "name": category.name, "description": category.description,
                "name_source": category.name_source, "studies": len(tree.studies_in(library, category_id)),
                "terms": category.terms[:8], "children": [one(c) for c in category.children]}

    return [one(c) for c in categories]


def _descend(library, graph, key: int, row: int, vectors: np.ndarray, index: dict[int, int]) -> int:
    """For a new study placed in a top category: go down to the sub-category whose members it is nearest."""
    current = key
    while True:
        kids = tree.children(graph, current)
        if not kids:
            return current
        scores = []
        for kid in kids:
            members = [index[s] for s in tree.studies_in(library, kid) if s in index and index[s] != row]
            scores.append(float(vectors[row] @ vectors[members].mean(axis=0)) if members else -1.0)
        if max(scores) < 0:
            return current
        current = kids[int(np.argmax(scores))]


# -- reading the studies -----------------------------------------------------------------------------------------
def _corpus(library, study_ids: list[int] | None) -> _Corpus:
    """The studies in scope (not excluded by screening) with some text, and their claims."""
    if study_ids is None:
        rows = library.query("SELECT id, title, abstract FROM studies WHERE id NOT IN "
                             "(SELECT study_id FROM decisions WHERE decision = 'exclude') ORDER BY id")
    else:
        marks = ",".join("?" * len(study_ids)) or "NULL"
        rows = library.query(f"SELECT id, title, abstract FROM studies WHERE id IN ({marks}) ORDER BY id", study_ids)
    claims: dict[int, list[str]] = {}
    for study_id, text in library.conn.execute("SELECT study_id, text FROM claims ORDER BY study_id, position"):
        claims.setdefault(study_id, []).append(text)
    corpus = _Corpus([], [], [], [], [], [])
    for row in rows:
        title, abstract = (row["title"] or "").strip(), (row["abstract"] or "").strip()
        if not title and not abstract:
            continue
        study_claims = claims.get(row["id"], [])
        corpus.ids.append(row["id"])
        corpus.titles.append(title)
        corpus.abstracts.append(abstract)
        corpus.claims.append(study_claims)
        corpus.model_texts.append(f"{title}. {abstract}".strip())
        corpus.texts.append(" ".join([title, title, abstract, *study_claims]))
    return corpus


def _aspect_texts(kind: str, corpus: _Corpus, graph, aspect_id: int) -> list[str]:
    if tree.name_key(graph.nodes[aspect_id]["name"]) == tree.name_key("Findings"):
        terms = {t for c in graph.nodes for t in graph.nodes[c].get("terms", [])}
        return findings_texts(corpus.claims, corpus.abstracts, terms)
    return corpus.texts
