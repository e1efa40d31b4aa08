"""Writing the library out, for reference managers and for the paper.

``library`` (RIS, BibTeX, CSV), ``hierarchy`` (Markdown, assignment and summary CSV), ``decisions`` (screening
decisions CSV), ``prisma`` (the PRISMA 2020 numbers with their records) drawn by ``prisma_figure`` and written for
the PRISMA2020 R package by ``prisma_csv``, ``taxonomy`` (forest, Mermaid, Markdown) drawn by ``taxonomy_figure``;
``figures`` writes the figures to files. Shared: ``csv_safe`` (the formula guard every CSV goes through),
``citekeys`` (the one set of citation keys), ``files`` (whole files or none), ``drawing`` (the vector canvas),
``selection`` (which studies), ``provenance`` (who wrote what).
"""

import importlib
from typing import Any

# public name -> (module, name there); imported when first asked for (PyMuPDF, the figure code)
_PUBLIC = {
    "write_ris": ("library", "write_ris"), "write_bibtex": ("library", "write_bibtex"),
    "write_library_csv": ("library", "write_csv"),
    "write_hierarchy_markdown": ("hierarchy", "write_markdown"), "write_hierarchy_csv": ("hierarchy", "write_csv"),
    "write_hierarchy_summary_csv": ("hierarchy", "write_summary_csv"),
    "write_decisions_csv": ("decisions", "write_decisions_csv"),
    "PrismaFlow": ("prisma", "PrismaFlow"), "prisma_flow": ("prisma", "prisma_flow"),
    "records_behind": ("prisma", "records_behind"), "BOX_KEYS": ("prisma_figure", "BOX_KEYS"),
    "draw_prisma": ("prisma_figure", "draw_prisma"), "write_prisma": ("figures", "write_prisma"),
    "taxonomy_aspects": ("taxonomy", "aspects"), "build_taxonomy": ("taxonomy", "build_taxonomy"),
    "draw_taxonomy": ("taxonomy_figure", "draw_taxonomy"), "write_taxonomy": ("figures", "write_taxonomy"),
    "included_study_ids": ("selection", "included_study_ids"),
}


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        module, attribute = _PUBLIC[name]
        return getattr(importlib.import_module(f"litreview.export.{module}"), attribute)
    raise AttributeError(f"module 'litreview.export' has no attribute {name!r}")


__all__ = sorted(_PUBLIC)
