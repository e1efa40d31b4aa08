"""`litreview export FORMAT -o FILE`: the library as RIS, BibTeX or CSV; the topic hierarchy as Markdown or CSV."""

from __future__ import annotations

import argparse
from pathlib import Path

from litreview.cli.common import InputError, open_library, print_json

FORMATS = ("ris", "bibtex", "csv", "markdown", "hierarchy-csv")


def register(subparsers) -> None:
    command = subparsers.add_parser("export", help="export the library (ris, bibtex, csv) or the hierarchy "
                                                   "(markdown, hierarchy-csv)")
    command.add_argument("format", choices=FORMATS)
    command.add_argument("-o", "--output", required=True, metavar="FILE")
    command.add_argument("--hierarchy", type=int, metavar="ID", help="which hierarchy (default: the newest)")
    command.add_argument("--json", action="store_true", help="print what was written as JSON")
    command.set_defaults(func=export_command)


def export_command(args: argparse.Namespace) -> int:
    output = Path(args.output).expanduser()
    if not output.parent.is_dir():
        raise InputError(f"folder {output.parent} does not exist")
    with open_library(args) as library:
        if args.format in ("markdown", "hierarchy-csv"):
            # Imported here: the hierarchy exporter belongs to the hierarchy feature, not to every CLI start.
            from litreview.export import hierarchy

            write = hierarchy.write_markdown if args.format == "markdown" else hierarchy.write_csv
            write(library, output, args.hierarchy)
        else:
            from litreview.export.library import write_bibtex, write_csv, write_ris

            {"ris": write_ris, "bibtex": write_bibtex, "csv": write_csv}[args.format](library, output)
        count = library.study_count()
    if args.json:
        print_json({"format": args.format, "file": str(output), "studies": count})
    else:
        print(f"wrote {output} ({args.format}, library of {count} studies)")
    return 0
