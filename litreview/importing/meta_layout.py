"""Page-1 layout as a list of text lines with the features the metadata heuristics need.

PyMuPDF's ``get_text("dict")`` gives spans with font, size and flags. Heuristics need them one level up: a line with
its dominant size (by characters, so a footnote marker does not count), whether it is bold, and its text with
superscript markers (affiliation numbers, asterisks) replaced by a space, so that "Datta1, Ball2*" splits cleanly
and "S2ORC,1 a corpus" reads "S2ORC, a corpus". Vertical text (journal mastheads printed sideways, arXiv stamps) is
flagged: it is never a title and would otherwise win the font-size contest, but an arXiv stamp still dates a
preprint.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pymupdf

# Ligatures are expanded (no TEXT_PRESERVE_LIGATURES); images are skipped (not needed, and slow to decode).
TEXT_FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP

_SUPERSCRIPT = 1
_ITALIC = 2
_BOLD = 16
_MARKER_CHARS = "*∗†‡§¶‖#⁎⋆✉✝"
_MARKER_TABLE = {ord(c): " " for c in _MARKER_CHARS}
# Small type that is a marker: numbers, symbols, single letters ("1,2", "a,*", "†‡", "1-3"). Small capitals
# ("N" + "ICOLA", "L" + "ee") are small type too but are words, and must stay.
_MARK = r"(?:[\d*∗†‡§¶‖#⁎⋆✉✝]+|(?<![a-z])[a-z](?![a-z]))"
_MARKER = re.compile(rf"\s*[,;]?\s*(?:{_MARK}(?:\s*[,;–-]?\s*{_MARK})*)?\s*[,;.]?\s*")
_ORDINALS = {"st", "nd", "rd", "th"}
_SPACES = re.compile(r"\s+")


@dataclass(slots=True)
class Line:
    """One text line of a page."""

    text: str  # superscripts and marker symbols replaced by a space, whitespace collapsed
    raw: str  # the text as printed (markers kept)
    x0: float
    y0: float
    x1: float
    y1: float
    size: float  # dominant font size, by character count, markers excluded
    bold: bool
    italic: bool
    font: str
    block: int
    vertical: bool = False  # printed sideways: arXiv stamps and mastheads, never a title or an author

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def overlaps_x(self, x0: float, x1: float, slack: float = 0.0) -> bool:
        return self.x0 < x1 + slack and self.x1 > x0 - slack


def page_lines(page: pymupdf.Page, textpage: pymupdf.TextPage | None = None) -> list[Line]:
    """The text lines of ``page`` in PyMuPDF's block order (sideways ones flagged ``vertical``).

    ``textpage``: the page's already extracted TextPage (made with TEXT_FLAGS), so that a caller who also wants
    the plain text pays for the extraction once.
    """
    data = textpage.extractDICT() if textpage is not None else page.get_text("dict", flags=TEXT_FLAGS)
    lines: list[Line] = []
    for block_no, block in enumerate(data["blocks"]):
        for line in block.get("lines", ()):
            built = _build_line(line, block_no)
            if built is not None:
                lines.append(built)
    return lines


def _build_line(line: dict, block_no: int) -> Line | None:
    # Runs for every line of page 1 (hundreds of spans: TeX output makes each space its own span), so it is
    # written for speed: one pass for the dominant size, one for text and style, spaces skipped early.
    spans = line["spans"]
    weights: dict[float, int] = {}
    for span in spans:
        text = span["text"]
        if text != " " and not span["flags"] & _SUPERSCRIPT:
            n = len(text) - text.count(" ")
            if n:
                key = round(span["size"], 1)
                weights[key] = weights.get(key, 0) + n
    if not weights:
        return None
    size = max(weights, key=weights.__getitem__)
    small = 0.8 * size
    parts: list[str] = []
    raw_parts: list[str] = []
    bold = italic = total = 0
    fonts: dict[str, int] = {}
    for span in spans:
        text = span["text"]
        raw_parts.append(text)
        if text == " ":
            parts.append(text)
            continue
        flags = span["flags"]
        if text in _ORDINALS and parts and parts[-1][-1:].isdigit():
            parts.append(text)  # the raised "th" of "58th" is part of the word
            continue
        if flags & _SUPERSCRIPT or (span["size"] < small and _MARKER.fullmatch(text)):
            # an affiliation or footnote marker; a comma set small with it ("Datta1," ) still separates names
            parts.append(", " if text.rstrip().endswith(",") else " ")
            continue
        n = len(text) - text.count(" ")
        font = span["font"]
        fonts[font] = fonts.get(font, 0) + n
        total += n
        style = _font_style(font)
        if flags & _BOLD or style & _BOLD:
            bold += n
        if flags & _ITALIC or style & _ITALIC:
            italic += n
        parts.append(text)
    text = _SPACES.sub(" ", "".join(parts).translate(_MARKER_TABLE)).strip()
    if not text:
        return None
    x0, y0, x1, y1 = line["bbox"]
    dx, dy = line["dir"]
    total = total or 1
    return Line(
        text=text, raw=_SPACES.sub(" ", "".join(raw_parts)).strip(), x0=x0, y0=y0, x1=x1, y1=y1, size=size,
        bold=bold * 2 > total, italic=italic * 2 > total, font=max(fonts, key=fonts.__getitem__) if fonts else "",
        block=block_no, vertical=dy > 0.1 or dy < -0.1 or dx <= 0,
    )


@functools.lru_cache(maxsize=256)
def _font_style(font: str) -> int:
    """Bold/italic bits read from a font's name, for fonts whose flags do not say it ("Minion-Black")."""
    lower = font.lower()
    return (_BOLD if "bold" in lower or "black" in lower else 0) | (_ITALIC if "italic" in lower else 0)


def body_size(lines: list[Line]) -> float:
    """The font size that carries most characters on the page: the running text."""
    weight: Counter[float] = Counter()
    for line in lines:
        weight[line.size] += len(line.text)
    return weight.most_common(1)[0][0] if weight else 10.0


def rows(lines: list[Line]) -> Iterator[list[Line]]:
    """Lines grouped into visual rows (same baseline band), top to bottom, each row left to right.

    Conference layouts print one author per line side by side (ACL); a row puts them back together. Rows are
    yielded lazily: callers read a few rows under the title and stop.
    """
    row: list[Line] = []
    top = bottom = 0.0
    for line in sorted(lines, key=lambda l: (l.y0, l.x0)):
        if row and min(bottom, line.y1) - max(top, line.y0) > 0.5 * min(line.height, bottom - top):
            row.append(line)
            top, bottom = min(top, line.y0), max(bottom, line.y1)
            continue
        if row:
            yield sorted(row, key=lambda l: l.x0)
        row, top, bottom = [line], line.y0, line.y1
    if row:
        yield sorted(row, key=lambda l: l.x0)


def join_lines(texts: list[str]) -> str:
    """Lines joined into running text, undoing end-of-line hyphenation before a lower-case continuation."""
    out = ""
    for text in texts:
        text = text.strip()
        if not text:
            continue
        if out.endswith("-") and text[:1].islower() and len(out) > 1 and out[-2].isalpha():
            out = out[:-1] + text
        elif out:
            out += " " + text
        else:
            out = text
    return out
