"""Judge a build against a review mixture: load it into a temporary library, build, score with the shared scorer.

A mixture pools the included studies of several reviews; the review a study came from is its gold topic
(``../shared/data/hierarchy/README.md``). The gold column is never written to the library, so the model
cannot see it. The metrics are NOT reimplemented here: the reference scorer (``hierarchy_eval.py`` in the
shared notes, the project's scoring contract) is loaded from a path and called, so litreview and every
other method are measured by the same definitions.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from litreview.errors import InputError
from litreview.hierarchy import tree
from litreview.hierarchy.build import BuildReport, build_hierarchy
from litreview.jobs import CancelToken, ProgressCallback, no_progress

DEFAULT_SCORER = Path(__file__).resolve().parents[2].parent / "shared" / "notes" / "hierarchy_eval.py"
"""``../shared/notes/hierarchy_eval.py`` beside the checkout (shared data, never copied into the repo)."""


class ScorerMissing(InputError):
    """The reference scorer is not where it was looked for."""


def load_scorer(path: str | Path | None = None) -> ModuleType:
    """Import the reference scorer from ``path`` (default: the shared notes beside the checkout)."""
    path = Path(path) if path else DEFAULT_SCORER
    if not path.is_file():
        raise ScorerMissing(f"the reference scorer hierarchy_eval.py was not found at {path}; "
                            "pass its location with --scorer")
    spec = importlib.util.spec_from_file_location("hierarchy_eval", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_mixture(path: str | Path) -> list[dict[str, str]]:
    """Rows with study_id, title, abstract and topic; a clear InputError when the file is not such a CSV."""
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InputError(f"cannot read the mixture {path}: {error}") from error
    needed = {"study_id", "title", "abstract", "topic"}
    if not rows or not needed <= set(rows[0]):
        raise InputError(f"{path} needs the columns {', '.join(sorted(needed))}")
    return rows


def load_into(library, rows: list[dict[str, str]]) -> dict[int, str]:
    """Write the studies (title and abstract only, never the topic) in one command; library id -> study_id."""
    ids = {}
    with library.command(f"Import {len(rows)} mixture studies") as cmd:
        for row in rows:
            study_id = cmd.insert("studies", {"title": row["title"], "abstract": row["abstract"], "source": "csv",
                                              "source_ref": row["study_id"]})
            ids[study_id] = row["study_id"]
    return ids


def predictions(library, hierarchy_id: int, id_map: dict[int, str]) -> dict[str, Any]:
    """The scorer's "aspects" shape: per aspect, each study's top-level categories (direct assignments mapped to
    their top-level ancestor), best score first."""
    graph = tree.load_graph(library, hierarchy_id)
    rows = library.query(
        "SELECT a.study_id, a.category_id, a.score FROM assignments a JOIN categories c ON c.id = a.category_id "
        "WHERE c.hierarchy_id = ? AND a.label = 1 AND a.implied = 0", (hierarchy_id,))
    aspects = []
    for aspect_id in tree.aspect_ids(graph):
        per_study: dict[str, list[tuple[float, str]]] = {sid: [] for sid in id_map.values()}
        for row in rows:
            node = row["category_id"]
            if graph.nodes[node]["aspect_id"] != aspect_id or row["study_id"] not in id_map:
                continue
            top = tree.path_ids(graph, node)[1]
            per_study[id_map[row["study_id"]]].append((row["score"] if row["score"] is not None else 0.0,
                                                       graph.nodes[top]["name"]))
        assignments = {}
        for sid, scored in per_study.items():
            names: list[str] = []
            for _, name in sorted(scored, key=lambda t: -t[0]):
                if name not in names:
                    names.append(name)
            assignments[sid] = names
        aspects.append({"name": graph.nodes[aspect_id]["name"], "assignments": assignments})
    return {"aspects": aspects}


def stats_predictions(report: BuildReport, library, id_map: dict[int, str]) -> dict[str, Any]:
    """What statistics alone chose (before the model's choose/verify votes), same shape, for the bench."""
    aspects = []
    for aspect in report.aspects:
        if not aspect.stats_primary:
            continue
        names = {c["id"]: c["name"] for c in aspect.categories}
        assignments = {id_map[s]: ([names[c]] if c in names else []) for s, c in aspect.stats_primary.items()
                       if s in id_map}
        aspects.append({"name": aspect.name, "assignments": assignments})
    return {"aspects": aspects}


def llm_usage(library, since_id: int = 0) -> dict[str, Any]:
    """LLM calls and tokens from ``llm_runs`` (rows after ``since_id``), in total and per stage."""
    rows = library.query("SELECT stage, count(*) AS calls, sum(prompt_tokens) AS prompt, "
                         "sum(completion_tokens) AS completion, sum(seconds) AS seconds FROM llm_runs WHERE id > ? "
                         "GROUP BY stage ORDER BY stage", (since_id,))
    stages = {r["stage"]: {"calls": r["calls"], "prompt_tokens": r["prompt"] or 0,
                           "completion_tokens": r["completion"] or 0, "seconds": round(r["seconds"] or 0.0, 2)}
              for r in rows}
    return {"llm_calls": sum(s["calls"] for s in stages.values()),
            "prompt_tokens": sum(s["prompt_tokens"] for s in stages.values()),
            "completion_tokens": sum(s["completion_tokens"] for s in stages.values()),
            "tokens": sum(s["prompt_tokens"] + s["completion_tokens"] for s in stages.values()),
            "stages": stages}


def evaluate_mixture(mixture: str | Path, engine, *, scorer: ModuleType, aspects: int = 5, depth: int = 3,
                     claims: bool = True, folder: str | Path | None = None, predictions_path: str | Path | None = None,
                     progress: ProgressCallback = no_progress, cancel: CancelToken | None = None) -> dict[str, Any]:
    """Build claims and the hierarchy for a mixture in a temporary library and score the best aspect.

    Returns the scorer's record plus claims_grounded, claims_per_study, llm_calls, tokens (and per stage),
    seconds, the top-level categories of the best aspect (name, description, size), and ``stats_only``: the
    same metrics for what statistics alone chose, so the model's contribution is visible."""
    from litreview.store import Library

    rows = read_mixture(mixture)
    gold = {r["study_id"]: r["topic"] for r in rows}
    with tempfile.TemporaryDirectory(prefix="litreview-eval-") as scratch:
        library = Library(Path(folder) if folder else Path(scratch) / "library")
        try:
            if engine is not None:
                engine.record_to(library)
            started = time.perf_counter()
            id_map = load_into(library, rows)
            claims_summary: dict[str, Any] = {}
            if claims and engine is not None:
                from litreview.claims import extract_claims

                claims_summary = extract_claims(library, engine, progress=progress, cancel=cancel)
            claims_seconds = time.perf_counter() - started
            report = build_hierarchy(library, engine, aspects=aspects, depth=depth, progress=progress, cancel=cancel)
            seconds = time.perf_counter() - started
            predicted = predictions(library, report.hierarchy_id, id_map)
            if predictions_path:
                Path(predictions_path).write_text(json.dumps(predicted, ensure_ascii=False, indent=1), encoding="utf-8")
            metrics = scorer.evaluate(predicted, gold)
            stats = stats_predictions(report, library, id_map)
            stats_metrics = scorer.evaluate(stats, gold) if stats["aspects"] else {}
            usage = llm_usage(library)
            best = next((a for a in report.aspects if a.name == metrics.get("best_aspect")), None)
        finally:
            if engine is not None:
                engine.record_to(None)
            library.close()
    grounded = claims_summary.get("grounded_share")
    return {
        "mixture": Path(mixture).name, **metrics,
        "claims_grounded": round(grounded, 4) if grounded is not None else None,
        "claims_with_claims_share": round(claims_summary.get("with_claims_share", 0.0), 4) if claims_summary else None,
        "llm_calls": usage["llm_calls"], "tokens": usage["tokens"], "prompt_tokens": usage["prompt_tokens"],
        "completion_tokens": usage["completion_tokens"], "stages": usage["stages"],
        "seconds": round(seconds, 1), "claims_seconds": round(claims_seconds, 1),
        "model": getattr(engine, "name", None), "capability": getattr(engine, "capability", None),
        "top_categories": [{"name": c["name"], "description": c["description"], "studies": c["studies"],
                            "name_source": c["name_source"]} for c in (best.categories if best else [])],
        "stats_only": {k: stats_metrics.get(k) for k in ("best_aspect", "harmonic_purity", "nmi", "ari",
                                                         "bcubed_f1", "uncategorised_share")},
    }
