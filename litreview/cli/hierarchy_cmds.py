"""Hierarchy sub-commands: claims, hierarchy build / assign-new / show, eval hierarchy, eval corrections."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from litreview.cli.common import InputError, TerminalProgress, open_library, print_json


def register(subparsers) -> None:
    command = subparsers.add_parser("claims", help="extract grounded finding claims for the studies")
    command.add_argument("--study", type=int, action="append", metavar="ID", help="only this study (repeatable)")
    command.add_argument("--redo", action="store_true", help="extract again for studies that already have claims")
    command.add_argument("--json", action="store_true")
    command.set_defaults(func=claims_command)

    hierarchy = subparsers.add_parser("hierarchy", help="build or show the topic hierarchy")
    actions = hierarchy.add_subparsers(dest="action", metavar="ACTION", required=True)
    command = actions.add_parser("build", help="build the hierarchy (a rebuild keeps your edits and locks)")
    command.add_argument("--aspects", type=int, default=5, help="how many aspects at most (1-5, default 5)")
    command.add_argument("--depth", type=int, default=3, help="levels of categories below an aspect (1-3)")
    basis = command.add_mutually_exclusive_group()
    basis.add_argument("--included", action="store_true", help="build on the studies included by screening only")
    basis.add_argument("--all", action="store_true",
                       help="build on every study not excluded (default for a first build; a rebuild keeps its basis)")
    command.add_argument("--json", action="store_true")
    command.set_defaults(func=build_command)
    command = actions.add_parser("assign-new", help="place studies imported after the build into the tree")
    command.add_argument("--json", action="store_true")
    command.set_defaults(func=assign_new_command)
    command = actions.add_parser("show", help="print the hierarchy")
    command.add_argument("--json", action="store_true")
    command.set_defaults(func=show_command)

    evaluate = subparsers.add_parser("eval", help="measure litreview against reference data")
    targets = evaluate.add_subparsers(dest="target", metavar="TARGET", required=True)
    command = targets.add_parser("hierarchy", help="build a mixture's hierarchy in a scratch library and score it")
    command.add_argument("mixture", metavar="MIXTURE.csv", help="CSV with study_id, title, abstract, topic")
    command.add_argument("--predictions", metavar="PRED.json", help="also write the predictions (aspects shape)")
    command.add_argument("--scorer", metavar="hierarchy_eval.py",
                         help="the reference scorer (default: ../shared/notes/hierarchy_eval.py beside the checkout)")
    command.add_argument("--aspects", type=int, default=5)
    command.add_argument("--depth", type=int, default=3)
    command.add_argument("--no-claims", action="store_true", help="skip claim extraction")
    command.add_argument("--json", action="store_true")
    command.set_defaults(func=eval_command)
    command = targets.add_parser(
        "corrections", help="build a mixture's hierarchy, let a simulated user correct it, score the untouched studies",
        description="Learning from corrections, measured (protocol LFC-1): after each budget of corrections, HP / "
                    "NMI / ARI of the studies the simulated user never touched, for the corrections alone, the "
                    "learner, and the learner with zero corrections (placebo). The build uses no language model "
                    "(statistics only: sentence embeddings, names without the model) unless --model default.")
    command.add_argument("mixture", metavar="MIXTURE.csv", help="CSV with study_id, title, abstract, topic")
    command.add_argument("--budget", default="0,5,10,20", metavar="N,N,...",
                         help="corrections after which to score (default 0,5,10,20)")
    command.add_argument("--seeds", type=int, default=3, help="simulated users (default 3)")
    command.add_argument("--start", default="app", choices=("app", "true_k", "under", "over", "noisy"),
                         help="what the user is shown first: the app's build (default) or a controlled start")
    command.add_argument("--model", default="none", choices=("none", "default"),
                         help="language model for the build's names: none (default) or the small default model")
    command.add_argument("--scorer", metavar="hierarchy_eval.py",
                         help="the reference scorer (default: ../shared/notes/hierarchy_eval.py beside the checkout)")
    command.add_argument("--json", action="store_true")
    command.set_defaults(func=eval_corrections_command)


def _engine(library=None):
    from litreview.llm import open_engine

    return open_engine(library=library)


def claims_command(args: argparse.Namespace) -> int:
    from litreview.claims import extract_claims

    with open_library(args) as library, TerminalProgress(enabled=not args.json) as bar:
        if args.study:
            missing = [s for s in args.study if library.study(s) is None]
            if missing:
                raise InputError(f"no study with id {', '.join(map(str, missing))}")
        with _engine(library) as engine:
            summary = extract_claims(library, engine, args.study, redo=args.redo, progress=bar, cancel=bar.token)
    if args.json:
        print_json(summary)
    else:
        print(f"{summary['claims']} claims for {summary['with_claims']} of {summary['studies']} studies, "
              f"{summary['grounded_share']:.0%} grounded ({summary['seconds']} s)")
    failed = summary["model_calls_failed"]
    if failed:
        print(f"litreview: {failed} of {summary['llm_calls']} model calls failed (last: {summary['last_model_error']});"
              f" {summary['fallback_studies']} studies got sentences chosen without the model, marked as fallback:"
              " run `litreview claims` again once the model works", file=sys.stderr)
    return 1 if failed and failed == summary["llm_calls"] else 0


def build_command(args: argparse.Namespace) -> int:
    from litreview.hierarchy.build import build_hierarchy

    if not 1 <= args.aspects <= 5 or not 1 <= args.depth <= 3:
        raise InputError("--aspects must be 1-5 and --depth 1-3")
    with open_library(args) as library, TerminalProgress(enabled=not args.json) as bar:
        with _engine(library) as engine:
            scope = "included" if args.included else "all" if args.all else None
            report = build_hierarchy(library, engine, aspects=args.aspects, depth=args.depth, progress=bar,
                                     cancel=bar.token, scope=scope)
    if args.json:
        print_json({"hierarchy_id": report.hierarchy_id, "studies": report.studies, "seconds": report.seconds,
                    "kept_categories": report.kept_categories, "vectors": report.vectors, "notes": report.notes,
                    "model_calls": report.total_calls, "model_calls_failed": report.failed_calls,
                    "model_calls_per_stage": report.model_calls, "stage_seconds": report.stage_seconds,
                    "aspects": [{"id": a.aspect_id, "name": a.name, "kind": a.kind, "categories": a.categories,
                                 "uncategorised": a.uncategorised} for a in report.aspects]})
    else:
        bar.close()
        print(f"hierarchy {report.hierarchy_id}: {len(report.aspects)} aspects for {report.studies} studies "
              f"({report.seconds} s; {report.kept_categories} of your categories kept)")
        for aspect in report.aspects:
            print(f"{aspect.name} ({len(aspect.categories)} categories, {len(aspect.uncategorised)} uncategorised)")
            for category in aspect.categories:
                marker = " [named without the model]" if category["name_source"] == "fallback" else ""
                print(f"  - {category['name']} ({category['studies']}){marker}: {category['description']}")
    for note in report.notes:
        print(f"litreview: {note}", file=sys.stderr)
    return 1 if report.all_calls_failed else 0


def assign_new_command(args: argparse.Namespace) -> int:
    from litreview.hierarchy.build import assign_new_studies
    from litreview.hierarchy.tree import latest_hierarchy_id

    with open_library(args) as library, TerminalProgress(enabled=not args.json) as bar:
        hierarchy_id = latest_hierarchy_id(library)
        if hierarchy_id is None:
            raise InputError("no hierarchy yet: run `litreview hierarchy build` first")
        with _engine(library) as engine:
            result = assign_new_studies(library, engine, hierarchy_id, progress=bar, cancel=bar.token)
    if args.json:
        print_json(result)
    else:
        print(f"{len(result['studies'])} new studies, {result['assigned']} assignments")
    return 0


def show_command(args: argparse.Namespace) -> int:
    from litreview.hierarchy import tree

    with open_library(args) as library:
        hierarchy_id = tree.latest_hierarchy_id(library)
        if hierarchy_id is None:
            raise InputError("no hierarchy yet: run `litreview hierarchy build` first")
        graph = tree.load_graph(library, hierarchy_id)

        def node(category_id: int) -> dict:
            data = graph.nodes[category_id]
            return {"id": category_id, "name": data["name"], "description": data["description"],
                    "locked": bool(data["locked"]), "user_edited": bool(data["user_edited"]),
                    "studies": tree.studies_in(library, category_id) if data["parent_id"] is not None else [],
                    "children": [node(c) for c in tree.children(graph, category_id)]}

        aspects = [{**node(a), "uncategorised": tree.uncategorised(library, hierarchy_id, a)}
                   for a in tree.aspect_ids(graph)]
        if args.json:
            print_json({"hierarchy_id": hierarchy_id, "aspects": aspects})
            return 0

        def show(item: dict, level: int) -> None:
            count = f" ({len(item['studies'])})" if level else ""
            lock = " [locked]" if item["locked"] else ""
            print("  " * level + f"{'- ' if level else ''}{item['name']}{count}{lock}"
                  + (f": {item['description']}" if item["description"] else ""))
            for child in item["children"]:
                show(child, level + 1)

        for aspect in aspects:
            show(aspect, 0)
            if aspect["uncategorised"]:
                print(f"  (uncategorised: {len(aspect['uncategorised'])} studies)")
    return 0


def eval_command(args: argparse.Namespace) -> int:
    from litreview.hierarchy.evaluate import evaluate_mixture, load_scorer

    if not Path(args.mixture).is_file():
        raise InputError(f"mixture not found: {args.mixture}")
    scorer = load_scorer(args.scorer)
    with TerminalProgress(enabled=not args.json) as bar, _engine() as engine:
        result = evaluate_mixture(args.mixture, engine, scorer=scorer, aspects=args.aspects, depth=args.depth,
                                  claims=not args.no_claims, predictions_path=args.predictions, progress=bar,
                                  cancel=bar.token)
    if args.json:
        print_json(result)
        return 0
    bar.close()
    keys = ("best_aspect", "harmonic_purity", "nmi", "ari", "bcubed_f1", "uncategorised_share", "n_categories",
            "claims_grounded", "llm_calls", "tokens", "seconds")
    for key in keys:
        print(f"{key:20} {result.get(key)}")
    print("top-level categories of the best aspect:")
    for category in result["top_categories"]:
        print(f"  - {category['name']} ({category['studies']}): {category['description']}")
    print("per aspect: " + json.dumps(result.get("aspects", []), ensure_ascii=False))
    print("names: " + json.dumps(result.get("names", {})) + f"; seconds per stage: {result.get('stage_seconds')}")
    for lines in result.get("trees", []):
        print("\n".join(lines))
    for note in result.get("notes", []):
        print(f"litreview: {note}", file=sys.stderr)
    return 0


def eval_corrections_command(args: argparse.Namespace) -> int:
    import contextlib

    from litreview.hierarchy.correction_sim import evaluate_corrections
    from litreview.hierarchy.evaluate import load_scorer

    if not Path(args.mixture).is_file():
        raise InputError(f"mixture not found: {args.mixture}")
    try:
        budgets = tuple(int(b) for b in args.budget.split(",") if b.strip())
    except ValueError:
        raise InputError(f"--budget must be numbers separated by commas, not {args.budget!r}") from None
    if not budgets or min(budgets) < 0 or not 1 <= args.seeds <= 50:
        raise InputError("--budget needs numbers >= 0 and --seeds 1-50")
    scorer = load_scorer(args.scorer)
    engine_context = _engine() if args.model == "default" else contextlib.nullcontext(None)
    with TerminalProgress(enabled=not args.json) as bar, engine_context as engine:
        result = evaluate_corrections(args.mixture, scorer=scorer, budgets=budgets, seeds=args.seeds,
                                      start=args.start, engine=engine, progress=bar, cancel=bar.token)
    if args.json:
        result.pop("per_seed", None)
        print_json(result)
        return 0
    bar.close()
    print(f"{result['mixture']}: {result['studies']} studies, start {result['start']!r}, {result['seeds']} seeds, "
          f"vectors {result['vectors']}, model {result['model'] or 'none'} (build {result['build_seconds']} s)")
    print("corrections  untouched  apply-only HP/NMI/ARI   learner HP/NMI/ARI      placebo HP/NMI/ARI      "
          "fixed/corr  seconds")
    for row in result["budgets"]:
        cells = ["/".join(f"{row[r][m]:.3f}" for m in ("hp", "nmi", "ari")) for r in ("apply_only", "learner", "placebo")]
        fixed = row["fixed_per_correction"]
        print(f"{row['corrections']:>11}  {row['untouched']:>9}  {cells[0]:22}  {cells[1]:22}  {cells[2]:22}  "
              f"{'-' if fixed is None else f'{fixed:+.2f}':>10}  {row['seconds']:.2f}")
    return 0
