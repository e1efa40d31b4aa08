"""The start of a PDF reader process: imported only inside reader processes (the fork server preloads it).

PyMuPDF imports its optional layout add-on (``pymupdf.layout``, which loads onnxruntime: seconds of start-up)
whenever that is installed. The reader never uses it, so a reader goes without: a ``None`` entry in
``sys.modules`` makes that import fail, and PyMuPDF carries on without the add-on. The parent process and
everything else keep the add-on, because only readers import this module.
"""

from __future__ import annotations

import signal
import sys
from collections import deque
from multiprocessing.connection import Connection

if "pymupdf" not in sys.modules:
    sys.modules["pymupdf.layout"] = None  # type: ignore[assignment]  # blocks the optional layout module

import pymupdf  # noqa: E402

from litreview.importing.lifeline import die_with_parent  # noqa: E402
from litreview.importing.pdf_reader import read_pdf  # noqa: E402
from litreview.importing.pdf_reading import PdfReading  # noqa: E402

__all__ = ["init_worker", "read_pdf", "serve"]


def init_worker() -> None:
    """Ctrl+C is the parent's to handle (it stops the batch and kills the readers), MuPDF's own messages about
    damaged files are already reported as outcomes, so they stay off the terminal, and the reader dies with
    its parent however that one ends (``lifeline``)."""
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)


def serve(conn: Connection) -> None:
    """Read the files the parent sends, in order, until it closes the connection (or dies).

    Messages in: ("read", key, path) and ("drop", key, None) for a file the parent gave to another reader before
    this one started it. Messages out: ("start", key, None) as a file is begun (its deadline starts), then
    ("done", key, PdfReading)."""
    init_worker()
    todo: deque[tuple[object, str]] = deque()
    while True:
        try:
            while not todo or conn.poll():  # take in all that was sent; wait only when there is nothing to do
                kind, key, path = conn.recv()
                if kind == "read":
                    todo.append((key, path))
                else:
                    todo = deque(task for task in todo if task[0] != key)
            key, path = todo.popleft()
            conn.send(("start", key, None))
            try:
                reading = read_pdf(path)
            except Exception as error:  # read_pdf turns every PyMuPDF failure into a reason; this is a last guard
                reading = PdfReading(failure=f"the PDF reader failed on this file ({type(error).__name__}: {error})")
            conn.send(("done", key, reading))
        except (EOFError, OSError):
            return
