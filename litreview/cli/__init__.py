"""The ``litreview`` command line: one sub-command module per area, each with a ``register(subparsers)``."""

from __future__ import annotations

import argparse
import importlib
import sys

from litreview.cli.common import run_handler

# Each module adds its sub-commands; the order is the order of `litreview --help`.
COMMAND_MODULES = [
    "litreview.cli.library_cmds",   # import, metadata, list, search, show, undo, redo, demo
    "litreview.cli.screen_cmds",    # screen ...
    "litreview.cli.hierarchy_cmds", # claims, hierarchy ..., eval hierarchy
    "litreview.cli.export_cmds",    # export ...
    "litreview.cli.models_cmds",    # models ...
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="litreview", description="Literature reviews with a local LLM.")
    parser.add_argument("--library", metavar="DIR", help="library folder (default: $LITREVIEW_LIBRARY or the per-user data folder)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return run_handler(args)


if __name__ == "__main__":
    sys.exit(main())
