"""The taxonomy of an aspect drawn by the app itself (SVG, and from it PDF and PNG), for authors who do not use
LaTeX: the same picture the forest snippet makes, a horizontal tree with forked edges.

The aspect is the root on the left, turned on its side; categories follow in columns by depth, each branch in its
own colour; the studies put directly in a category are listed beside it as short citations ("García et al.
2011; Okafor & Lee 2012"). A parent sits at the middle of its children, as in ``forest``; the edges run from the
parent's right side to a fork halfway to the children and on to each child's left side.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from litreview.export.citekeys import short_citation
from litreview.export.drawing import Canvas, text_width, wrap
from litreview.export.taxonomy import Taxon, Taxonomy

SIZE = 8.5
LEAF_SIZE = 7.5
LEADING = 1.25
PAD = 4.0
MARGIN = 10.0
ROOT_W = 22.0
CATEGORY_W = 120.0
LEAF_W = 230.0
H_GAP = 22.0
V_GAP = 5.0
EDGE = "#555555"
# (fill, outline) per top-level branch
PALETTE = [("#dbe9f6", "#2f6aa3"), ("#fde5cc", "#c0630f"), ("#dcefdc", "#2e7d32"), ("#f8dcdc", "#b03a3a"),
           ("#e9def3", "#6a3d9a"), ("#d5efee", "#1b7f7a"), ("#eef0d2", "#7a7d1c"), ("#f9def0", "#a4367f"),
           ("#eadfd6", "#7b5238"), ("#e6e6e6", "#555555")]


@dataclass
class _Block:
    """A drawn node: a category (``taxon``) or the citation list beside one (``taxon`` None)."""

    lines: list[str]
    size: float
    width: float
    bold: bool
    taxon: Taxon | None = None
    owner: int = 0                      # the category a citation list belongs to
    children: list[_Block] = field(default_factory=list)
    colour: tuple[str, str] = PALETTE[-1]

    @property
    def height(self) -> float:
        return 2 * PAD + len(self.lines) * self.size * LEADING

    def span(self) -> float:
        """Height of the block with everything below it."""
        below = sum(c.span() for c in self.children) + V_GAP * max(len(self.children) - 1, 0)
        return max(self.height, below)


def draw_taxonomy(taxonomy: Taxonomy, *, counts: bool = True) -> Canvas:
    root = taxonomy.root
    deepest = _depth(root)
    blocks = [_category(taxonomy, child, PALETTE[i % len(PALETTE)], counts, 1, deepest)
              for i, child in enumerate(root.children)]
    label = root.name + (f" (n\u00a0=\u00a0{root.count})" if counts else "")
    span = sum(b.span() for b in blocks) + V_GAP * max(len(blocks) - 1, 0)
    root_h = max(text_width(label, SIZE, True) + 16, span if not blocks else 0.0)
    height = max(span, root_h) + 2 * MARGIN
    right = [MARGIN + ROOT_W]

    def measure(block: _Block, x: float) -> None:
        right[0] = max(right[0], x + block.width)
        for child in block.children:
            measure(child, x + block.width + H_GAP)

    for block in blocks:
        measure(block, MARGIN + ROOT_W + H_GAP)
    canvas = Canvas(right[0] + MARGIN, height, title=f"Taxonomy: {root.name}")
    centres = []
    y = MARGIN + (height - 2 * MARGIN - span) / 2
    for block in blocks:
        centres.append(_place(canvas, block, MARGIN + ROOT_W + H_GAP, y))
        y += block.span() + V_GAP
    middle = (centres[0] + centres[-1]) / 2 if centres else height / 2
    top = middle - root_h / 2
    with canvas.group(f"taxon-{root.category_id}", hotspot=(MARGIN, top, ROOT_W, root_h)):
        canvas.rect(MARGIN, top, ROOT_W, root_h, fill="#f2f2f2", stroke="#333333", radius=4)
        canvas.text(MARGIN + ROOT_W / 2 + SIZE * 0.35, middle, label, SIZE, bold=True, anchor="middle", rotate=-90)
    _fork(canvas, MARGIN + ROOT_W, middle, MARGIN + ROOT_W + H_GAP, centres)
    return canvas


def _category(taxonomy: Taxonomy, node: Taxon, colour: tuple[str, str], counts: bool, depth: int,
              deepest: int) -> _Block:
    label = node.name + (f" (n\u00a0=\u00a0{node.count})" if counts else "")
    block = _Block(wrap(label, CATEGORY_W - 2 * PAD, SIZE, True), SIZE, CATEGORY_W, True, node, colour=colour)
    if node.studies:
        # every citation list ends at the same right edge, whatever the depth of its category
        width = LEAF_W + (deepest - depth) * (CATEGORY_W + H_GAP)
        cites = "; ".join(short_citation(taxonomy.studies[s]) for s in node.studies)
        block.children.append(_Block(wrap(cites, width - 2 * PAD, LEAF_SIZE), LEAF_SIZE, width, False,
                                     owner=node.category_id, colour=colour))
    block.children.extend(_category(taxonomy, child, colour, counts, depth + 1, deepest) for child in node.children)
    return block


def _depth(node: Taxon) -> int:
    """Levels of categories below ``node``."""
    return 1 + max((_depth(c) for c in node.children), default=0) if node.children else 0


def _place(canvas: Canvas, block: _Block, x: float, top: float) -> float:
    """Draw ``block`` and its children in the band starting at ``top``; returns the block's vertical centre."""
    span = block.span()
    centres = []
    if block.children:
        below = sum(c.span() for c in block.children) + V_GAP * (len(block.children) - 1)
        y = top + (span - below) / 2
        for child in block.children:
            centres.append(_place(canvas, child, x + block.width + H_GAP, y))
            y += child.span() + V_GAP
        centre = (centres[0] + centres[-1]) / 2
    else:
        centre = top + span / 2
    box_y = centre - block.height / 2
    fill, outline = block.colour
    name = f"taxon-{block.taxon.category_id}" if block.taxon is not None else f"taxon-{block.owner}-studies"
    with canvas.group(name, hotspot=(x, box_y, block.width, block.height) if block.taxon is not None else None):
        canvas.rect(x, box_y, block.width, block.height, fill=fill if block.taxon is not None else "#ffffff",
                    stroke=outline, radius=3 if block.taxon is not None else 1.5)
        baseline = box_y + PAD + block.size * 0.92
        for line in block.lines:
            canvas.text(x + PAD, baseline, line, block.size, bold=block.bold,
                        color="#1a1a1a" if block.taxon is not None else "#333333")
            baseline += block.size * LEADING
    if centres:
        _fork(canvas, x + block.width, centre, x + block.width + H_GAP, centres)
    return centre


def _fork(canvas: Canvas, x0: float, y0: float, x1: float, centres: list[float]) -> None:
    """Forked edges: parent -> fork -> each child."""
    if not centres:
        return
    fork = (x0 + x1) / 2
    canvas.line([(x0, y0), (fork, y0)], stroke=EDGE)
    if len(centres) > 1 or abs(centres[0] - y0) > 0.01:
        canvas.line([(fork, min(centres + [y0])), (fork, max(centres + [y0]))], stroke=EDGE)
    for centre in centres:
        canvas.line([(fork, centre), (x1, centre)], stroke=EDGE)
