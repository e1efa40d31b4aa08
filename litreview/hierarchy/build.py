"""Build a hierarchy: aspects → categories (≤ 3 deep) → multi-label assignments, computed first, written once.

Stages, each reported through ``progress`` (stage names below) and stoppable through ``cancel``:

1. ``hierarchy.embeddings``: sentence vectors of title + abstract (cached per study; TF-IDF when the embedding
   model cannot be loaded, and the report says so).
2. ``hierarchy.structure``: Topic clusters with k and splits chosen by the data (``cluster``); facets from
   explicit evidence (``aspects``).
3. ``hierarchy.name``: names and descriptions (``naming``), the model's where it gives a valid, grounded one.
4. ``hierarchy.assign``: calibrated statistical assignment (``assign``).
5. ``hierarchy.write``: everything above lands in ONE command ("Build hierarchy"), so a build is one undo step
   and a cancelled, failed or killed build leaves the previous hierarchy exactly as it was: nothing of the
   hierarchy is written before the last stage, and that stage is one transaction.

A **rebuild** replaces the library's latest hierarchy in place, so ids the user's edits refer to stay valid:

* a category the user created, renamed, moved, merged into, split or locked is kept with its whole sub-tree, all
  of their studies and its place; a new cluster that mostly repeats it is dropped in its favour;
* categories that only hold a user's or locked assignment, and the ancestors of kept categories, are kept in
  place (their machine-made rows are made again);
* a category the user deleted is not made again under the same parent: a new category with its path of names,
  or made mostly of the studies it held, is dropped;
* studies the user took out of a category are never put back (``tree.write_assignment`` refuses it);
* if the hierarchy was edited while the rebuild computed, the swap is refused and nothing changes.

Model failures are counted per stage (``model_calls``); names made without the model are stored with
``name_source = 'fallback'`` and the report says "N of M model calls failed".

**Incremental**: ``assign_new_studies`` places studies imported after the build into the existing tree.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from litreview import feedback
from litreview.hierarchy import aspects as aspect_plans
from litreview.hierarchy import learner, tree
from litreview.hierarchy.aspects import (
    DESIGN_RULES,
    POPULATION_RULES,
    AspectDraft,
    CategoryDraft,
    cluster_aspect,
    facet_aspect,
    facet_evidence,
    findings_aspect,
    findings_texts,
)
from litreview.hierarchy.assign import CategoryProfile, assign
from litreview.hierarchy.edits import drop_suggestions
from litreview.hierarchy.model_calls import ModelCalls
from litreview.hierarchy.naming import NamingInput, name_category
from litreview.hierarchy.vectors import embed_texts, readable_text, study_space
from litreview.jobs import CancelToken, ProgressCallback, ProgressEvent, no_progress
from litreview.llm.engine import capability_of
from litreview.store import opening_text

TOPIC = "Topic"
RULES = "rules"
ALL = "all"              # build scopes (``build_hierarchy(scope=...)``)
INCLUDED = "included"
KEEP_OVERLAP = 0.5   # a new cluster sharing this share of its studies with a kept (or deleted) category is that one
MIN_STUDIES = 2      # a category needs at least this many studies (its primary ones) to stand
CENTRAL_TITLES = 6
MIN_MODEL_CLAIMS = 0.5  # Findings needs model-written claims for at least this share of the studies

Write = Callable[[Callable[[Any], Any]], Any]


@dataclass
class AspectReport:
    aspect_id: int
    name: str
    kind: str
    categories: list[dict[str, Any]]      # top level: id, name, description, studies, name_source, children
    uncategorised: list[int]              # study ids
    stats_primary: dict[int, int | None] = field(default_factory=dict)  # study id -> top category id


@dataclass
class BuildReport:
    hierarchy_id: int
    aspects: list[AspectReport] = field(default_factory=list)
    studies: int = 0
    seconds: float = 0.0
    kept_categories: int = 0
    vectors: str = "embeddings"           # what the Topic geometry stood on: embeddings | tfidf
    notes: list[str] = field(default_factory=list)   # what the user should know (fallbacks, facets left out)
    model_calls: dict[str, dict[str, int]] = field(default_factory=dict)
    failed_calls: int = 0
    total_calls: int = 0
    stage_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def all_calls_failed(self) -> bool:
        return self.total_calls > 0 and self.failed_calls == self.total_calls


@dataclass
class _Corpus:
    ids: list[int]
    titles: list[str]          # instruction sentences removed
    abstracts: list[str]       # instruction sentences removed
    claims: list[list[str]]
    claim_sources: list[list[str]]

    def index(self) -> dict[int, int]:
        return {s: i for i, s in enumerate(self.ids)}

    def embedding_text(self, i: int) -> str:
        return f"{self.titles[i]}. {self.abstracts[i]}".strip(". ")

    def term_text(self, i: int) -> str:
        return " ".join([self.titles[i], self.titles[i], self.abstracts[i], *self.claims[i]])

    def grounding_text(self, i: int) -> str:
        return " ".join([self.titles[i], self.abstracts[i], *self.claims[i]])


@dataclass
class _Previous:
    """The hierarchy a rebuild replaces, as read before computing (nothing is written until the swap)."""

    hierarchy_id: int | None
    graph: Any = None
    fixed: set[int] = field(default_factory=set)       # kept with all their rows: edited/locked sub-trees
    kept: set[int] = field(default_factory=set)        # kept in place: fixed + holders of user rows + ancestors
    kept_rows: set[int] = field(default_factory=set)   # assignment rows kept as they are
    kept_studies: set[int] = field(default_factory=set)  # studies with a kept row (their implied rows are redone)
    deleted: list[dict[str, Any]] = field(default_factory=list)
    fingerprint: str = ""


@dataclass
class _AspectPlan:
    draft: AspectDraft
    existing_id: int | None
    kept: list[CategoryDraft]
    decisions: list[tuple[int, CategoryDraft, float, str, str | None]]   # (row, target draft, score, source, evidence)
    stats_primary: list[CategoryDraft | None]


# -- public API --------------------------------------------------------------------------------------------------
def build_hierarchy(library, engine, *, aspects: int = 5, depth: int = tree.MAX_DEPTH,
                    progress: ProgressCallback = no_progress, cancel: CancelToken | None = None,
                    write: Write | None = None, encoder_factory: Callable[[], Any] | None = None,
                    scope: str | None = None) -> BuildReport:
    """Build (or rebuild in place) the library's hierarchy and return what was made. ``library`` is read (it may
    be read-only); ``write(op)`` runs the final swap (and the vector cache writes) on the library that writes
    (the app's writer; default: ``library`` itself).

    ``scope``: ``ALL`` (every study not excluded by screening; studies imported later join it) or ``INCLUDED``
    (only the studies included by screening, a list fixed at build time); None keeps the scope of the hierarchy
    being rebuilt (``ALL`` for a first build)."""
    started = time.perf_counter()
    write = write or (lambda op: op(library))
    aspects = max(1, min(aspects, aspect_plans.MAX_ASPECTS))
    depth = max(1, min(depth, tree.MAX_DEPTH))
    check = cancel.check if cancel is not None else (lambda: None)
    previous = _previous(library)
    scope = scope or (tree.settings(library, previous.hierarchy_id).get("scope", ALL) if previous.hierarchy_id else ALL)
    if scope not in (ALL, INCLUDED):
        raise tree.HierarchyError(f"unknown build scope {scope!r}: {ALL!r} or {INCLUDED!r}")
    if scope == INCLUDED:
        included = included_study_ids(library)
        if not included:
            raise tree.HierarchyError("no study is included yet: screen some studies, or build on all of them")
        corpus = _corpus(library, included)
    else:
        corpus = _corpus(library, None)
    if len(corpus.ids) < 4:
        raise tree.HierarchyError("a hierarchy needs at least 4 studies with a title or abstract")
    calls = ModelCalls(engine)
    report = BuildReport(0, studies=len(corpus.ids))
    clock = _Clock(report)

    texts = [corpus.embedding_text(i) for i in range(len(corpus.ids))]
    space = study_space(library, corpus.ids, texts, encoder_factory=encoder_factory, write=write, progress=progress,
                        cancel=cancel)
    report.vectors = space.kind
    if space.note:
        report.notes.append(space.note)
    clock.lap("embeddings")

    progress(ProgressEvent("hierarchy.structure", 0, 1, "finding topics"))
    term_texts = [corpus.term_text(i) for i in range(len(corpus.ids))]
    drafts = [cluster_aspect(TOPIC, "What the studies are about, from their titles and abstracts.", space,
                             term_texts, depth=depth, cancel_check=check)]
    if aspects >= 2:
        drafts.append(facet_aspect("Study design", "How the studies were done, where they say so.", DESIGN_RULES,
                                   corpus.titles, corpus.abstracts))
    if aspects >= 3:
        drafts.append(facet_aspect("Population", "Whom or what the studies studied, where they say so.",
                                   POPULATION_RULES, corpus.titles, corpus.abstracts))
    if aspects >= 4:
        drafts.append(_findings(corpus, drafts[0], engine))
    for draft in drafts:
        if draft.note:
            report.notes.append(draft.note)
    drafts = [d for d in drafts if d.categories]
    progress(ProgressEvent("hierarchy.structure", 1, 1, "topics found"))
    clock.lap("structure")

    plans = [_plan_aspect(library, previous, draft, corpus) for draft in drafts]
    refused, answered = _name_all(plans, calls, corpus, space, progress, cancel)
    if refused:
        report.notes.append(f"{refused} of {answered} names the model wrote did not fit most of their category's "
                            "studies, so those categories are named from the studies' own title phrases instead")
    _drop_deleted(plans, previous, corpus)
    clock.lap("names")

    for plan in plans:
        check()
        _assign_aspect(plan, previous, corpus, library)
    progress(ProgressEvent("hierarchy.assign", 1, 1))
    clock.lap("assignment")

    check()
    settings = {"aspects": aspects, "depth": depth, "model": getattr(engine, "name", None),
                "capability": capability_of(engine), "vectors": space.kind, "scope": scope}
    if scope == INCLUDED:   # the fixed list ``tree.scope_study_ids`` reads
        settings["study_ids"] = list(corpus.ids)
    progress(ProgressEvent("hierarchy.write", 0, 1, "saving the hierarchy"))
    check()  # the last moment a cancel can stop it: the swap below lands whole or not at all
    written = write(lambda target: _swap(target, previous, plans, corpus, settings))
    report.hierarchy_id, ids = written
    clock.lap("write")

    reader = library
    for plan in plans:
        report.aspects.append(_aspect_report(reader, report.hierarchy_id, plan, ids, corpus))
    report.kept_categories = sum(previous.graph.nodes[n]["parent_id"] is not None for n in previous.kept) \
        if previous.graph is not None else 0
    report.model_calls = calls.stages
    report.failed_calls, report.total_calls = calls.failures, calls.calls
    if line := calls.line():
        report.notes.append(line)
    report.seconds = round(time.perf_counter() - started, 2)
    progress(ProgressEvent("hierarchy.write", 1, 1, "done"))
    return report


def assign_new_studies(library, engine, hierarchy_id: int, *, progress: ProgressCallback = no_progress,
                       cancel: CancelToken | None = None, write: Write | None = None,
                       encoder_factory: Callable[[], Any] | None = None) -> dict[str, Any]:
    """Place studies that have no assignment row in the hierarchy yet into its existing categories (one command).
    Clustered aspects score them against their categories' learned profiles (current members, with the studies
    the user placed or took out weighted in: ``learner.learned_profiles``); facets apply their evidence rules.
    Returns {"studies": [ids], "assigned": n pairs, "uncategorised": {aspect name: [ids]}}."""
    write = write or (lambda op: op(library))
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
    kinds = tree.settings(library, hierarchy_id).get("aspect_kinds", {})
    space = None
    plans: list[tuple[int, list[tuple[int, int, float, str, str | None]], np.ndarray | None]] = []
    for aspect_id in tree.aspect_ids(graph):
        if cancel is not None:
            cancel.check()
        tops = tree.children(graph, aspect_id)
        if not tops:
            continue
        if kinds.get(str(aspect_id)) == RULES:
            plans.append((aspect_id, _rule_decisions(graph, tops, corpus, new_rows), None))
            continue
        if tree.name_key(graph.nodes[aspect_id]["name"]) == tree.name_key("Findings"):
            terms = {t for c in graph.nodes for t in graph.nodes[c].get("terms", [])}
            vectors = embed_texts(findings_texts(corpus.claims, corpus.abstracts, terms)).vectors
        else:
            if space is None:
                space = study_space(library, corpus.ids, [corpus.embedding_text(i) for i in range(len(corpus.ids))],
                                    encoder_factory=encoder_factory, write=write, progress=progress, cancel=cancel)
            vectors = space.vectors
        # the learned profiles: the categories' members with the user's corrections weighted in (``learner``)
        profiles = learner.learned_profiles(library, hierarchy_id, aspect_id, index)
        placed = learner.place(vectors, profiles, new_rows)
        progress(ProgressEvent("hierarchy.assign_new", len(new_rows), len(new_rows)))
        plans.append((aspect_id, [(row, tops[j], p, "stats", None) for row, j, p in placed], vectors))

    def apply(target) -> None:
        label = f"Assign {len(new_ids)} new stud{'y' if len(new_ids) == 1 else 'ies'}"
        with target.command(label) as cmd:
            current = tree.load_graph(target, hierarchy_id)
            for aspect_id, decisions, vectors in plans:
                assigned = set()
                for row, key, score, source, evidence in decisions:
                    leaf = _descend(target, current, key, row, vectors, index) if vectors is not None else key
                    if tree.write_assignment(cmd, target, corpus.ids[row], leaf, score=score, source=source,
                                             graph=current, evidence=evidence):
                        result["assigned"] += 1
                        assigned.add(row)
                result["uncategorised"][current.nodes[aspect_id]["name"]] = \
                    [corpus.ids[r] for r in new_rows if r not in assigned]
            tree.checked_graph(target, hierarchy_id)

    write(apply)
    return result


# -- what a rebuild keeps --------------------------------------------------------------------------------------
def _previous(library) -> _Previous:
    hierarchy_id = tree.latest_hierarchy_id(library)
    if hierarchy_id is None:
        return _Previous(None)
    graph = tree.load_graph(library, hierarchy_id)
    import networkx as nx

    fixed: set[int] = set()
    for node, data in graph.nodes(data=True):
        if data["parent_id"] is not None and (data["user_edited"] or data["locked"]):
            fixed |= {node, *nx.descendants(graph, node)}
    kept = set(feedback.protected_categories(library, hierarchy_id)) | fixed
    for node in list(kept):
        kept |= set(tree.path_ids(graph, node))
    rows = library.query("SELECT a.id, a.study_id, a.category_id, a.source, a.locked FROM assignments a JOIN categories c "
                         "ON c.id = a.category_id WHERE c.hierarchy_id = ?", (hierarchy_id,))
    kept_rows = {r["id"]: r["study_id"] for r in rows
                 if r["category_id"] in fixed or r["source"] == tree.USER or r["locked"]}
    return _Previous(hierarchy_id, graph, fixed, kept, set(kept_rows), set(kept_rows.values()),
                     feedback.deleted_categories(library, hierarchy_id), _fingerprint(library, hierarchy_id))


def _fingerprint(library, hierarchy_id: int) -> str:
    """What the user could have changed meanwhile: the hierarchy's categories and assignments, row by row."""
    digest = hashlib.sha256()
    for row in library.conn.execute("SELECT id, parent_id, name, description, position, locked, user_edited "
                                    "FROM categories WHERE hierarchy_id = ? ORDER BY id", (hierarchy_id,)):
        digest.update(repr(row).encode())
    for row in library.conn.execute("SELECT a.id, a.category_id, a.study_id, a.label, a.source, a.locked FROM "
                                    "assignments a JOIN categories c ON c.id = a.category_id WHERE c.hierarchy_id = ? "
                                    "ORDER BY a.id", (hierarchy_id,)):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def _plan_aspect(library, previous: _Previous, draft: AspectDraft, corpus: _Corpus) -> _AspectPlan:
    existing = _existing_aspect(previous.graph, draft.name) if previous.graph is not None else None
    kept = _kept_drafts(library, previous, existing, corpus.index()) if existing is not None else []
    if draft.kind != RULES:
        assert draft.space is not None  # clustered aspects always have their vector space
        draft.categories = _drop_repeats(draft.categories, kept)
        draft.categories = refine(draft.categories, kept, draft.space.vectors)
    else:  # a kept facet category (renamed, locked) stands for the rule of the same original meaning
        draft.categories = [c for c in draft.categories
                            if not any(tree.name_key(k.name) == tree.name_key(c.name) for k in kept)]
    return _AspectPlan(draft, existing, kept, [], [])


def _existing_aspect(graph, name: str) -> int | None:
    key = tree.name_key(name)
    for aspect_id in tree.aspect_ids(graph):
        if tree.name_key(graph.nodes[aspect_id]["name"]) == key:
            return aspect_id
    return None


def _kept_drafts(library, previous: _Previous, aspect_id: int, index: dict[int, int]) -> list[CategoryDraft]:
    """The kept top categories of an aspect as drafts with their kept sub-trees; members: the studies in them."""
    graph = previous.graph

    def make(node: int) -> CategoryDraft:
        data = graph.nodes[node]
        members = sorted(index[s] for s in tree.studies_in(library, node) if s in index)
        draft = CategoryDraft(members, data["terms"], data["name"], data["description"], "user", existing_id=node)
        draft.children = [make(c) for c in tree.children(graph, node) if c in previous.kept]
        return draft

    return [make(c) for c in tree.children(graph, aspect_id) if c in previous.kept]


def _drop_repeats(new: list[CategoryDraft], kept: list[CategoryDraft]) -> list[CategoryDraft]:
    """New top categories that mostly repeat a kept one are dropped: the user's version stands."""
    out = []
    for category in new:
        members = set(category.members)
        if not any(members and len(members & set(k.members)) >= KEEP_OVERLAP * len(members) for k in kept):
            out.append(category)
    return out


def _drop_deleted(plans: list[_AspectPlan], previous: _Previous, corpus: _Corpus) -> None:
    """New categories that re-create one the user deleted under the same parent: same path of names, or (top
    level of a kept aspect) mostly the studies it held."""
    if not previous.deleted:
        return
    index = corpus.index()
    paths = {tuple(tree.name_key(n) for n in d["path"]) for d in previous.deleted}
    by_parent: dict[int | None, list[set[int]]] = {}
    for d in previous.deleted:
        by_parent.setdefault(d["parent"], []).append({index[s] for s in d["studies"] if s in index})

    def keep(category: CategoryDraft, path: tuple[str, ...], parent_id: int | None) -> bool:
        if category.existing_id is not None:
            return True
        if path + (tree.name_key(category.name),) in paths:
            return False
        members = set(category.members)
        return not any(members and len(members & gone) >= KEEP_OVERLAP * len(members)
                       for gone in by_parent.get(parent_id, []))

    def prune(categories: list[CategoryDraft], path: tuple[str, ...], parent_id: int | None) -> list[CategoryDraft]:
        out = []
        for category in categories:
            if keep(category, path, parent_id):
                category.children = prune(category.children, path + (tree.name_key(category.name),),
                                          category.existing_id)
                out.append(category)
        return out

    for plan in plans:
        root = (tree.name_key(plan.draft.name),)
        plan.draft.categories = prune(plan.draft.categories, root, plan.existing_id)
        for kept in plan.kept:
            kept.children = prune(kept.children, root + (tree.name_key(kept.name),), kept.existing_id)


# -- naming ----------------------------------------------------------------------------------------------------
def _name_all(plans: list[_AspectPlan], calls: ModelCalls, corpus: _Corpus, space, progress,
              cancel) -> tuple[int, int]:
    """Name every new draft, top level first, siblings kept distinct (kept categories' names included). Returns
    how many of the model's answers were refused (not valid or not grounded) and how many it gave."""
    refused = answered = 0
    todo: list[tuple[CategoryDraft, list[CategoryDraft], CategoryDraft | None, np.ndarray]] = []
    for plan in plans:
        if plan.draft.kind == RULES:
            continue
        vectors = plan.draft.space.vectors if plan.draft.space is not None else space.vectors
        for category in plan.draft.categories:
            todo.append((category, plan.kept + plan.draft.categories, None, vectors))
    done = 0
    while done < len(todo):
        if cancel is not None:
            cancel.check()
        category, siblings, parent, vectors = todo[done]
        if not category.name:
            taken = tuple(s.name for s in siblings if s is not category and s.name)
            members = set(category.members)
            others = sorted({m for s in siblings if s is not category for m in s.members} - members) \
                if parent is not None else [i for i in range(len(corpus.ids)) if i not in members]
            item = NamingInput(category.terms, _titles(category.members, vectors, corpus.titles),
                               [corpus.grounding_text(i) for i in category.members],
                               [corpus.grounding_text(i) for i in others], parent.name if parent else None, taken)
            engine = calls.usable
            result = name_category(engine, item, cancel=cancel,
                                   on_failure=lambda error: calls.failed("hierarchy.name", error))
            if result.asked and not result.failed_call:
                calls.ok("hierarchy.name")
                answered += 1
                refused += result.source != "model"
            category.name, category.description = result.name, result.description
            category.name_source = "model" if result.source == "model" else "fallback"
        for child in category.children:
            todo.append((child, category.children, category, vectors))
        done += 1
        progress(ProgressEvent("hierarchy.name", done, len(todo), category.name))
    return refused, answered


def _titles(members: list[int], vectors: np.ndarray, titles: list[str]) -> list[str]:
    """Every member's title, the most central ones first (prompts show the first few)."""
    if not members:
        return []
    block = vectors[members]
    order = np.argsort(-(block @ block.mean(axis=0)), kind="stable")
    return [titles[members[i]] for i in order if titles[members[i]]]


# -- assignment ------------------------------------------------------------------------------------------------
def _assign_aspect(plan: _AspectPlan, previous: _Previous, corpus: _Corpus, library) -> None:
    draft = plan.draft
    categories = plan.kept + draft.categories
    if draft.kind == RULES:
        _rule_plan(plan, len(corpus.ids))
        return
    space = draft.space
    assert space is not None  # clustered aspects always have their vector space
    vectors = space.vectors
    index = corpus.index()
    placed: set[int] = set()   # studies in the user's fixed sub-trees: not the machine's to move in this aspect
    stack = list(plan.kept)
    while stack:
        kept = stack.pop()
        if kept.existing_id in previous.fixed:
            placed |= set(kept.members)
        stack += kept.children
    rejected = _rejections(library, previous, index, categories)
    profiles = [CategoryProfile(i, c.name, c.description, list(c.members), c.existing_id in previous.fixed)
                for i, c in enumerate(categories)]
    described = space.project([f"{c.name}. {c.description}" for c in categories]) \
        if any(not c.members for c in categories) else None
    rows = [i for i in range(len(corpus.ids)) if i not in placed]
    outcome = assign(vectors, profiles, rejected=rejected, described=described, only=rows,
                     max_labels=3 if draft.separate else 1)
    for d in outcome.decisions:
        category = categories[d.key]
        if profiles[d.key].fixed:
            continue
        plan.decisions.append((d.study, _leaf_for(category, d.study, vectors), d.score, d.source, None))
    primary = {row: categories[key] if key is not None else None for row, key in zip(rows, outcome.stats_primary)}
    plan.stats_primary = [primary.get(i) for i in range(len(corpus.ids))]


def _rule_plan(plan: _AspectPlan, n: int) -> None:
    """Facets decide alone: explicit evidence is an assignment (the first rule that matched is the primary)."""
    first: dict[int, CategoryDraft] = {}
    for category in plan.draft.categories:
        for row in category.members:
            first.setdefault(row, category)
            plan.decisions.append((row, category, 1.0, RULES, category.evidence.get(row)))
    plan.stats_primary = [first.get(i) for i in range(n)]


def _rule_decisions(graph, tops: list[int], corpus: _Corpus, rows: list[int]) -> list[tuple]:
    """Facet rules applied to new studies: (row, category id, score, source, evidence)."""
    by_name = {tree.name_key(graph.nodes[c]["name"]): c for c in tops if not graph.nodes[c]["locked"]}
    out = []
    for row in rows:
        for rule_name, phrase in facet_evidence(DESIGN_RULES + POPULATION_RULES, corpus.titles[row],
                                                corpus.abstracts[row]).items():
            category = by_name.get(tree.name_key(rule_name))
            if category is not None:
                out.append((row, category, 1.0, RULES, phrase))
    return out


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
    """Before anything is named or stored: categories that end up with fewer than MIN_STUDIES studies once every
    study goes to its best category are removed (an outlier is not a topic: its study is placed elsewhere or
    listed as uncategorised), and in every sub-tree empty children are removed and a parent left with a single
    child is flattened."""
    outcome = None
    for _ in range(3):
        profiles = [CategoryProfile(i, "", "", list(c.members)) for i, c in enumerate(kept + new)]
        outcome = assign(vectors, profiles)
        counts = np.zeros(len(profiles), dtype=int)
        for d in outcome.decisions:
            if d.primary:
                counts[d.key] += 1
        small = [j for j in range(len(kept), len(profiles)) if counts[j] < MIN_STUDIES]
        if not small or len(profiles) - len(small) < 1:
            break
        new = [c for j, c in enumerate(new) if len(kept) + j not in small]
    primaries: dict[int, list[int]] = {}
    for d in outcome.decisions if outcome is not None else []:
        if d.primary:
            primaries.setdefault(d.key, []).append(d.study)
    for j, category in enumerate(new):
        _prune_children(category, primaries.get(len(kept) + j, []), vectors)
    return new


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


def _rejections(library, previous: _Previous, index: dict[int, int], categories: list[CategoryDraft]) -> set:
    """(study row, category position) pairs the user took out (feedback), for the kept categories."""
    if previous.hierarchy_id is None:
        return set()
    position = {c.existing_id: j for j, c in enumerate(categories) if c.existing_id is not None}
    out = set()
    for study_id, category_id, verdict in feedback.user_assignments(library, previous.hierarchy_id):
        if verdict < 0 and category_id in position and study_id in index:
            out.add((index[study_id], position[category_id]))
    return out


# -- the swap: one command ---------------------------------------------------------------------------------------
def _swap(library, previous: _Previous, plans: list[_AspectPlan], corpus: _Corpus,
          settings: dict) -> tuple[int, dict[int, int]]:
    """Replace the previous build by the plans in ONE command. Returns (hierarchy id, id(draft) -> category id)."""
    label = "Rebuild hierarchy" if previous.hierarchy_id is not None else "Build hierarchy"
    with library.command(label) as cmd:
        hierarchy_id = previous.hierarchy_id
        if hierarchy_id is None:
            hierarchy_id = cmd.insert("hierarchies", {"name": "Hierarchy", "settings": "{}", "model": settings["model"]})
        else:
            if tree.latest_hierarchy_id(library) != hierarchy_id or _fingerprint(library, hierarchy_id) != \
                    previous.fingerprint:
                raise tree.HierarchyError("the hierarchy was changed while it was being rebuilt; nothing was "
                                          "replaced: build it again")
            _clear(cmd, library, hierarchy_id, previous, plans)
        ids: dict[int, int] = {}
        kinds: dict[str, str] = {}
        for position, plan in enumerate(plans):
            draft = plan.draft
            aspect_id = plan.existing_id
            if aspect_id is None:
                aspect_id = cmd.insert("categories", {"hierarchy_id": hierarchy_id, "parent_id": None, "name": draft.name,
                                                      "description": draft.description, "position": position})
            else:
                cmd.update("categories", aspect_id, {"position": position})
            plan.existing_id = aspect_id
            kinds[str(aspect_id)] = draft.kind
            _insert_categories(cmd, hierarchy_id, aspect_id, plan.kept + draft.categories, ids)
        graph = tree.checked_graph(library, hierarchy_id)
        for plan in plans:
            for row, target, score, source, evidence in plan.decisions:
                tree.write_assignment(cmd, library, corpus.ids[row], ids[id(target)], score=score, source=source,
                                      graph=graph, evidence=evidence)
        for study in sorted(previous.kept_studies):
            for aspect_id in tree.aspect_ids(graph):
                tree.reconcile(cmd, library, study, aspect_id, graph)
        cmd.update("hierarchies", hierarchy_id, {"settings": json.dumps({**settings, "aspect_kinds": kinds}),
                                                 "model": settings["model"]})
        tree.checked_graph(library, hierarchy_id)
    return hierarchy_id, ids


def _clear(cmd, library, hierarchy_id: int, previous: _Previous, plans: list[_AspectPlan]) -> None:
    """Delete what the previous build made and nobody kept: machine rows, unkept categories, unused aspects."""
    reused = {plan.existing_id for plan in plans if plan.existing_id is not None}
    keep = previous.kept | reused
    # open suggestions were the old build's view; answered ones stay (their categories are kept or go below)
    for row in library.query("SELECT id FROM suggestions WHERE hierarchy_id = ? AND state = 'open'", (hierarchy_id,)):
        cmd.delete("suggestions", row["id"])
    drop_suggestions(cmd, library, [n for n in previous.graph.nodes if n not in keep])
    for row in library.query("SELECT a.id FROM assignments a JOIN categories c ON c.id = a.category_id "
                             "WHERE c.hierarchy_id = ?", (hierarchy_id,)):
        if row["id"] not in previous.kept_rows:
            cmd.delete("assignments", row["id"])
    doomed = sorted((n for n in previous.graph.nodes if n not in keep),
                    key=lambda n: -(previous.graph.nodes[n]["depth"] or 0))
    for node in doomed:
        cmd.delete("categories", node)


def _insert_categories(cmd, hierarchy_id: int, parent_id: int, categories: list[CategoryDraft],
                       ids: dict[int, int]) -> None:
    """Insert new drafts (kept ones exist; they get their new position); fills id(draft) -> category id."""
    for position, draft in enumerate(categories):
        if draft.existing_id is not None:
            ids[id(draft)] = draft.existing_id
            cmd.update("categories", draft.existing_id, {"position": position})
        else:
            ids[id(draft)] = cmd.insert("categories", {
                "hierarchy_id": hierarchy_id, "parent_id": parent_id, "name": draft.name,
                "description": draft.description, "position": position, "terms": json.dumps(draft.terms),
                "name_source": draft.name_source or "fallback"})
        _insert_categories(cmd, hierarchy_id, ids[id(draft)], draft.children, ids)


# -- the report ------------------------------------------------------------------------------------------------
def _aspect_report(library, hierarchy_id: int, plan: _AspectPlan, ids: dict[int, int], corpus: _Corpus) -> AspectReport:
    def one(category: CategoryDraft) -> dict[str, Any]:
        category_id = ids[id(category)]
        return {"id": category_id, "name": category.name, "description": category.description,
                "name_source": category.name_source, "studies": len(tree.studies_in(library, category_id)),
                "terms": category.terms[:8], "children": [one(c) for c in category.children]}

    categories = plan.kept + plan.draft.categories
    stats_primary = {corpus.ids[i]: (ids[id(c)] if c is not None else None) for i, c in enumerate(plan.stats_primary)}
    assert plan.existing_id is not None  # the swap gave every aspect its row
    return AspectReport(plan.existing_id, plan.draft.name, plan.draft.kind, [one(c) for c in categories],
                        tree.uncategorised(library, hierarchy_id, plan.existing_id), stats_primary)


class _Clock:
    def __init__(self, report: BuildReport) -> None:
        self.report, self.last = report, time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.report.stage_seconds[stage] = round(now - self.last, 2)
        self.last = now


# -- Findings ------------------------------------------------------------------------------------------------------
def _findings(corpus: _Corpus, topic: AspectDraft, engine) -> AspectDraft:
    """The Findings aspect, only from claims a capable model wrote (module docstring of ``aspects``)."""
    from litreview.llm.model_store import DEFAULT_LABEL

    def capable_source(source: str) -> bool:
        return source not in ("user", "extractive", "") and DEFAULT_LABEL not in source

    written = sum(any(capable_source(s) for s in sources) for sources in corpus.claim_sources)
    if written < MIN_MODEL_CLAIMS * len(corpus.ids):
        return AspectDraft("Findings", "", "clusters", [],
                           note="Findings not built: it needs claims written by a capable model for most studies "
                                f"({written} of {len(corpus.ids)} have them)")
    topic_terms = {t for c in topic.categories for t in c.terms}
    return findings_aspect(corpus.claims, corpus.abstracts, topic_terms)


# -- reading the studies -----------------------------------------------------------------------------------------
def included_study_ids(library) -> list[int]:
    """Studies included by screening (an include decision at some stage and no exclude at any)."""
    return [r[0] for r in library.conn.execute(
        "SELECT id FROM studies WHERE id IN (SELECT study_id FROM decisions WHERE decision = 'include') "
        "AND id NOT IN (SELECT study_id FROM decisions WHERE decision = 'exclude') ORDER BY id")]


def _corpus(library, study_ids: list[int] | None) -> _Corpus:
    """The studies in scope (not excluded by screening) with some text, and their claims (only the model's and
    the user's, never fallback output); sentences addressed to a model are removed from every text. A study with
    no abstract stands on how its PDF begins (``opening_text``), as a reader would judge it: a title alone places
    and names it poorly, and many PDFs (software papers, reports) have no abstract."""
    if study_ids is None:
        rows = library.query("SELECT id, title, abstract FROM studies WHERE id NOT IN "
                             "(SELECT study_id FROM decisions WHERE decision = 'exclude') ORDER BY id")
    else:
        marks = ",".join("?" * len(study_ids)) or "NULL"
        rows = library.query(f"SELECT id, title, abstract FROM studies WHERE id IN ({marks}) ORDER BY id", study_ids)
    claims: dict[int, list[tuple[str, str]]] = {}
    for study_id, text, source in library.conn.execute(
            "SELECT study_id, text, source FROM claims WHERE fallback = 0 ORDER BY study_id, position"):
        claims.setdefault(study_id, []).append((readable_text(text), source))
    corpus = _Corpus([], [], [], [], [])
    for row in rows:
        title, abstract = (row["title"] or "").strip(), (row["abstract"] or "").strip()
        abstract = abstract or opening_text(library, row["id"], title=title) or ""
        if not title and not abstract:
            continue
        study_claims = [c for c in claims.get(row["id"], []) if c[0]]
        corpus.ids.append(row["id"])
        corpus.titles.append(readable_text(title))
        corpus.abstracts.append(readable_text(abstract))
        corpus.claims.append([text for text, _ in study_claims])
        corpus.claim_sources.append([source for _, source in study_claims])
    return corpus


def _descend(library, graph, key: int, row: int, vectors: np.ndarray, index: dict[int, int]) -> int:
    """For a new study placed in a top category: go down to the sub-category whose members it is nearest."""
    return learner.nearest_leaf(graph, key, row, vectors,
                                lambda kid: [index[s] for s in tree.studies_in(library, kid) if s in index])


__all__ = ["ALL", "INCLUDED", "AspectReport", "BuildReport", "assign_new_studies", "build_hierarchy",
           "included_study_ids", "refine"]
