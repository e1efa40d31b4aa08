"""The export menu's entries: what each writes and with which core function.

Each writer is ``write(library, hierarchy_id, path)``; the core functions do the work. The PRISMA flow diagram
and the taxonomy figure have dialogs of their own (``ui.prisma_dialog``, ``ui.taxonomy_dialog``): they need a
preview and choices a file name cannot carry.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any


def _hierarchy(kind: str) -> Callable[[Any, int | None, Path], None]:
    def write(library: Any, hierarchy_id: int | None, path: Path) -> None:
        import litreview.export

        getattr(litreview.export, f"write_hierarchy_{kind}")(library, path, hierarchy_id)

    return write


def _library(kind: str) -> Callable[[Any, int | None, Path], None]:
    def write(library: Any, _hierarchy_id: int | None, path: Path) -> None:
        import litreview.export

        getattr(litreview.export, f"write_{kind}")(library, path)

    return write


# what -> (dialog title, file suffix, file filter, writer)
EXPORTS: dict[str, tuple[str, str, str, Callable[[Any, int | None, Path], None]]] = {
    "hierarchy-markdown": ("Export the hierarchy as Markdown", ".md", "Markdown (*.md)", _hierarchy("markdown")),
    "hierarchy-csv": ("Export the hierarchy as CSV", ".csv", "CSV (*.csv)", _hierarchy("csv")),
    "hierarchy-summary": ("Export the hierarchy's summary table as CSV", ".csv", "CSV (*.csv)",
                          _hierarchy("summary_csv")),
    "decisions": ("Export the screening decisions as CSV", ".csv", "CSV (*.csv)", _library("decisions_csv")),
    "ris": ("Export the library as RIS", ".ris", "RIS (*.ris)", _library("ris")),
    "bibtex": ("Export the library as BibTeX", ".bib", "BibTeX (*.bib)", _library("bibtex")),
    "csv": ("Export the library as CSV", ".csv", "CSV (*.csv)", _library("library_csv")),
}
