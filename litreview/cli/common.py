"""What every sub-command shares: opening the library, JSON output, a terminal progress bar, Ctrl+C.

A handler is ``func(args) -> int`` set with ``parser.set_defaults(func=...)``. ``run_handler`` turns Ctrl+C
into a clean stop (exit 130; work already committed stays, the open transaction rolls back) and a
``InputError`` into one readable line on stderr (exit 2) instead of a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from litreview.errors import InputError, LitreviewError, report_bug
from litreview.jobs import CancelToken, ProgressEvent
from litreview.paths import default_library
from litreview.store import Library

__all__ = ["InputError", "TerminalProgress", "open_library", "print_json", "run_handler"]


def run_handler(args: argparse.Namespace) -> int:
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("\nstopped: work finished so far is saved", file=sys.stderr)
        return 130
    except LitreviewError as error:
        print(f"litreview: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (``litreview list | head``): not an error; keep Python from complaining at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:  # a bug: the traceback goes to the log, the user gets one line
        print(f"litreview: {report_bug(error, f'running `litreview {args.command}`')}", file=sys.stderr)
        return 1


def open_library(args: argparse.Namespace) -> Library:
    return Library(Path(args.library).expanduser() if args.library else default_library())


def print_json(value: Any) -> None:
    """One JSON document per line on stdout (the `--json` contract)."""
    print(json.dumps(value, ensure_ascii=False, default=str), flush=True)


class TerminalProgress:
    """A progress callback that draws a tqdm bar on stderr, only on a terminal and never in --json mode."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled and sys.stderr.isatty()
        self.bar = None
        self.token = CancelToken()

    def __call__(self, event: ProgressEvent) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        bar = self.bar
        if bar is None or bar.desc != event.stage:
            if bar is not None:
                bar.close()
            bar = self.bar = tqdm(total=event.total, desc=event.stage, unit="item", file=sys.stderr, leave=False)
        bar.total = event.total
        bar.n = event.done
        if event.message:
            bar.set_postfix_str(event.message[-40:], refresh=False)
        bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
