"""`litreview export FORMAT -o FILE`: the library, the hierarchy, the screening decisions and the paper's figures.

* ``ris``, ``bibtex``, ``csv``: every study, in the formats reference managers and spreadsheets read.
* ``markdown``, ``hierarchy-csv``, ``summary-csv``: the topic hierarchy for a paper (``--aspect`` to choose
  aspects, ``--included-only``, ``--uncategorised count|list|none``).
* ``decisions``: the screening decisions of both stages (study, stage, decision, reason, time, who).
* ``prisma``: the PRISMA 2020 flow diagram as SVG, PDF, PNG (300 dpi) or the PRISMA2020 R package's CSV;
  ``--json`` prints every number with the ids of the studies (and import outcomes) behind it.
* ``taxonomy``: one aspect as a LaTeX forest snippet, SVG, PDF, PNG, Mermaid mindmap or Markdown outline.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from litreview.cli.common import InputError, open_library, print_json

FORMATS = ("ris", "bibtex", "csv", "markdown", "hierarchy-csv", "summary-csv", "decisions", "prisma", "taxonomy")
HIERARCHY_FORMATS = ("markdown", "hierarchy-csv", "summary-csv")


def register(subparsers) -> None:
    command = subparsers.add_parser(
        "export", help="export the library, the hierarchy, the screening decisions, the PRISMA diagram or a taxonomy",
        description=__doc__.split("\n\n", 1)[1].replace("``", ""), formatter_class=argparse.RawDescriptionHelpFormatter)
    command.add_argument("format", choices=FORMATS)
    command.add_argument("-o", "--output", metavar="FILE", help="file to write (prisma --json may leave it out)")
    command.add_argument("--hierarchy", type=int, metavar="ID", help="which hierarchy (default: the newest)")
    command.add_argument("--aspect", action="append", metavar="NAME",
                         help="aspect to export (name or id; repeat for several; taxonomy: exactly one)")
    command.add_argument("--included-only", action="store_true", help="only the studies included by screening")
    command.add_argument("--uncategorised", choices=("count", "list", "none"), default="count",
                         help="uncategorised studies in markdown: a count (default), a list, or nothing; "
                              "'none' also leaves them out of the CSV tables")
    command.add_argument("--no-summary", action="store_true", help="markdown without the summary table per aspect")
    command.add_argument("--no-counts", action="store_true", help="taxonomy without (n = ...) on each category")
    command.add_argument("--format", dest="figure_format", metavar="F",
                         help="prisma: svg|pdf|png|csv; taxonomy: tex|svg|pdf|png|mermaid|md (default: from the suffix)")
    command.add_argument("--other-methods", choices=("auto", "on", "off"), default="auto",
                         help="prisma: draw the other-methods arm (default: when it has records)")
    command.add_argument("--json", action="store_true", help="print what was written as JSON")
    command.set_defaults(func=export_command)


def export_command(args: argparse.Namespace) -> int:
    if args.output is None and not (args.format == "prisma" and args.json):
        raise InputError("give the file to write with -o FILE")
    from litreview.export.files import check_target

    output = check_target(args.output) if args.output else None
    with open_library(args) as library:
        if args.format == "prisma":
            return _prisma(library, output, args)
        if args.format == "taxonomy":
            return _taxonomy(library, output, args)
        assert output is not None
        if args.format in HIERARCHY_FORMATS:
            from litreview.export import hierarchy

            if args.format == "markdown":
                hierarchy.write_markdown(library, output, args.hierarchy, aspects=args.aspect,
                                         included_only=args.included_only, uncategorised=args.uncategorised,
                                         summary=not args.no_summary)
            else:
                write = hierarchy.write_csv if args.format == "hierarchy-csv" else hierarchy.write_summary_csv
                write(library, output, args.hierarchy, aspects=args.aspect, included_only=args.included_only,
                      uncategorised=args.uncategorised != "none")
        elif args.format == "decisions":
            from litreview.export.decisions import write_decisions_csv

            write_decisions_csv(library, output)
        else:
            from litreview.export.library import write_bibtex, write_csv, write_ris

            {"ris": write_ris, "bibtex": write_bibtex, "csv": write_csv}[args.format](library, output)
        count = library.study_count()
    if args.json:
        print_json({"format": args.format, "file": str(output), "studies": count})
    else:
        print(f"wrote {output} ({args.format}, library of {count} studies)")
    return 0


def _prisma(library, output: Path | None, args: argparse.Namespace) -> int:
    from litreview.export.figures import format_for, write_prisma
    from litreview.export.prisma import prisma_flow

    other = {"auto": None, "on": True, "off": False}[args.other_methods]
    if output is None:
        flow, fmt = prisma_flow(library, other), None
    else:
        fmt = format_for(output, args.figure_format, ("svg", "pdf", "png", "csv"))
        flow = write_prisma(library, output, fmt, other_methods=other)
    if args.json:
        print_json({"format": "prisma", "file": str(output) if output else None, "figure_format": fmt,
                    **flow.as_dict()})
        return 0
    print(f"wrote {output} (PRISMA 2020 flow diagram, {fmt}): "
          f"{flow.count('database_results') + flow.count('register_results')} records from databases and registers"
          + (f", {flow.count('other_results')} from other methods" if flow.other_arm else "")
          + f", {flow.count('new_studies')} studies included")
    for warning in flow.warnings:
        print(f"note: {warning}", file=sys.stderr)
    return 0


def _taxonomy(library, output: Path | None, args: argparse.Namespace) -> int:
    from litreview.export.figures import write_taxonomy

    if not args.aspect or len(args.aspect) != 1:
        raise InputError("taxonomy needs exactly one --aspect NAME")
    assert output is not None
    written = write_taxonomy(library, output, args.aspect[0], args.figure_format, hierarchy_id=args.hierarchy,
                             included_only=args.included_only, counts=not args.no_counts)
    if args.json:
        print_json({"format": "taxonomy", **written})
    else:
        print(f"wrote {output} (taxonomy of {written['aspect']!r}, {written['format']}): "
              f"{written['categories']} categories, {written['studies']} studies")
    return 0
