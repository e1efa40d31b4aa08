"""A small vector canvas for the figures litreview draws itself (PRISMA flow diagram, taxonomy tree).

Why not a plotting library: a journal figure needs text that stays text (searchable, editable in Illustrator or
Inkscape, sharp at any size), boxes and arrows placed exactly, and the same picture as SVG, PDF and PNG. The
canvas records rectangles, lines and text in points (1/72 inch) and writes plain SVG 1.1; MuPDF (PyMuPDF, already a
dependency) turns that SVG into a vector PDF, keeping text as text with embedded fonts (it falls back to its own
fonts for scripts Helvetica lacks), and renders the PDF to PNG at 300 dpi. Text is measured with Helvetica's
metrics, which Arial and Liberation Sans share, so the boxes fit in every viewer that honours the font list.

Named groups (``group``) wrap what belongs to one box; their rectangles are kept as ``hotspots`` so a viewer can
tell which box a click hit.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

import pymupdf

FONT_FAMILY = "Helvetica, Arial, Liberation Sans, sans-serif"
PNG_DPI = 300

Run = tuple[str, bool]
"""A piece of a text line: (text, bold)."""


@lru_cache(maxsize=2)
def _font(bold: bool) -> pymupdf.Font:
    return pymupdf.Font("hebo" if bold else "helv")


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width of ``text`` in points at ``size`` (a glyph Helvetica lacks counts as one em)."""
    return _unit_width(text, bold) * size


@lru_cache(maxsize=65536)
def _unit_width(text: str, bold: bool) -> float:
    # Advance widths add up (MuPDF's text_length does not kern), so a word's width is measured once and cached.
    return _font(bold).text_length(text, fontsize=1.0)


def runs_width(runs: list[Run], size: float) -> float:
    return sum(text_width(text, size, bold) for text, bold in runs)


_WORD_BREAK = re.compile(r"[ \t\r\n]+")  # not the no-break space: "(n\u00a0=\u00a012)" stays on one line


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """Greedy word wrap to ``width`` points at ordinary spaces; a word longer than a line is broken between
    characters."""
    space = text_width(" ", size, bold)
    lines: list[str] = []
    line, line_width = "", 0.0
    for word in _WORD_BREAK.split(text.strip()):
        if not word:
            continue
        word_width = text_width(word, size, bold)
        if line and line_width + space + word_width <= width:
            line, line_width = f"{line} {word}", line_width + space + word_width
            continue
        if line:
            lines.append(line)
        while word_width > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and text_width(word[:cut], size, bold) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
            word_width = text_width(word, size, bold)
        line, line_width = word, word_width
    if line or not lines:
        lines.append(line)
    return lines


@dataclass
class _Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str
    stroke: str
    stroke_width: float
    radius: float


@dataclass
class _Text:
    x: float
    y: float
    runs: list[Run]
    size: float
    anchor: str
    rotate: float
    color: str
    italic: bool


@dataclass
class _Path:
    points: list[tuple[float, float]]
    stroke: str
    width: float
    fill: str | None
    closed: bool


@dataclass
class _Group:
    name: str
    open: bool


@dataclass
class Canvas:
    """Shapes in drawing order; ``width``/``height`` in points. Coordinates grow right and down, like SVG."""

    width: float
    height: float
    title: str = ""
    items: list[object] = field(default_factory=list)
    hotspots: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)

    # -- shapes ---------------------------------------------------------------------------------------------
    def rect(self, x: float, y: float, w: float, h: float, *, fill: str = "#ffffff", stroke: str = "#000000",
             stroke_width: float = 0.75, radius: float = 0.0) -> None:
        self.items.append(_Rect(x, y, w, h, fill, stroke, stroke_width, radius))

    def text(self, x: float, y: float, text: str | list[Run], size: float, *, bold: bool = False,
             anchor: str = "start", rotate: float = 0.0, color: str = "#000000", italic: bool = False) -> None:
        """A line of text with its baseline at ``y``; ``anchor`` start | middle | end; ``rotate`` in degrees
        (clockwise, about (x, y)); a list of runs mixes plain and bold pieces."""
        runs = [(text, bold)] if isinstance(text, str) else list(text)
        self.items.append(_Text(x, y, runs, size, anchor, rotate, color, italic))

    def line(self, points: list[tuple[float, float]], *, stroke: str = "#000000", width: float = 0.75) -> None:
        self.items.append(_Path(list(points), stroke, width, None, False))

    def polygon(self, points: list[tuple[float, float]], *, fill: str = "#000000") -> None:
        self.items.append(_Path(list(points), fill, 0.0, fill, True))

    def arrow(self, points: list[tuple[float, float]], *, stroke: str = "#000000", width: float = 0.75,
              head: float = 5.0) -> None:
        """A polyline ending in a filled arrowhead at its last point (drawn as a triangle, not an SVG marker,
        so every renderer draws it the same)."""
        (x0, y0), (x1, y1) = points[-2], points[-1]
        length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 1e-9)
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        base = (x1 - ux * head, y1 - uy * head)
        self.line([*points[:-1], base], stroke=stroke, width=width)
        half = head * 0.45
        self.polygon([(x1, y1), (base[0] - uy * half, base[1] + ux * half), (base[0] + uy * half, base[1] - ux * half)],
                     fill=stroke)

    @contextlib.contextmanager
    def group(self, name: str, hotspot: tuple[float, float, float, float] | None = None) -> Iterator[None]:
        """Shapes drawn inside belong to ``name`` (an SVG ``<g id=...>``); ``hotspot`` is its clickable area."""
        self.items.append(_Group(name, True))
        if hotspot is not None:
            self.hotspots[name] = hotspot
        yield
        self.items.append(_Group(name, False))

    # -- output ---------------------------------------------------------------------------------------------
    def to_svg(self) -> str:
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{_n(self.width)}pt" '
            f'height="{_n(self.height)}pt" viewBox="0 0 {_n(self.width)} {_n(self.height)}">',
        ]
        if self.title:
            out.append(f"<title>{xml_text(self.title)}</title>")
        out.append(f'<rect x="0" y="0" width="{_n(self.width)}" height="{_n(self.height)}" fill="#ffffff"/>')
        for item in self.items:
            out.append(_svg(item))
        out.append("</svg>")
        return "\n".join(out) + "\n"

    def to_pdf(self) -> bytes:
        return svg_to_pdf(self.to_svg(), self.title)

    def to_png(self, dpi: int = PNG_DPI) -> bytes:
        return pdf_to_png(self.to_pdf(), dpi)


def svg_to_pdf(svg: str, title: str = "") -> bytes:
    """A one-page vector PDF of an SVG (MuPDF's SVG interpreter; text stays text, fonts embedded as subsets)."""
    with pymupdf.open(stream=svg.encode("utf-8"), filetype="svg") as picture:
        data = picture.convert_to_pdf()
    with pymupdf.open("pdf", data) as pdf:
        pdf.set_metadata({"title": title, "producer": "litreview", "creator": "litreview"})
        pdf.subset_fonts()
        return pdf.tobytes(garbage=3, deflate=True, no_new_id=True)


def pdf_to_png(pdf_bytes: bytes, dpi: int = PNG_DPI) -> bytes:
    """The first page of a PDF as a PNG at ``dpi`` (the resolution is written into the file too)."""
    with pymupdf.open("pdf", pdf_bytes) as pdf:
        pixmap = pdf[0].get_pixmap(dpi=dpi, alpha=False)
        pixmap.set_dpi(dpi, dpi)
        return pixmap.tobytes("png")


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Text as SVG content: escaped, and without the control characters XML 1.0 forbids (PDF text has them)."""
    return escape(_NOT_XML.sub("", text))


def _n(value: float) -> str:
    """A coordinate with at most two decimals, no trailing zeros (smaller, diff-friendly SVG)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _svg(item: object) -> str:
    if isinstance(item, _Group):
        return f'<g id={quoteattr(_NOT_XML.sub("", item.name))} class="box">' if item.open else "</g>"
    if isinstance(item, _Rect):
        radius = f' rx="{_n(item.radius)}" ry="{_n(item.radius)}"' if item.radius else ""
        return (f'<rect x="{_n(item.x)}" y="{_n(item.y)}" width="{_n(item.w)}" height="{_n(item.h)}"{radius} '
                f'fill="{item.fill}" stroke="{item.stroke}" stroke-width="{_n(item.stroke_width)}"/>')
    if isinstance(item, _Path):
        points = " ".join(f"{_n(x)},{_n(y)}" for x, y in item.points)
        if item.closed:
            return f'<polygon points="{points}" fill="{item.fill}"/>'
        return (f'<polyline points="{points}" fill="none" stroke="{item.stroke}" stroke-width="{_n(item.width)}" '
                'stroke-linejoin="miter"/>')
    assert isinstance(item, _Text)
    # The font on every text element: MuPDF does not inherit it from the root element.
    attributes = [f'x="{_n(item.x)}"', f'y="{_n(item.y)}"', f"font-family={quoteattr(FONT_FAMILY)}",
                  f'font-size="{_n(item.size)}"', f'fill="{item.color}"']
    if item.anchor != "start":
        attributes.append(f'text-anchor="{item.anchor}"')
    if item.rotate:
        attributes.append(f'transform="rotate({_n(item.rotate)} {_n(item.x)} {_n(item.y)})"')
    if item.italic:
        attributes.append('font-style="italic"')
    if len(item.runs) == 1:
        text, bold = item.runs[0]
        if bold:
            attributes.append('font-weight="bold"')
        return f"<text {' '.join(attributes)}>{xml_text(text)}</text>"
    spans = "".join(f'<tspan font-weight="bold">{xml_text(t)}</tspan>' if b else f"<tspan>{xml_text(t)}</tspan>"
                    for t, b in item.runs)
    return f"<text {' '.join(attributes)}>{spans}</text>"
