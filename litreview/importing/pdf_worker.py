"""The start of a PDF worker process: imported only inside worker processes (the forkserver preloads it).

PyMuPDF imports its optional layout add-on (``pymupdf.layout``, which loads onnxruntime: seconds of start-up)
whenever that is installed. The reader never uses it, so a worker goes without: a ``None`` entry in
``sys.modules`` makes that import fail, and PyMuPDF carries on without the add-on. The parent process and
everything else keep the add-on, because only workers import this module.
"""

from __future__ import annotations

import signal
import sys

if "pymupdf" not in sys.modules:
    sys.modules["pymupdf.layout"] = None

import pymupdf  # noqa: E402

from litreview.importing.pdf_reader import read_pdf  # noqa: E402

__all__ = ["init_worker", "read_pdf"]


def init_worker() -> None:
    """Ctrl+C is the parent's to handle (it stops at a file boundary), and MuPDF's own messages about damaged
    files are already reported as outcomes, so they stay off the terminal."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)
