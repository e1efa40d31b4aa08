"""Screening sub-commands: simulate, next, decide, status, stop, check, history, reasons, settings, methods,
protocol."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from litreview.cli.common import InputError, TerminalProgress, open_library, print_json

STAGE_HELP = "title_abstract (default) or full_text"


def register(subparsers) -> None:
    screen = subparsers.add_parser("screen", help="screening: rank, decide, stop, history, reasons, simulate")
    commands = screen.add_subparsers(dest="screen_command", metavar="SCREEN_COMMAND", required=True)

    command = commands.add_parser("simulate", help="replay screening on a labelled CSV and print WSS@95, RRF@10, ...")
    command.add_argument("dataset", metavar="DATASET.csv[.gz]", help="columns title, abstract, label_included")
    command.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1, one prior draw each (default 5)")
    command.add_argument("--prior", default="1,1", metavar="INCL,EXCL", help="prior included,excluded records (1,1)")
    command.add_argument("--target", type=float, default=0.95, help="recall target of the stopping rule (0.95)")
    command.add_argument("--confidence", type=float, default=0.95, help="confidence of the stopping rule (0.95)")
    command.add_argument("--orders", metavar="FILE.jsonl", help="write each seed's screening order here")
    command.add_argument("--plot", metavar="FILE.png", help="write the recall curves (one per seed) here")
    command.add_argument("--json", action="store_true", help="one JSON line: means, per-run figures, stops reaching the target")
    command.set_defaults(func=simulate_command)

    command = commands.add_parser("next", help="show the record to screen next")
    command.add_argument("--stage", default="title_abstract", help=STAGE_HELP)
    command.add_argument("--json", action="store_true")
    command.set_defaults(func=next_command)

    command = commands.add_parser("decide", help="record a decision on a study (undo: litreview undo)")
    command.add_argument("study_id", type=int, metavar="STUDY_ID")
    command.add_argument("decision", choices=["include", "exclude", "maybe", "not_retrieved"],
                         help="title/abstract: include, exclude, maybe; full text: include, exclude, not_retrieved")
    command.add_argument("--stage", default="title_abstract", help=STAGE_HELP)
    command.add_argument("--reason", default="", help="a reason from `litreview screen reasons`, or any short phrase")
    command.add_argument("--note", default="", help="free text kept with the decision")
    command.add_argument("--json", action="store_true")
    command.set_defaults(func=decide_command)

    command = commands.add_parser("status", help="progress, the stopping rule with its evidence and p-value")
    command.add_argument("--stage", default="title_abstract", help=STAGE_HELP)
    command.add_argument("--json", action="store_true")
    command.set_defaults(func=status_command)

    command = commands.add_parser("stop", help="record that screening stops here, with the rule's evidence")
    command.add_argument("--stage", default="title_abstract", help=STAGE_HELP)
    command.add_argument("--json", action="store_true")
    command.set_defaults(func=stop_command)

    command = commands.add_parser("check", help="a random check: screen N random records to confirm the stop")
    action = command.add_mutually_exclusive_group()
    action.add_argument("--start", action="store_true", help="draw the random records (shown first by `next`)")
    action.add_argument("--cancel", action="store_true", help="end the check; the ranking takes over again")
    command.add_argument("--seed", type=int, help="seed of the random draw (for a reproducible check)")
    command.add_argument("--json", action="store_true")
    command.set_defaults(func=check_command)

    command = commands.add_parser("history", help="every decision, newest first (filter and search)")
    command.add_argument("--stage", help=STAGE_HELP + "; default both")
    command.add_argument("--decision", help="only this decision")
    command.add_argument("--study", type=int, metavar="STUDY_ID", help="only this study")
    command.add_argument("--search", default="", help="words in the title, reason or note")
    command.add_argument("--limit", type=int, help="at most this many rows")
    command.add_argument("--json", action="store_true", help="one JSON line per decision")
    command.set_defaults(func=history_command)

    command = commands.add_parser("reasons", help="show or edit the review's exclusion reasons")
    command.add_argument("--stage", default="title_abstract", help=STAGE_HELP)
    edit = command.add_mutually_exclusive_group()
    edit.add_argument("--add", metavar="TEXT")
    edit.add_argument("--remove", metavar="TEXT")
    edit.add_argument("--rename", nargs=2, metavar=("OLD", "NEW"))
    command.add_argument("--json", action="store_true")
    command.set_defaults(func=reasons_command)

    command = commands.add_parser("settings", help="show or change the stopping rule's target recall and confidence")
    command.add_argument("--target", type=float, help="target recall, e.g. 0.95 or 95")
    command.add_argument("--confidence", type=float, help="confidence, e.g. 0.95 or 95")
    command.add_argument("--json", action="store_true")
    command.set_defaults(func=settings_command)

    command = commands.add_parser("methods", help="a methods paragraph: tool, ranking, rule, stop, full-text counts")
    command.add_argument("--json", action="store_true")
    command.set_defaults(func=methods_command)

    command = commands.add_parser("protocol", help="show or edit the research question and criteria")
    command.add_argument("--question")
    command.add_argument("--inclusion", help="inclusion criteria (free text)")
    command.add_argument("--exclusion", help="exclusion criteria (free text)")
    command.add_argument("--json", action="store_true")
    command.set_defaults(func=protocol_command)


# -- simulate ---------------------------------------------------------------------------------------------
def _prior_counts(text: str) -> tuple[int, int]:
    try:
        included, excluded = (int(x) for x in text.split(","))
    except ValueError:
        raise InputError(f"--prior must be two numbers like 1,1 (included,excluded), not {text!r}") from None
    if included < 1 or excluded < 1:
        raise InputError("--prior needs at least one included and one excluded record")
    return included, excluded


def simulate_command(args: argparse.Namespace) -> int:
    from litreview.screening.labelled import load_labelled
    from litreview.screening.simulate import simulate

    if args.seeds < 1:
        raise InputError("--seeds must be at least 1")
    for name in ("target", "confidence"):
        if not 0.5 <= getattr(args, name) < 1:
            raise InputError(f"--{name} must be a fraction between 0.5 and 1, like 0.95")
    prior_counts = _prior_counts(args.prior)
    dataset = load_labelled(Path(args.dataset).expanduser())
    with TerminalProgress(enabled=not args.json) as bar:
        summary, runs = simulate(dataset, args.seeds, prior_counts, progress=bar, cancel=bar.token,
                                 target=args.target, confidence=args.confidence)
    if args.orders:
        with open(args.orders, "w", encoding="utf-8") as handle:
            for run in runs:
                handle.write(json.dumps({"seed": run.seed, "priors": run.priors, "order": run.order}) + "\n")
    if args.plot:
        from litreview.screening.plot import recall_curves

        recall_curves(dataset, runs, Path(args.plot))
    if args.json:
        print_json(summary)
    else:
        print(f"{summary['dataset']}: {summary['n']} records, {summary['n_included']} included, "
              f"{summary['seeds']} seeds, {summary['seconds']:.1f} s")
        print(f"  WSS@95 {summary['wss95']:.1f} %   RRF@10 {summary['rrf10']:.1f} %   ATD {summary['atd']:.1f} %   "
              f"loss {summary['loss']:.3f}   first relevant after {summary['records_to_first_relevant']:.1f} records")
        print(f"  suggested stop: recall {summary['stop_recall']:.1f} % after screening "
              f"{summary['stop_fraction']:.1f} % of the records; {summary['stop_reached_target']:.0%} of runs reached "
              f"{args.target:.0%}")
        for run in summary["runs"]:
            print(f"    seed {run['seed']}: WSS@95 {run['wss95']:.1f}  ATD {run['atd']:.1f}  stop after "
                  f"{run['stop_position']} records ({run['stop_fraction']:.1f} %), recall {run['stop_recall']:.1f} %")
    return 0


# -- real screening ---------------------------------------------------------------------------------------
def next_command(args: argparse.Namespace) -> int:
    from litreview.screening import FULL_TEXT, snapshot, study_label
    from litreview.screening.decisions import check_stage

    stage = check_stage(args.stage)
    with open_library(args) as library:
        view = snapshot(library, stage=stage)
        study = library.study(view.queue[0]) if view.queue else None
        if args.json:
            print_json({"study": study, "unscreened": len(view.queue), "mode": view.mode, "stage": stage})
            return 0
        if study is None:
            print("nothing left to screen at this stage" if library.study_count() else "no studies yet")
            return 0
        how = {"active": "active learning", "bm25": "BM25 on the protocol",
               "random check": "a random check (records drawn at random, to confirm the stop)",
               "inclusion order": "the order they were included at title/abstract",
               "file order": "import order (no protocol and no include+exclude yet: "
                             "`litreview screen protocol --question ...` ranks by relevance)"}[view.mode]
        print(f"[{study['id']}] {study_label(study)}")
        print()
        print(study.get("abstract") or "(no abstract)")
        print()
        print(f"{len(view.queue)} to decide; ordered by {how}")
        choices = "include|exclude|not_retrieved --stage full_text" if stage == FULL_TEXT else "include|exclude|maybe"
        print(f"decide: litreview screen decide {study['id']} {choices} [--reason TEXT] [--note TEXT]")
    return 0


def decide_command(args: argparse.Namespace) -> int:
    from litreview.screening import decide, study_label

    with open_library(args) as library:
        decide(library, args.study_id, args.decision, stage=args.stage, reason=args.reason, note=args.note)
        study = library.study(args.study_id)
        if args.json:
            print_json({"study_id": args.study_id, "stage": args.stage, "decision": args.decision,
                        "reason": args.reason, "note": args.note})
        else:
            reason = f" ({args.reason})" if args.reason else ""
            print(f"{args.decision.replace('_', ' ')}{reason}: {study_label(study or {})} (undo: litreview undo)")
    return 0


def status_command(args: argparse.Namespace) -> int:
    from litreview.screening import screening_status
    from litreview.screening.decisions import check_stage

    with open_library(args) as library:
        status = screening_status(library, check_stage(args.stage))
    if args.json:
        print_json(status)
        return 0
    print(format_status(status))
    return 0


def format_status(status: dict) -> str:
    from litreview.screening.settings import percent

    if status["stage"] == "full_text":
        lines = [f"full text: {status['screened']} of {status['total']} decided ({status['sought']} reports sought): "
                 f"{status['included']} included, {status['excluded']} excluded, {status['not_retrieved']} not retrieved"]
        lines += [f"  excluded, {reason}: {count}" for reason, count in status["exclusion_reasons"].items()]
        lines.append(status["stop_note"])
    else:
        lines = [f"screened {status['screened']} of {status['total']}: {status['included']} included, "
                 f"{status['excluded']} excluded, {status['maybe']} maybe",
                 f"stopping rule: {status['rule_name']} ({'ranked sample' if status['rule'] == 'ranked' else 'random sample'}), "
                 f"target recall {percent(status['target_recall'])} at {percent(status['confidence'])} confidence",
                 f"evidence: {status['records_since_last_include']} records since the last include; "
                 f"p = {status['p_value']:.3g} (stop when < {1 - status['confidence']:.3g})"]
        if status["estimated_remaining"] is not None:
            low, high = status["remaining_interval"]
            lines.append(f"model estimate (information, not the rule): about {status['estimated_remaining']:.1f} "
                         f"relevant records still unscreened (90 % interval {low}-{high})")
        lines.append(status["stop_note"])
    stop = status.get("stopped")
    if stop:
        who = "the rule" if stop["chosen_by"] == "rule" else "your choice"
        lines.append(f"stopped on {stop['created'][:10]} by {who}, after {stop['screened']} of {stop['total']}")
    return "\n".join(lines)


def stop_command(args: argparse.Namespace) -> int:
    from litreview.screening import stop_screening
    from litreview.screening.decisions import check_stage

    with open_library(args) as library:
        stop = stop_screening(library, check_stage(args.stage))
    if args.json:
        print_json(stop)
        return 0
    evidence = stop["evidence"]
    if stop["chosen_by"] == "rule":
        print(f"stopped: the rule allows it (p = {evidence.get('p_value', 0):.3g}); "
              f"{stop['screened']} of {stop['total']} screened")
    else:
        print(f"stopped by your choice before the rule allows it; recorded as such "
              f"({stop['screened']} of {stop['total']} screened)")
        if evidence.get("stop_note"):
            print(f"the rule said: {evidence['stop_note']}")
    print("undo: litreview undo")
    return 0


def check_command(args: argparse.Namespace) -> int:
    from litreview.screening import cancel_random_check, screening_status, start_random_check

    with open_library(args) as library:
        if args.start:
            start_random_check(library, args.seed)
        elif args.cancel:
            cancel_random_check(library)
        status = screening_status(library)
    check = status["random_check"]
    if args.json:
        print_json({"random_check": check, "offer": status["random_sample_offer"], "stop_note": status["stop_note"]})
        return 0
    if check is None and not args.cancel:
        offer = status["random_sample_offer"]
        print(status["stop_note"] if offer is None else
              f"a random check would need {offer} random records, none of them relevant; "
              "start it with `litreview screen check --start`")
    elif check is None:
        print("random check ended; the ranking orders the records again")
    else:
        print(status["stop_note"])
    return 0


def history_command(args: argparse.Namespace) -> int:
    from litreview.screening import decision_history
    from litreview.screening.decisions import STAGE_NAMES

    with open_library(args) as library:
        rows = decision_history(library, stage=args.stage, decision=args.decision, study_id=args.study,
                                search=args.search, limit=args.limit)
    if args.json:
        for row in rows:
            print_json(row)
        return 0
    if not rows:
        print("no decisions match" if (args.stage or args.decision or args.search or args.study) else "no decisions yet")
        return 0
    for row in rows:
        mark = "" if row["current"] else "  (since changed)"
        reason = f" — {row['reason']}" if row["reason"] else ""
        note = f" [{row['note']}]" if row["note"] else ""
        year = f" ({row['year']})" if row["year"] else ""
        print(f"{row['time'][:16].replace('T', ' ')}  {STAGE_NAMES.get(row['stage'], row['stage']):14} "
              f"{row['decision'].replace('_', ' '):13} {row['title'][:60]}{year}{reason}{note}"
              f"{'  by automation' if row['who'] == 'automation' else ''}{mark}")
    return 0


def reasons_command(args: argparse.Namespace) -> int:
    from litreview.screening import add_reason, reasons, remove_reason, rename_reason
    from litreview.screening.decisions import check_stage

    stage = check_stage(args.stage)
    with open_library(args) as library:
        if args.add:
            current = add_reason(library, stage, args.add)
        elif args.remove:
            current = remove_reason(library, stage, args.remove)
        elif args.rename:
            current = rename_reason(library, stage, *args.rename)
        else:
            current = reasons(library, stage)
    if args.json:
        print_json({"stage": stage, "reasons": current})
    else:
        for number, text in enumerate(current, start=1):
            print(f"{number}. {text}")
    return 0


def settings_command(args: argparse.Namespace) -> int:
    from litreview.screening import set_stopping_settings, stopping_settings
    from litreview.screening.settings import percent

    with open_library(args) as library:
        if args.target is not None or args.confidence is not None:
            target, confidence = set_stopping_settings(library, args.target, args.confidence)
        else:
            target, confidence = stopping_settings(library)
    if args.json:
        print_json({"target_recall": target, "confidence": confidence})
    else:
        print(f"stop when recall below {percent(target)} is rejected at {percent(confidence)} confidence")
    return 0


def methods_command(args: argparse.Namespace) -> int:
    from litreview.screening import methods_paragraph

    with open_library(args) as library:
        text = methods_paragraph(library)
    if args.json:
        print_json({"methods": text})
    else:
        print(text)
    return 0


def protocol_command(args: argparse.Namespace) -> int:
    from litreview.screening import get_protocol, set_protocol

    with open_library(args) as library:
        if any(v is not None for v in (args.question, args.inclusion, args.exclusion)):
            protocol = set_protocol(library, args.question, args.inclusion, args.exclusion)
        else:
            protocol = get_protocol(library)
    if args.json:
        print_json(protocol)
    else:
        for name in ("question", "inclusion", "exclusion"):
            print(f"{name}: {protocol[name] or '(not set)'}")
    return 0
