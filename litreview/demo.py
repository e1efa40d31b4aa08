"""The demo corpus: short fictional studies, written for this project, rendered to real PDFs.

A new user should see a populated library, and the import path should be exercised end to end, so the demo
goes through the same PDF import as real papers. The study texts live in ``data/demo/studies.json`` (three
clearly different topics, so a topic hierarchy has something to separate); this module lays each one out like a
journal article's first page: venue line, large title, authors, affiliation, abstract, methods, results.
DOIs use the 10.5555 test prefix, which resolves to nothing real.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pymupdf

DEMO_STUDIES = Path(__file__).resolve().parent.parent / "data" / "demo" / "studies.json"

PAGE = pymupdf.paper_rect("a4")
MARGIN = 64


def demo_studies() -> list[dict[str, Any]]:
    return json.loads(DEMO_STUDIES.read_text(encoding="utf-8"))


def write_demo_pdfs(folder: str | Path) -> list[Path]:
    """Render every demo study to ``folder`` (created if needed); returns the PDF paths in corpus order.
    Rewriting is idempotent: the same study always gives the same bytes, so re-import finds duplicates."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, study in enumerate(demo_studies(), start=1):
        path = folder / f"{number:02d}-{_slug(study['title'])}.pdf"
        path.write_bytes(render_study(study))
        paths.append(path)
    return paths


def render_study(study: dict[str, Any]) -> bytes:
    doc = pymupdf.open()
    page = doc.new_page(width=PAGE.width, height=PAGE.height)
    writer = _Column(page)
    writer.text(f"{study['venue']} ({study['year']})   https://doi.org/{study['doi']}", 8.5, "helv")
    writer.gap(18)
    writer.text(study["title"], 17, "hebo", leading=1.15)
    writer.gap(8)
    writer.text(", ".join(f"{a['given']} {a['family']}" for a in study["authors"]), 11, "helv")
    writer.gap(2)
    writer.text(study["affiliation"], 8.5, "heit")
    writer.gap(16)
    for heading, key in (("Abstract", "abstract"), ("Methods", "methods"), ("Results", "results")):
        writer.text(heading, 11, "hebo")
        writer.gap(3)
        writer.text(study[key], 10, "tiro", align=pymupdf.TEXT_ALIGN_JUSTIFY)
        writer.gap(12)
    writer.text("This is a fictional study written for the litreview demo corpus.", 7.5, "heit")
    names = "; ".join(f"{a['family']}, {a['given']}" for a in study["authors"])
    # Fixed dates keep the bytes (and so the sha256) the same on every run.
    doc.set_metadata({"title": study["title"], "author": names, "creationDate": "D:20240101000000Z",
                      "modDate": "D:20240101000000Z", "producer": "litreview demo"})
    data = doc.tobytes(garbage=3, deflate=True, no_new_id=True)
    doc.close()
    return data


class _Column:
    """Text flowing down one column of a page."""

    def __init__(self, page: pymupdf.Page):
        self.page = page
        self.y: float = MARGIN

    def text(self, text: str, size: float, font: str, leading: float = 1.3, align: int = pymupdf.TEXT_ALIGN_LEFT) -> None:
        rect = pymupdf.Rect(MARGIN, self.y, PAGE.width - MARGIN, PAGE.height - MARGIN)
        spare = self.page.insert_textbox(rect, text, fontsize=size, fontname=font, lineheight=leading, align=align)
        if spare < 0:
            raise ValueError(f"demo text does not fit on the page: {text[:40]!r}")
        self.y += rect.height - spare

    def gap(self, points: float) -> None:
        self.y += points


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:50].rstrip("-")
