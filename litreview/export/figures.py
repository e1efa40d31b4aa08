"""Writing the paper's figures to files: the PRISMA flow diagram and the taxonomy of an aspect.

The format follows the file's suffix unless given: PRISMA as ``svg``, ``pdf``, ``png`` (300 dpi) or ``csv``
(the PRISMA2020 R package's layout); a taxonomy as ``tex`` (forest snippet), ``svg``, ``pdf``, ``png``,
``mermaid`` (``.mmd``) or ``md`` (outline). Every file is written whole or not at all (``files``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litreview.errors import InputError
from litreview.export.files import atomic_binary, atomic_text, check_target
from litreview.export.prisma import PrismaFlow, prisma_flow

PRISMA_FORMATS = ("svg", "pdf", "png", "csv")
TAXONOMY_FORMATS = ("tex", "svg", "pdf", "png", "mermaid", "md")
_SUFFIXES = {".svg": "svg", ".pdf": "pdf", ".png": "png", ".csv": "csv", ".tex": "tex", ".mmd": "mermaid",
             ".mermaid": "mermaid", ".md": "md", ".markdown": "md"}


def format_for(path: str | Path, given: str | None, allowed: tuple[str, ...]) -> str:
    """The format to write: ``given``, else the one the suffix names; InputError when neither is allowed."""
    fmt = given or _SUFFIXES.get(Path(path).suffix.lower())
    if fmt not in allowed:
        raise InputError(f"cannot tell which format to write to {Path(path).name}: use a file ending in "
                         f"{', '.join('.' + f if f != 'mermaid' else '.mmd' for f in allowed)} or give the format")
    return fmt


def write_prisma(library: Any, path: str | Path, fmt: str | None = None, *,
                 other_methods: bool | None = None) -> PrismaFlow:
    """Write the PRISMA 2020 diagram of the library; returns the flow it drew (its numbers and their ids)."""
    fmt = format_for(path, fmt, PRISMA_FORMATS)
    check_target(path)
    flow = prisma_flow(library, other_methods)
    if fmt == "csv":
        from litreview.export.prisma_csv import write_prisma2020_csv

        write_prisma2020_csv(flow, path)
        return flow
    from litreview.export.prisma_figure import draw_prisma

    _write_canvas(draw_prisma(flow), path, fmt)
    return flow


def write_taxonomy(library: Any, path: str | Path, aspect: str | int, fmt: str | None = None, *,
                   hierarchy_id: int | None = None, included_only: bool = False, counts: bool = True) -> dict[str, Any]:
    """Write the taxonomy of ``aspect``; returns what was written (aspect, categories, studies, format)."""
    from litreview.export import taxonomy as tx
    from litreview.export.hierarchy import resolve_hierarchy

    fmt = format_for(path, fmt, TAXONOMY_FORMATS)
    check_target(path)
    hierarchy_id = resolve_hierarchy(library, hierarchy_id)
    taxonomy = tx.build_taxonomy(library, hierarchy_id, tx.aspect_id_by_name(library, hierarchy_id, aspect),
                                 included_only=included_only)
    if fmt in ("svg", "pdf", "png"):
        from litreview.export.taxonomy_figure import draw_taxonomy

        _write_canvas(draw_taxonomy(taxonomy, counts=counts), path, fmt)
    else:
        text = {"tex": lambda: tx.forest(taxonomy, counts=counts), "mermaid": lambda: tx.mermaid(taxonomy, counts=counts),
                "md": lambda: tx.markdown_outline(taxonomy, counts=counts)}[fmt]()
        with atomic_text(path) as out:
            out.write(text)
    return {"aspect": taxonomy.root.name, "format": fmt, "file": str(path), "categories": len(taxonomy.walk()) - 1,
            "studies": taxonomy.root.count, "cited": len(taxonomy.studies)}


def _write_canvas(canvas: Any, path: str | Path, fmt: str) -> None:
    if fmt == "svg":
        with atomic_text(path) as out:
            out.write(canvas.to_svg())
        return
    data = canvas.to_pdf() if fmt == "pdf" else canvas.to_png()
    with atomic_binary(path) as out:
        out.write(data)
