"""Screening sub-commands: simulate, next, decide, status, protocol."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from litreview.cli.common import InputError, TerminalProgress, open_library, print_json


def register(subparsers) -> None:
    screen = subparsers.add_parser("screen", help="title/abstract screening: rank, decide, status, simulate")
    commands = screen.add_subparsers(dest="screen_command", metavar="SCREEN_COMMAND", required=True)

    command = commands.add_parser("simulate", help="replay screening on a labelled CSV and print WSS@95, RRF@10, ...")
    command.add_argument("dataset", metavar="DATASET.csv[.gz]", help="columns title, abstract, label_included")
    command.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1, one prior draw each (default 5)")
    command.add_argument("--prior", default="1,1", metavar="INCL,EXCL", help="prior included,excluded records (1,1)")
    command.add_argument("--orders", metavar="FILE.jsonl", help="write each seed's screening order here")
    command.add_argument("--plot", metavar="FILE.png", help="write the recall curves (one per seed) here")
    command.add_argument("--json", action="store_true", help="one JSON line with the summary")
    command.set_defaults(func=simulate_command)

    command = commands.add_parser("next", help="show the record to screen next")
    command.add_argument("--json", action="store_true")
    command.set_defaults(func=next_command)

    command = commands.add_parser("decide", help="record include / exclude / maybe for a study (undo: litreview undo)")
    command.add_argument("study_id", type=int, metavar="STUDY_ID")
    command.add_argument("decision", choices=["include", "exclude", "maybe"])
    command.add_argument("--note", default="", help="why (kept with the decision)")
    command.add_argument("--json", action="store_true")
    command.set_defaults(func=decide_command)

    command = commands.add_parser("status", help="screened, included, estimated remaining, suggested stop")
    command.add_argument("--json", action="store_true")
    command.set_defaults(func=status_command)

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
    prior_counts = _prior_counts(args.prior)
    dataset = load_labelled(Path(args.dataset).expanduser())
    with TerminalProgress(enabled=not args.json) as bar:
        summary, runs = simulate(dataset, args.seeds, prior_counts, progress=bar, cancel=bar.token)
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
              f"{summary['stop_fraction']:.1f} % of the records")
    return 0


# -- real screening ---------------------------------------------------------------------------------------
def next_command(args: argparse.Namespace) -> int:
    from litreview.screening import Ranker

    with open_library(args) as library:
        ranker = Ranker(library)
        ranking = ranker.rank()
        study = library.study(ranking[0]) if ranking else None
        if args.json:
            print_json({"study": study, "unscreened": len(ranking), "mode": ranker.mode})
            return 0
        if study is None:
            print("nothing left to screen: every study has a decision")
            return 0
        how = {"active": "active learning", "bm25": "BM25 on the protocol",
               "file order": "import order (no protocol and no include+exclude yet: "
                             "`litreview screen protocol --question ...` ranks by relevance)"}[ranker.mode]
        print(f"[{study['id']}] {study['title'] or '(no title)'}")
        if study.get("year"):
            print(f"year: {study['year']}")
        print()
        print(study.get("abstract") or "(no abstract)")
        print()
        print(f"{len(ranking)} unscreened; ranked by {how}")
        print(f"decide: litreview screen decide {study['id']} include|exclude|maybe [--note TEXT]")
    return 0


def decide_command(args: argparse.Namespace) -> int:
    from litreview.screening import decide

    with open_library(args) as library:
        decide(library, args.study_id, args.decision, note=args.note)
        if args.json:
            print_json({"study_id": args.study_id, "decision": args.decision, "note": args.note})
        else:
            print(f"{args.decision}: study {args.study_id} (undo: litreview undo)")
    return 0


def status_command(args: argparse.Namespace) -> int:
    from litreview.screening import screening_status

    with open_library(args) as library:
        status = screening_status(library)
    if args.json:
        print_json(status)
        return 0
    print(f"screened {status['screened']} of {status['total']}: {status['included']} included, "
          f"{status['excluded']} excluded, {status['maybe']} maybe")
    if status["estimated_remaining"] is not None:
        low, high = status["remaining_interval"]
        print(f"relevant records still unscreened: about {status['estimated_remaining']:.1f} "
              f"(90 % interval {low}-{high}); estimated recall {status['estimated_recall']:.0%}")
    print(f"irrelevant in a row: {status['irrelevant_in_a_row']}")
    print(status["stop_note"])
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
