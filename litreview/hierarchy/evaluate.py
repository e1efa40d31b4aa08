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
import re
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
    if spec is None or spec.loader is None:
        raise ScorerMissing(f"{path} cannot be loaded as a Python module")
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


FINEST = "Topic (finest level)"


def predictions(library, hierarchy_id: int, id_map: dict[int, str]) -> dict[str, Any]:
    """The scorer's "aspects" shape: per aspect, each study's top-level categories (direct assignments mapped to
    their top-level ancestor), best score first; plus ``FINEST``: each study's deepest Topic categories (their
    full paths), so the scorer judges the tree and not only its first cut."""
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
        if graph.nodes[aspect_id]["name"] == "Topic":
            aspects.append({"name": FINEST, "assignments": _finest(graph, rows, aspect_id, id_map)})
    return {"aspects": aspects}


def _finest(graph, rows: list[dict], aspect_id: int, id_map: dict[int, str]) -> dict[str, list[str]]:
    """Each study's direct assignments under the aspect as paths of names below it, best score first."""
    per_study: dict[str, list[tuple[float, str]]] = {sid: [] for sid in id_map.values()}
    for row in rows:
        node = row["category_id"]
        if graph.nodes[node]["aspect_id"] != aspect_id or row["study_id"] not in id_map:
            continue
        path = " > ".join(graph.nodes[n]["name"] for n in tree.path_ids(graph, node)[1:])
        per_study[id_map[row["study_id"]]].append((row["score"] if row["score"] is not None else 0.0, path))
    out = {}
    for sid, scored in per_study.items():
        names: list[str] = []
        for _, path in sorted(scored, key=lambda t: -t[0]):
            if path not in names:
                names.append(path)
        out[sid] = names
    return out


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


def name_quality(library, hierarchy_id: int, id_map: dict[int, str], gold: dict[str, str]) -> dict[str, Any]:
    """How the Topic names read: share in the "Word: term, term" pattern, share grounded (>= 80 % of members
    contain a content word of the name, or of the description for a model's class label), and for each gold
    topic whether the name of its best-matching top category (by F1) shares a content word with the gold name."""
    from litreview.hierarchy.naming import MIN_GROUNDING, content_words, grounding, stem

    graph = tree.load_graph(library, hierarchy_id)
    topic = next((a for a in tree.aspect_ids(graph) if graph.nodes[a]["name"] == "Topic"), None)
    if topic is None:
        return {}
    texts = {r["id"]: " ".join([r["title"] or "", r["abstract"] or "", r["claims"] or ""]) for r in library.query(
        "SELECT s.id, s.title, s.abstract, group_concat(c.text, ' ') AS claims FROM studies s "
        "LEFT JOIN claims c ON c.study_id = s.id GROUP BY s.id")}
    keyword = re.compile(r"^[^:]+:\s*[^,]+(,\s*[^,]+)+$")
    categories = [n for n in graph.nodes if graph.nodes[n]["aspect_id"] == topic and n != topic]
    grounded = keyword_names = 0
    for node in categories:
        members = [texts[s] for s in tree.studies_in(library, node) if s in texts]
        data = graph.nodes[node]
        keyword_names += bool(keyword.match(data["name"]))
        grounded += (grounding(data["name"], members) >= MIN_GROUNDING
                     or grounding(data["description"], members) >= MIN_GROUNDING)
    matched = 0
    tops = tree.children(graph, topic)
    members_of = {c: {id_map[s] for s in tree.studies_in(library, c) if s in id_map} for c in tops}
    topics = sorted(set(gold.values()))
    for name in topics:
        studies = {s for s, t in gold.items() if t == name}
        best = max(tops, key=lambda c: 2 * len(members_of[c] & studies) / (len(members_of[c]) + len(studies)),
                   default=None)
        if best is not None:
            gold_stems = {stem(w) for w in content_words(name)}
            matched += bool(gold_stems & {stem(w) for w in content_words(graph.nodes[best]["name"])})
    n = len(categories) or 1
    return {"categories": len(categories), "keyword_pattern_share": round(keyword_names / n, 3),
            "grounded_share": round(grounded / n, 3), "gold_word_match_share": round(matched / (len(topics) or 1), 3)}


def tree_lines(library, hierarchy_id: int, aspect_id: int, evidence: int = 3) -> list[str]:
    """An aspect as indented lines "name (studies) [source]: description", with a few facet evidence phrases."""
    graph = tree.load_graph(library, hierarchy_id)
    rows = library.query("SELECT name_source FROM categories WHERE id = ?", (aspect_id,))
    lines = [f"{graph.nodes[aspect_id]['name']} ({len(tree.uncategorised(library, hierarchy_id, aspect_id))} "
             "uncategorised)"] if rows else []

    def visit(node: int, level: int) -> None:
        data = graph.nodes[node]
        source = library.conn.execute("SELECT name_source FROM categories WHERE id = ?", (node,)).fetchone()[0]
        lines.append(f"{'  ' * level}- {data['name']} ({len(tree.studies_in(library, node))}) [{source}]: "
                     f"{data['description']}")
        quotes = [r[0] for r in library.conn.execute(
            "SELECT evidence FROM assignments WHERE category_id = ? AND evidence IS NOT NULL LIMIT ?", (node, evidence))]
        if quotes:
            lines.append(f"{'  ' * (level + 1)}evidence: " + " | ".join(repr(q) for q in quotes))
        for child in tree.children(graph, node):
            visit(child, level + 1)

    for child in tree.children(graph, aspect_id):
        visit(child, 1)
    return lines


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
                     progress: ProgressCallback = no_progress, cancel: CancelToken | None = None,
                     encoder_factory=None) -> dict[str, Any]:
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
            report = build_hierarchy(library, engine, aspects=aspects, depth=depth, progress=progress, cancel=cancel,
                                     encoder_factory=encoder_factory)
            seconds = time.perf_counter() - started
            predicted = predictions(library, report.hierarchy_id, id_map)
            if predictions_path:
                Path(predictions_path).write_text(json.dumps(predicted, ensure_ascii=False, indent=1), encoding="utf-8")
            metrics = scorer.evaluate(predicted, gold)
            stats = stats_predictions(report, library, id_map)
            stats_metrics = scorer.evaluate(stats, gold) if stats["aspects"] else {}
            usage = llm_usage(library)
            names = name_quality(library, report.hierarchy_id, id_map, gold)
            trees = [tree_lines(library, report.hierarchy_id, a.aspect_id) for a in report.aspects]
            best = next((a for a in report.aspects if a.name == metrics.get("best_aspect")),
                        next((a for a in report.aspects if a.name == "Topic"), None))
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
        "vectors": report.vectors, "notes": report.notes, "stage_seconds": report.stage_seconds,
        "model_calls_failed": report.failed_calls, "model_calls": report.total_calls, "names": names, "trees": trees,
        "top_categories": [{"name": c["name"], "description": c["description"], "studies": c["studies"],
                            "name_source": c["name_source"]} for c in (best.categories if best else [])],
        "stats_only": {k: stats_metrics.get(k) for k in ("best_aspect", "harmonic_purity", "nmi", "ari",
                                                         "bcubed_f1", "uncategorised_share")},
    }
