"""The export menu's entries: what each writes and with which core function.

Each writer is ``write(library, hierarchy_id, path)``; the core functions do the work.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any


def _hierarchy_markdown(library: Any, hierarchy_id: int | None, path: Path) -> None:
    from litreview.export.hierarchy import write_markdown

    write_markdown(library, path, hierarchy_id)


def _hierarchy_csv(library: Any, hierarchy_id: int | None, path: Path) -> None:
    from litreview.export.hierarchy import write_csv

    write_csv(library, path, hierarchy_id)


def _library(kind: str) -> Callable[[Any, int | None, Path], None]:
    def write(library: Any, _hierarchy_id: int | None, path: Path) -> None:
        from litreview.export import library as library_export

        getattr(library_export, f"write_{kind}")(library, path)

    return write


# what -> (dialog title, file suffix, file filter, writer)
EXPORTS: dict[str, tuple[str, str, str, Callable[[Any, int | None, Path], None]]] = {
    "hierarchy-markdown": ("Export the hierarchy as Markdown", ".md", "Markdown (*.md)", _hierarchy_markdown),
    "hierarchy-csv": ("Export the hierarchy as CSV", ".csv", "CSV (*.csv)", _hierarchy_csv),
    "ris": ("Export the library as RIS", ".ris", "RIS (*.ris)", _library("ris")),
    "bibtex": ("Export the library as BibTeX", ".bib", "BibTeX (*.bib)", _library("bibtex")),
    "csv": ("Export the library as CSV", ".csv", "CSV (*.csv)", _library("csv")),
}
