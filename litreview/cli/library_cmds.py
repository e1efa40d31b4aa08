"""Library sub-commands: import, metadata, list, search, show, undo, redo, demo."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

from litreview.cli.common import InputError, TerminalProgress, open_library, print_json
from litreview.jobs import CancelToken, ProgressEvent


def register(subparsers) -> None:
    command = subparsers.add_parser("import", help="import PDFs, RIS/BibTeX/CSV exports, or folders of them")
    command.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (folders are searched)")
    command.add_argument("--link", action="store_true", help="keep PDFs where they are instead of copying them in")
    command.add_argument("--workers", type=int, help="PDF reader processes (default: one per core)")
    command.add_argument("--source", metavar="NAME", help="where the records come from: the database or register "
                         "searched (PubMed, Scopus, ClinicalTrials.gov) or the method (citation searching); "
                         "default: the source remembered for each file name")
    command.add_argument("--source-kind", choices=["database", "register", "other"],
                         help="what the source is (default: database; 'other' for other methods such as "
                         "citation searching or websites)")
    command.add_argument("--timeout", type=float, metavar="SECONDS",
                         help="give up a PDF that takes longer than this to read (default: the library's "
                         "setting, 60 s)")
    command.add_argument("--json", action="store_true", help="one JSON line per outcome, then a summary line")
    command.set_defaults(func=import_command)

    command = subparsers.add_parser("metadata", help="print the metadata extracted from one PDF as JSON")
    command.add_argument("pdf", metavar="FILE.pdf")
    command.add_argument("--timeout", type=float, metavar="SECONDS", help="give up after this long (default 60 s)")
    command.set_defaults(func=metadata_command)

    command = subparsers.add_parser("list", help="list the studies in the library")
    command.add_argument("--json", action="store_true")
    command.set_defaults(func=list_command)

    command = subparsers.add_parser("search", help="full-text search (title, abstract, PDF text), best first")
    command.add_argument("query", nargs="+", metavar="QUERY", help="words (all must match); word* for a prefix")
    command.add_argument("--limit", type=int, default=20)
    command.add_argument("--json", action="store_true")
    command.set_defaults(func=search_command)

    command = subparsers.add_parser("show", help="show one study")
    command.add_argument("study_id", type=int, metavar="STUDY_ID")
    command.add_argument("--json", action="store_true")
    command.set_defaults(func=show_command)

    command = subparsers.add_parser("undo", help="undo the last change to the library")
    command.add_argument("--keep", type=int, metavar="N",
                         help="instead of undoing: keep the last N undo steps in this library (default 200)")
    command.set_defaults(func=undo_command)
    command = subparsers.add_parser("redo", help="redo the last undone change")
    command.set_defaults(func=redo_command)

    command = subparsers.add_parser("demo", help="write the demo corpus as PDFs and import it into the library")
    command.add_argument("--out", metavar="DIR", help="where to write the PDFs (default: demo-pdfs in the library)")
    command.add_argument("--json", action="store_true")
    command.set_defaults(func=demo_command)


# -- import -----------------------------------------------------------------------------------------------
def import_command(args: argparse.Namespace) -> int:
    from litreview.importing import Source, import_paths, summarise
    from litreview.importing.settings import check_timeout

    missing = [p for p in args.paths if not Path(p).expanduser().exists()]
    if missing and len(missing) == len(args.paths):
        raise InputError(f"nothing to import: {', '.join(missing)} not found")
    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers must be 1 or more (got {args.workers})")
    if args.source_kind and not args.source:
        raise InputError("--source-kind needs --source NAME (the database, register or method it describes)")
    source = Source.of((args.source, args.source_kind or "database")) if args.source else None
    timeout = check_timeout(args.timeout) if args.timeout is not None else None
    with (open_library(args) as library, TerminalProgress(enabled=not args.json) as bar,
          _first_interrupt_cancels() as cancel):
        def progress(event: ProgressEvent) -> None:
            bar(event)
            if args.json:
                for outcome in event.data.get("outcomes", []):
                    print_json(outcome)

        report = import_paths(library, args.paths, link=args.link, progress=progress, cancel=cancel,
                              workers=args.workers, source=source, timeout=timeout)
        counts = summarise(report)
    if args.json:
        print_json({"summary": counts, "cancelled": cancel.cancelled, "stopped": report.stopped,
                    "batch": report.batch, "library": str(library.folder)})
    else:
        for outcome in report:
            if outcome.status != "imported" or outcome.reason:
                print(f"{outcome.status:9} {outcome.input}: {outcome.reason}")
        print(f"{counts['imported']} imported, {counts['duplicate']} duplicates, {counts['failed']} failed"
              f" -> {library.folder}")
        if cancel.cancelled:
            print("stopped early: the files listed were handled; run the same import again to finish")
    if report.stopped:
        print(f"litreview: import stopped: {report.stopped}", file=sys.stderr)
        return 2
    if cancel.cancelled:
        return 130
    nothing_usable = counts["failed"] and not counts["imported"] and not counts["duplicate"]
    return 1 if nothing_usable else 0


@contextlib.contextmanager
def _first_interrupt_cancels() -> Iterator[CancelToken]:
    """Ctrl+C once: finish the file being written, then stop (a clean, resumable stop). Twice: stop now."""
    token = CancelToken()

    def handler(signum, frame) -> None:
        if token.cancelled:
            raise KeyboardInterrupt
        token.cancel()
        print("\nstopping after the current file (Ctrl+C again to stop at once)", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield token
    finally:
        signal.signal(signal.SIGINT, previous)


# -- metadata ---------------------------------------------------------------------------------------------
def metadata_command(args: argparse.Namespace) -> int:
    """Read the PDF the way an import does: in a reader process, under the same timeout, so a damaged or hostile
    file gives one line instead of a crash or a hang."""
    from litreview.importing.reader_pool import DEFAULT_TIMEOUT_S, ReaderPool
    from litreview.importing.settings import check_timeout

    path = Path(args.pdf).expanduser()
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    timeout = check_timeout(args.timeout) if args.timeout is not None else DEFAULT_TIMEOUT_S
    with ReaderPool(1, timeout) as pool:
        pool.submit(path, path)
        reading = pool.wait(path)
    if reading.failure:
        raise InputError(f"{path}: {reading.failure}")
    print_json(reading.metadata)
    return 0


# -- reading the library ----------------------------------------------------------------------------------
def list_command(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        studies = library.studies()
    if args.json:
        for study in studies:
            print_json(_brief(study))
        return 0
    for study in studies:
        print(f"{study['id']:>6}  {study['year'] or '----'}  {_first_author(study):<18.18}  {_title(study)}")
    print(f"{len(studies)} studies")
    return 0


def search_command(args: argparse.Namespace) -> int:
    from litreview.store import decode_study

    query = " ".join(args.query)
    with open_library(args) as library:
        hits = [decode_study(hit) for hit in library.search(query, limit=args.limit)]
    if args.json:
        for hit in hits:
            print_json({"id": hit["id"], "title": hit["title"], "year": hit["year"], "authors": hit["authors"],
                        "rank": hit["rank"]})
        return 0
    for hit in hits:
        print(f"{hit['id']:>6}  {hit['year'] or '----'}  {_first_author(hit):<18.18}  {_title(hit)}")
    if not hits:
        print(f"no study matches {query!r}")
    return 0


def show_command(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        study = library.study(args.study_id)
        if study is None:
            raise InputError(f"no study {args.study_id} in {library.folder}")
        files = library.query("SELECT sha256, original_path, stored_path, size FROM files WHERE study_id = ?",
                              (args.study_id,))
        decisions = library.query("SELECT stage, decision, reason, note, actor FROM decisions WHERE study_id = ? "
                                  "ORDER BY stage DESC", (args.study_id,))
    if args.json:
        study.pop("title_key", None)
        study.pop("author_key", None)
        by_stage = {d.pop("stage"): d for d in decisions}
        print_json({**study, "files": files, "decision": by_stage.get("title_abstract"), "decisions": by_stage})
        return 0
    print(_title(study))
    print(", ".join(_name(a) for a in study["authors"]) or "(no authors)")
    details = [str(study["year"] or "year unknown"), study["venue"] or "", f"doi:{study['doi']}" if study["doi"] else ""]
    print(" · ".join(d for d in details if d))
    if study["extra"].get("import_note"):
        print(f"! {study['extra']['import_note']}")
    elif study["needs_ocr"]:
        print("! no text layer: needs OCR")
    for row in files:
        print(f"file: {row['stored_path'] or row['original_path']} ({row['size']} bytes)")
    for row in decisions:
        stage = "title/abstract" if row["stage"] == "title_abstract" else "full text"
        reason = f" ({row['reason']})" if row["reason"] else ""
        print(f"screening, {stage}: {row['decision']}{reason}" + (f" — {row['note']}" if row["note"] else ""))
    if study["abstract"]:
        print()
        print(study["abstract"])
    return 0


def undo_command(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        if args.keep is not None:
            library.set_undo_steps(args.keep)
            print(f"this library keeps its last {args.keep} undo steps")
            return 0
        changes = library.undo()
    print(f"undone: {changes.label}" if changes else "nothing to undo")
    return 0


def redo_command(args: argparse.Namespace) -> int:
    with open_library(args) as library:
        changes = library.redo()
    print(f"redone: {changes.label}" if changes else "nothing to redo")
    return 0


# -- demo -------------------------------------------------------------------------------------------------
def demo_command(args: argparse.Namespace) -> int:
    from litreview.demo import write_demo_pdfs
    from litreview.importing import import_paths, summarise

    with open_library(args) as library, TerminalProgress(enabled=not args.json) as bar:
        folder = Path(args.out).expanduser() if args.out else library.folder / "demo-pdfs"
        written = write_demo_pdfs(folder)
        report = import_paths(library, written, progress=bar)
        counts = summarise(report)
        total = library.study_count()
    if args.json:
        print_json({"folder": str(folder), "pdfs": len(written), "summary": counts, "studies": total})
    else:
        print(f"wrote {len(written)} demo PDFs to {folder}")
        print(f"{counts['imported']} imported, {counts['duplicate']} already there, {counts['failed']} failed;"
              f" the library now holds {total} studies. Try: litreview search microplastics")
    if report.stopped:
        print(f"litreview: import stopped: {report.stopped}", file=sys.stderr)
        return 2
    return 0


# -- formatting -------------------------------------------------------------------------------------------
def _brief(study: dict) -> dict:
    return {key: study[key] for key in ("id", "title", "authors", "year", "doi", "venue", "source", "needs_ocr")}


def _title(study: dict) -> str:
    return study.get("title") or "(no title)"


def _name(author: dict) -> str:
    return " ".join(p for p in (author.get("given"), author.get("family")) if p)


def _first_author(study: dict) -> str:
    authors = study.get("authors") or []
    if not authors:
        return ""
    family = authors[0].get("family") or authors[0].get("given") or ""
    return family + (" et al." if len(authors) > 1 else "")
