"""Learning from corrections, measured: a simulated user corrects a mixture's hierarchy (protocol LFC-1 of
``../shared/notes/corrections.md``) and the studies the user never touched are scored.

The build is the one ``litreview eval hierarchy`` makes (``evaluate.load_into`` + ``build_hierarchy``: the gold
column never enters the library). The **simulated user** is the only code that reads the gold topic, and it acts
only through the app's correction op (``suggestions.correcting`` around ``edits``), one correction at a time,
on the Topic aspect's top level as the tree shows it:

1. **merge** two categories whose studies are mostly the same gold topic (the smaller into the larger);
2. otherwise **move** the most clearly misplaced study (its gold topic is the rarest in the category it is in;
   an uncategorised study first of all) to the category holding most of its gold topic, or **create** a category
   for it (a neutral name, "New topic 1") when no category is mostly its topic; create + move is one correction.

Ties are broken by the seed. The user corrects what it sees, as in the pilot, so two users run per seed from
the same start:

* **apply_only**: a user who sees the library as its corrections left it, and nothing else changes;
* **learner**: a user who sees the library with every proposal of ``learner.learn`` accepted (what "Move all"
  in the app gives) and corrects what is still wrong there; it is scored on that view;
* **placebo**: the learner's proposals with zero corrections (re-scoring the start alone), scored on the learner
  user's untouched studies, so a learner that only re-clusters gets no credit for corrections it never used.

Each is scored with the shared scorer's ``score_partition`` on that user's untouched studies (not moved or
assigned by it; a merge carries studies along without the user looking at each, so they stay untouched), the
primary top-level Topic category per study. ``fixed_per_correction`` = (untouched studies in a category named for
their topic under the learner - under apply-only) / corrections spent; ``regressions`` = share of the studies
untouched by both users that are right under apply-only and wrong under the learner.
"""

from __future__ import annotations

import random
import shutil
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from litreview.errors import InputError
from litreview.hierarchy import edits, learner, suggestions, tree
from litreview.hierarchy.build import TOPIC, build_hierarchy
from litreview.hierarchy.evaluate import load_into, read_mixture
from litreview.jobs import CancelToken, ProgressCallback, ProgressEvent, no_progress

DEFAULT_BUDGETS = (0, 5, 10, 20)
STARTS = ("app", "true_k", "under", "over", "noisy")
"""What the user is shown first: the app's own build (S0, the real target), or LFC-1's controlled starts that
isolate mechanisms, written over the build's Topic level as machine placements: spherical KMeans on the build's
vectors with the true number of topics (S1), two fewer (S2, topics swallowed), three more (S3, topics
fragmented), or the app's top level with 30 % of the studies put in a random other category (S4, CHIME-like
assignment errors). Only the number of gold topics reaches a start, never a study's topic."""
NOISE = 0.3


def evaluate_corrections(mixture: str | Path, *, scorer: ModuleType, budgets: tuple[int, ...] = DEFAULT_BUDGETS,
                         seeds: int = 3, start: str = "app", engine=None, aspects: int = 5, depth: int = 3,
                         encoder_factory: Callable[[], Any] | None = None,
                         user_weight: float = learner.USER_WEIGHT, progress: ProgressCallback = no_progress,
                         cancel: CancelToken | None = None) -> dict[str, Any]:
    """Build the mixture's hierarchy, run ``seeds`` simulated users over copies of it, and return the issue's
    JSON object (means over seeds per budget) with the start's scores and per-seed figures beside it."""
    return simulate(mixture, scorer=scorer, budgets=budgets, seeds=seeds, starts=(start,), engine=engine,
                    aspects=aspects, depth=depth, encoder_factory=encoder_factory, user_weights=(user_weight,),
                    progress=progress, cancel=cancel)[(start, user_weight)]


def simulate(mixture: str | Path, *, scorer: ModuleType, budgets: tuple[int, ...] = DEFAULT_BUDGETS,
             seeds: int = 3, starts: tuple[str, ...] = ("app",), engine=None, aspects: int = 5, depth: int = 3,
             encoder_factory: Callable[[], Any] | None = None,
             user_weights: tuple[float, ...] = (learner.USER_WEIGHT,), progress: ProgressCallback = no_progress,
             cancel: CancelToken | None = None) -> dict[tuple[str, float], dict[str, Any]]:
    """``evaluate_corrections`` for several starts and learner weights over ONE build. Returns
    {(start, weight): result}."""
    from litreview.store import Library

    unknown = [s for s in starts if s not in STARTS]
    if unknown:
        raise InputError(f"unknown start {unknown[0]!r}: choose one of {', '.join(STARTS)}")
    rows = read_mixture(mixture)
    gold_by_ref = {r["study_id"]: r["topic"] for r in rows}
    budgets = tuple(sorted(set(int(b) for b in budgets)))
    results = {}
    with tempfile.TemporaryDirectory(prefix="litreview-corrections-") as scratch:
        base = Path(scratch) / "built"
        library = Library(base)
        try:
            id_map = load_into(library, rows)
            started = time.perf_counter()
            report = build_hierarchy(library, engine, aspects=aspects, depth=depth, progress=progress,
                                     cancel=cancel, encoder_factory=encoder_factory)
            build_seconds = time.perf_counter() - started
        finally:
            library.close()
        gold = {study: gold_by_ref[ref] for study, ref in id_map.items()}
        hierarchy_id = report.hierarchy_id

        def run(folder: Path, seed: int, weight: float | None) -> list[dict[str, Any]]:
            copy = Path(scratch) / f"run-{time.perf_counter_ns()}"
            shutil.copytree(folder, copy)
            with Library(copy) as library:
                out = _run(library, hierarchy_id, gold, budgets, seed, weight, progress, cancel)
            shutil.rmtree(copy, ignore_errors=True)
            return out

        for start in starts:
            per_seed: list[dict[float, list[dict[str, Any]]]] = []
            for seed in range(seeds):
                folder = Path(scratch) / f"{start}-{seed}"
                shutil.copytree(base, folder)
                with Library(folder) as library:
                    if start != "app":
                        _write_start(library, hierarchy_id, start, len(set(gold.values())), seed)
                    aspect = _topic_aspect(library, hierarchy_id)
                    initial = _placement(library, hierarchy_id, aspect)
                    placebos = {w: _learner_placement(library, hierarchy_id, aspect, w)[0] for w in user_weights}
                applied = run(folder, seed, None)
                per_weight = {}
                for weight in user_weights:
                    learned = run(folder, seed, weight)
                    per_weight[weight] = [_cells(scorer, gold, initial, placebos[weight], a, b)
                                          for a, b in zip(applied, learned)]
                per_seed.append(per_weight)
                shutil.rmtree(folder, ignore_errors=True)
            for weight in user_weights:
                result = _summary(Path(mixture).name, seeds, budgets, [cells[weight] for cells in per_seed],
                                  report, build_seconds, weight, getattr(engine, "name", None))
                results[(start, weight)] = {**result, "start": start}
    return results


# -- one simulated user -----------------------------------------------------------------------------------------
def _run(library, hierarchy_id: int, gold: dict[int, str], budgets: tuple[int, ...], seed: int,
         weight: float | None, progress: ProgressCallback, cancel: CancelToken | None) -> list[dict[str, Any]]:
    """One simulated user correcting what it is shown: the library as it stands (``weight`` None: apply-only) or
    the library with the learner's proposals accepted (the learner with ``weight``). Per budget: the placement
    it sees, the studies it touched, the corrections spent, the seconds they took."""
    rng = random.Random(f"lfc-1:{seed}")
    aspect = _topic_aspect(library, hierarchy_id)
    touched: set[int] = set()
    spent, seconds, rescore = 0, 0.0, 0.0

    def view() -> dict[int, int | None]:
        nonlocal rescore
        if weight is None:
            return _placement(library, hierarchy_id, aspect)
        placement, rescore = _learner_placement(library, hierarchy_id, aspect, weight)
        return placement

    seen = view()
    out = []
    for budget in budgets:
        while spent < budget:
            if cancel is not None:
                cancel.check()
            began = time.perf_counter()
            if not simulated_correction(library, hierarchy_id, aspect, gold, touched, rng, spent, seen):
                break
            seconds += time.perf_counter() - began
            spent += 1
            seen = view()
            progress(ProgressEvent("corrections", spent, budgets[-1], f"seed {seed}"))
        out.append({"budget": budget, "corrections": spent, "placement": dict(seen), "touched": set(touched),
                    "seconds": round(seconds, 3), "rescore_seconds": round(rescore, 4)})
    return out


def _cells(scorer: ModuleType, gold: dict[int, str], initial: dict, placebo: dict, applied: dict,
           learned: dict) -> dict[str, Any]:
    """The readings of one budget: apply-only and placebo on the apply-only run's untouched studies, the learner on
    its own run's (each user left different studies untouched)."""
    untouched_a = [s for s in gold if s not in applied["touched"]]
    untouched_l = [s for s in gold if s not in learned["touched"]]
    right_a = _right(applied["placement"], gold, untouched_a)
    right_l = _right(learned["placement"], gold, untouched_l)
    common = [s for s in untouched_l if s not in applied["touched"]]
    return {
        "budget": applied["budget"], "corrections": learned["corrections"],
        "corrections_apply_only": applied["corrections"], "untouched": len(untouched_l),
        "untouched_apply_only": len(untouched_a), "seconds": learned["seconds"],
        "start": _scores(scorer, initial, gold, untouched_l),
        "apply_only": _scores(scorer, applied["placement"], gold, untouched_a),
        "learner": _scores(scorer, learned["placement"], gold, untouched_l),
        "placebo": _scores(scorer, placebo, gold, untouched_l),
        "fixed": len(right_l) - len(right_a),
        "regressions": len(_right(applied["placement"], gold, common) - _right(learned["placement"], gold, common))
        / max(1, len(common)),
        "rescore_seconds": learned["rescore_seconds"],
    }


def simulated_correction(library, hierarchy_id: int, aspect: int, gold: dict[int, str], touched: set[int],
                         rng: random.Random, spent: int, seen: dict[int, int | None] | None = None) -> bool:
    """One LFC-1 correction of what the user sees (``seen``: study -> top category; default the library as it
    stands) through the app's correction op; False when it is already right."""
    actual = _placement(library, hierarchy_id, aspect)
    placement = seen if seen is not None else actual
    members: dict[int, list[int]] = {}
    for study, category in placement.items():
        if category is not None:
            members.setdefault(category, []).append(study)
    topic_of = {c: _majority(ids, gold) for c, ids in members.items()}
    by_topic: dict[str, list[int]] = {}
    for category, topic in sorted(topic_of.items()):
        by_topic.setdefault(topic, []).append(category)
    duplicated = [(t, cs) for t, cs in sorted(by_topic.items()) if len(cs) > 1]
    if duplicated:
        _, categories = rng.choice(duplicated)
        by_size = sorted(categories, key=lambda c: (-len(members[c]), c))
        with suggestions.correcting(library, hierarchy_id):
            edits.merge_categories(library, by_size[-1], by_size[0])
        return True
    wrong = [s for s, c in placement.items() if s not in touched and (c is None or topic_of[c] != gold[s])]
    if not wrong:
        return False

    def clarity(study: int) -> float:   # share of the study's topic in the category it is in (0: uncategorised)
        category = placement[study]
        if category is None:
            return 0.0
        return sum(gold[s] == gold[study] for s in members[category]) / len(members[category])

    lowest = min(clarity(s) for s in wrong)
    study = rng.choice(sorted(s for s in wrong if clarity(s) == lowest))
    homes = by_topic.get(gold[study], [])
    with suggestions.correcting(library, hierarchy_id):
        if homes:
            target = max(homes, key=lambda c: (sum(gold[s] == gold[study] for s in members[c]), -c))
        else:
            target = edits.new_category(library, aspect, f"New topic {spent + 1}")
        origin = actual.get(study)
        if origin is None or origin == target:   # uncategorised, or the learner's view had moved it away
            edits.assign_study(library, study, target)
        else:
            edits.move_study(library, study, origin, target)
    touched.add(study)
    return True


# -- controlled starts -------------------------------------------------------------------------------------------
def _write_start(library, hierarchy_id: int, start: str, topics: int, seed: int) -> None:
    """Replace the Topic level by a controlled start (``STARTS``) in one machine command: flat categories
    "Group 1".. with 'stats' placements, as if a worse build had made them."""
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    aspect = _topic_aspect(library, hierarchy_id)
    if start == "noisy":
        current = _placement(library, hierarchy_id, aspect)
        groups = sorted({c for c in current.values() if c is not None})
        rng = random.Random(f"lfc-1:noisy:{seed}")
        labels = {s: groups.index(c) for s, c in sorted(current.items()) if c is not None}
        placed = sorted(labels)
        for study in rng.sample(placed, int(NOISE * len(placed))):
            labels[study] = rng.choice([g for g in range(len(groups)) if g != labels[study]])
    else:
        ids, vectors = learner.study_matrix(library, hierarchy_id, tree.scope_study_ids(library, hierarchy_id))
        k = {"true_k": topics, "under": max(2, topics - 2), "over": topics + 3}[start]
        with threadpool_limits(1):
            found = KMeans(n_clusters=min(k, len(ids)), n_init=10, random_state=seed).fit_predict(vectors)
        labels = {s: int(c) for s, c in zip(ids, found)}
    graph = tree.load_graph(library, hierarchy_id)
    below = sorted((n for n in graph.nodes if graph.nodes[n]["aspect_id"] == aspect and n != aspect),
                   key=lambda n: -graph.nodes[n]["depth"])
    marks = ",".join("?" * len(below))
    with library.command(f"Start state {start!r} (simulation)") as cmd:
        for row in library.query(f"SELECT id FROM assignments WHERE category_id IN ({marks})", below):
            cmd.delete("assignments", row["id"])
        for node in below:
            cmd.delete("categories", node)
        made = {}
        for position, group in enumerate(sorted(set(labels.values()))):
            made[group] = cmd.insert("categories", {"hierarchy_id": hierarchy_id, "parent_id": aspect,
                                                    "name": f"Group {position + 1}", "position": position,
                                                    "name_source": "fallback"})
        for study, group in sorted(labels.items()):
            cmd.insert("assignments", {"study_id": study, "category_id": made[group], "label": 1, "score": 1.0,
                                       "source": "stats", "implied": 0})
        tree.checked_graph(library, hierarchy_id)


# -- reading partitions ------------------------------------------------------------------------------------------
def _topic_aspect(library, hierarchy_id: int) -> int:
    graph = tree.load_graph(library, hierarchy_id)
    for aspect in tree.aspect_ids(graph):
        if graph.nodes[aspect]["name"] == TOPIC:
            return aspect
    raise tree.HierarchyError("the build made no Topic aspect")


def _placement(library, hierarchy_id: int, aspect: int) -> dict[int, int | None]:
    """study id -> primary top-level category of the aspect (direct rows, best score first), None: uncategorised."""
    graph = tree.load_graph(library, hierarchy_id)
    below = {n: tree.path_ids(graph, n)[1] for n in graph.nodes if graph.nodes[n]["aspect_id"] == aspect and n != aspect}
    scored: dict[int, list[tuple[float, int]]] = {}
    for row in library.query("SELECT study_id, category_id, score FROM assignments WHERE label = 1 AND implied = 0 "
                             "ORDER BY id"):
        if row["category_id"] in below:
            scored.setdefault(row["study_id"], []).append((row["score"] if row["score"] is not None else 0.0,
                                                           below[row["category_id"]]))
    out: dict[int, int | None] = {s: None for s in tree.scope_study_ids(library, hierarchy_id)}
    for study, pairs in scored.items():
        out[study] = sorted(pairs, key=lambda t: -t[0])[0][1]
    return out


def _learner_placement(library, hierarchy_id: int, aspect: int,
                       user_weight: float) -> tuple[dict[int, int | None], float]:
    """The placement with every proposal of the learner accepted, and the seconds the re-scoring took."""
    placement = _placement(library, hierarchy_id, aspect)
    learned = learner.learn(library, hierarchy_id, user_weight=user_weight)
    scores = learned.aspect(aspect)
    if scores is not None:
        placement.update(scores.placement())
    return placement, learned.seconds


def _majority(ids: list[int], gold: dict[int, str]) -> str:
    return sorted(Counter(gold[s] for s in ids).items(), key=lambda t: (-t[1], t[0]))[0][0]


# -- scores ------------------------------------------------------------------------------------------------------
def _scores(scorer: ModuleType, placement: dict[int, int | None], gold: dict[int, str], ids: list[int]) -> dict:
    if not ids:
        return {"hp": None, "nmi": None, "ari": None}
    predicted = {str(s): ([f"c{placement[s]}"] if placement.get(s) is not None else []) for s in ids}
    metrics = scorer.score_partition(predicted, {str(s): gold[s] for s in ids})
    return {"hp": metrics["harmonic_purity"], "nmi": metrics["nmi"], "ari": metrics["ari"]}


def _right(placement: dict[int, int | None], gold: dict[int, str], ids: list[int]) -> set[int]:
    """The studies of ``ids`` in a category whose majority (over all its studies) is their gold topic."""
    members: dict[int, list[int]] = {}
    for study, category in placement.items():
        if category is not None and study in gold:
            members.setdefault(category, []).append(study)
    topic_of = {c: _majority(m, gold) for c, m in members.items()}
    return {s for s in ids if (c := placement.get(s)) is not None and topic_of[c] == gold[s]}


def _summary(name: str, seeds: int, budgets: tuple[int, ...], runs: list[list[dict]], report, build_seconds: float,
             user_weight: float, model: str | None) -> dict[str, Any]:
    def mean(values: list[float | None]) -> float | None:
        present = [v for v in values if v is not None]
        return round(statistics.mean(present), 4) if present else None

    out_budgets = []
    for position, budget in enumerate(budgets):
        cells = [run[position] for run in runs]
        spent = mean([c["corrections"] for c in cells])
        entry: dict[str, Any] = {"budget": budget, "corrections": spent,
                                 "untouched": mean([c["untouched"] for c in cells])}
        for reading in ("apply_only", "learner", "placebo", "start"):
            entry[reading] = {m: mean([c[reading][m] for c in cells]) for m in ("hp", "nmi", "ari")}
        entry["fixed_per_correction"] = mean([c["fixed"] / c["corrections"] for c in cells if c["corrections"]])
        entry["regressions"] = mean([c["regressions"] for c in cells])
        entry["seconds"] = mean([c["seconds"] for c in cells])
        entry["rescore_seconds"] = mean([c["rescore_seconds"] for c in cells])
        out_budgets.append(entry)
    return {"mixture": name, "seeds": seeds, "budgets": out_budgets, "vectors": report.vectors,
            "model": model, "user_weight": user_weight,
            "studies": report.studies, "build_seconds": round(build_seconds, 2), "per_seed": runs}


__all__ = ["DEFAULT_BUDGETS", "STARTS", "evaluate_corrections", "simulate"]
