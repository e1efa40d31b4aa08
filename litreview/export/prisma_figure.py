"""The PRISMA 2020 flow diagram for new reviews, drawn from a ``PrismaFlow`` as the template draws it.

Layout of the official template (Page et al., BMJ 2021;372:n71): blue phase bars on the left (Identification,
Screening, Included); a yellow title over the databases-and-registers arm, whose flow runs down the left column
with the records removed or excluded at each step to its right; optionally a grey title over the other-methods
arm (records identified, then reports sought, not retrieved, assessed, excluded), which joins the included box.
Per-source counts are listed under "Databases" and "Registers" as the template's footnote asks, exclusion reasons
under "Reports excluded", and a footnote says how a recorded stop of screening was counted.

Boxes in a row are centred on the row, so every sideways arrow is straight; heights follow the text. Each box is
an SVG group named ``prisma-<box>`` whose area is kept in ``Canvas.hotspots``; ``BOX_KEYS`` says which numbers of
the flow each drawn box shows (the app lists their records when a box is clicked).
"""

from __future__ import annotations

from dataclasses import dataclass

from litreview.export.drawing import Canvas, Run, text_width, wrap
from litreview.export.prisma import NOT_RECORDED, PrismaFlow

SIZE = 9.0            # body text, points
SMALL = 7.0           # footnotes
LEADING = 1.28
PAD = 6.0             # inside a box
INDENT = 10.0         # per-source and per-reason lines
MARGIN = 12.0
BAR_W = 20.0          # phase bars
BAR_GAP = 10.0
MAIN_W = 170.0        # box columns of the main arm
OTHER_W = 160.0       # box columns of the other-methods arm
ARROW_GAP = 26.0      # between a flow box and the box it sends records to
ARM_GAP = 24.0
ROW_GAP = 22.0
BLUE, YELLOW, GREY, LINE = "#a9c8e8", "#f9d66b", "#d9d9d9", "#000000"
PHASES = (("Identification", 1, 1), ("Screening", 2, 4), ("Included", 5, 5))  # label, first row, last row

BOX_KEYS: dict[str, list[str]] = {
    "identified": ["database_results", "register_results"],
    "removed": ["duplicates", "excluded_automatic", "excluded_other"],
    "screened": ["records_screened"],
    "excluded": ["records_excluded"],
    "sought": ["dbr_sought_reports"],
    "not_retrieved": ["dbr_notretrieved_reports"],
    "assessed": ["dbr_assessed"],
    "reports_excluded": ["dbr_excluded"],
    "included": ["new_studies", "new_reports"],
    "other_identified": ["other_results"],
    "other_sought": ["other_sought_reports"],
    "other_not_retrieved": ["other_notretrieved_reports"],
    "other_assessed": ["other_assessed"],
    "other_reports_excluded": ["other_excluded"],
}
"""Drawn box -> the keys of ``PrismaFlow.boxes`` it shows."""


def n(count: int) -> str:
    """"(n = 1,234)" with no-break spaces, so a count is never split across lines."""
    return f"(n\u00a0=\u00a0{count:,})"


@dataclass
class _Line:
    runs: list[Run]
    indent: float = 0.0


def draw_prisma(flow: PrismaFlow) -> Canvas:
    """The diagram as a canvas (``to_svg``, ``to_pdf``, ``to_png``)."""
    b = flow.boxes
    automation = b["excluded_automatic"].count
    content: dict[str, list[str | tuple[str, int]]] = {
        "identified": ["Records identified from:", *_sources(flow, "database_results", "Databases"),
                       *_sources(flow, "register_results", "Registers")],
        "removed": ["Records removed before screening:",
                    (f"Duplicate records {n(b['duplicates'].count)}", 1),
                    (f"Records marked as ineligible by automation tools {n(automation)}"
                     + ("\u2020" if flow.stop is not None and automation else ""), 1),
                    (f"Records removed for other reasons {n(b['excluded_other'].count)}", 1)],
        "screened": [f"Records screened {n(b['records_screened'].count)}"],
        "excluded": [("Records excluded by a human" if automation else "Records excluded")
                     + f" {n(b['records_excluded'].count)}" + (":" if b["records_excluded"].parts else ""),
                     *_reasons(flow, "records_excluded")],
        "sought": [f"Reports sought for retrieval {n(b['dbr_sought_reports'].count)}"],
        "not_retrieved": [f"Reports not retrieved {n(b['dbr_notretrieved_reports'].count)}"],
        "assessed": [f"Reports assessed for eligibility {n(b['dbr_assessed'].count)}"],
        "reports_excluded": [f"Reports excluded {n(b['dbr_excluded'].count)}" + (":" if b["dbr_excluded"].parts else ""),
                             *_reasons(flow, "dbr_excluded")],
        "included": [f"Studies included in review {n(b['new_studies'].count)}",
                     f"Reports of included studies {n(b['new_reports'].count)}"],
    }
    if flow.other_arm:
        content.update({
            "other_identified": ["Records identified from:", *_sources(flow, "other_results", None)],
            "other_sought": [f"Reports sought for retrieval {n(b['other_sought_reports'].count)}"],
            "other_not_retrieved": [f"Reports not retrieved {n(b['other_notretrieved_reports'].count)}"],
            "other_assessed": [f"Reports assessed for eligibility {n(b['other_assessed'].count)}"],
            "other_reports_excluded": [f"Reports excluded {n(b['other_excluded'].count)}"
                                       + (":" if b["other_excluded"].parts else ""), *_reasons(flow, "other_excluded")],
        })
    return _Layout(flow, content).draw()


def _sources(flow: PrismaFlow, key: str, heading: str | None) -> list[str | tuple[str, int]]:
    """"Databases (n = 15)" then one indented line per source (the template's footnote: per database if
    feasible); without a heading (other methods) the sources are the lines themselves."""
    box = flow.boxes[key]
    lines: list[str | tuple[str, int]] = []
    if heading is not None:
        lines.append((f"{heading} {n(box.count)}", 1))
    for part in box.parts:
        name = part.label if part.label != NOT_RECORDED else "source not recorded"
        lines.append((f"{name} {n(part.count)}", 2 if heading is not None else 1))
    if heading is None and not box.parts:
        lines.append(("(none)", 1))
    return lines


def _reasons(flow: PrismaFlow, key: str) -> list[str | tuple[str, int]]:
    return [(f"{p.label} {n(p.count)}", 1)
            for p in flow.boxes[key].parts]


class _Layout:
    def __init__(self, flow: PrismaFlow, content: dict[str, list[str | tuple[str, int]]]):
        self.flow = flow
        self.content = content
        x = MARGIN + BAR_W + BAR_GAP
        self.col = {"A": x, "B": x + MAIN_W + ARROW_GAP}
        self.width = {"A": MAIN_W, "B": MAIN_W, "C": OTHER_W, "D": OTHER_W}
        right = self.col["B"] + MAIN_W
        if flow.other_arm:
            self.col["C"] = right + ARM_GAP
            self.col["D"] = self.col["C"] + OTHER_W + ARROW_GAP
            right = self.col["D"] + OTHER_W
        self.right = right
        self.lines = {key: self._wrap(lines, self._column_width(key)) for key, lines in content.items()}

    # which column each drawn box sits in, and in which row
    PLACES = {"identified": ("A", 1), "removed": ("B", 1), "screened": ("A", 2), "excluded": ("B", 2),
              "sought": ("A", 3), "not_retrieved": ("B", 3), "assessed": ("A", 4), "reports_excluded": ("B", 4),
              "included": ("A", 5), "other_identified": ("C", 1), "other_sought": ("C", 3),
              "other_not_retrieved": ("D", 3), "other_assessed": ("C", 4), "other_reports_excluded": ("D", 4)}

    def _column_width(self, key: str) -> float:
        return self.width[self.PLACES[key][0]]

    @staticmethod
    def _wrap(lines: list[str | tuple[str, int]], width: float) -> list[_Line]:
        out: list[_Line] = []
        for line in lines:
            text, level = (line, 0) if isinstance(line, str) else line
            indent = INDENT * level
            for piece in wrap(text, width - 2 * PAD - indent, SIZE):
                out.append(_Line([(piece, False)], indent))
        return out

    def _height(self, key: str) -> float:
        return 2 * PAD + len(self.lines[key]) * SIZE * LEADING

    def draw(self) -> Canvas:
        header_h = self._header_height()
        top = MARGIN + header_h + ROW_GAP * 0.6
        row_h = {row: max((self._height(k) for k, (_, r) in self.PLACES.items() if r == row and k in self.lines),
                          default=0.0) for row in range(1, 6)}
        for label, first, last in PHASES:  # a phase bar must be long enough for its rotated label
            span = sum(row_h[r] for r in range(first, last + 1)) + ROW_GAP * (last - first)
            row_h[last] += max(0.0, text_width(label, SIZE, True) + 4 * PAD - span)
        row_y: dict[int, float] = {}
        y = top
        for row in range(1, 6):
            row_y[row] = y
            y += row_h[row] + ROW_GAP
        bottom = y - ROW_GAP
        notes = self._footnotes()
        note_lines = [piece for note in notes for piece in wrap(note, self.right - MARGIN - BAR_W - BAR_GAP, SMALL)]
        height = bottom + (8 + len(note_lines) * SMALL * LEADING if note_lines else 0) + MARGIN
        canvas = Canvas(self.right + MARGIN, height, title="PRISMA 2020 flow diagram")
        self._headers(canvas, header_h)
        self._bars(canvas, row_y, row_h)
        rects: dict[str, tuple[float, float, float, float]] = {}
        for key in self.lines:
            column, row = self.PLACES[key]
            w, h = self._column_width(key), self._height(key)
            x, box_y = self.col[column], row_y[row] + (row_h[row] - h) / 2
            rects[key] = (x, box_y, w, h)
            self._box(canvas, key, rects[key])
        self._arrows(canvas, rects)
        y = bottom + 8 + SMALL
        for piece in note_lines:
            canvas.text(self.col["A"], y, piece, SMALL, color="#333333")
            y += SMALL * LEADING
        return canvas

    def _header_height(self) -> float:
        widths = [self.col["B"] + MAIN_W - self.col["A"]]
        if self.flow.other_arm:
            widths.append(self.col["D"] + OTHER_W - self.col["C"])
        lines = max(len(wrap(t, w - 2 * PAD, SIZE, True)) for t, w in zip(self._header_texts(), widths))
        return 2 * PAD + lines * SIZE * LEADING

    def _header_texts(self) -> list[str]:
        return ["Identification of new studies via databases and registers",
                "Identification of new studies via other methods"]

    def _headers(self, canvas: Canvas, h: float) -> None:
        spans = [("A", "B", YELLOW)] + ([("C", "D", GREY)] if self.flow.other_arm else [])
        for (first, last, colour), text in zip(spans, self._header_texts()):
            x = self.col[first]
            w = self.col[last] + self.width[last] - x
            canvas.rect(x, MARGIN, w, h, fill=colour, stroke=LINE, radius=6)
            lines = wrap(text, w - 2 * PAD, SIZE, True)
            y = MARGIN + (h - len(lines) * SIZE * LEADING) / 2 + SIZE * 0.95
            for line in lines:
                canvas.text(x + w / 2, y, line, SIZE, bold=True, anchor="middle")
                y += SIZE * LEADING

    def _bars(self, canvas: Canvas, row_y: dict[int, float], row_h: dict[int, float]) -> None:
        for label, first, last in PHASES:
            y0, y1 = row_y[first], row_y[last] + row_h[last]
            canvas.rect(MARGIN, y0, BAR_W, y1 - y0, fill=BLUE, stroke=LINE, radius=6)
            cx, cy = MARGIN + BAR_W / 2 + SIZE * 0.35, (y0 + y1) / 2
            canvas.text(cx, cy, label, SIZE, bold=True, anchor="middle", rotate=-90)

    def _box(self, canvas: Canvas, key: str, rect: tuple[float, float, float, float]) -> None:
        x, y, w, h = rect
        with canvas.group(f"prisma-{key}", hotspot=rect):
            canvas.rect(x, y, w, h, fill="#ffffff", stroke=LINE)
            baseline = y + PAD + SIZE * 0.92
            for line in self.lines[key]:
                canvas.text(x + PAD + line.indent, baseline, line.runs, SIZE)
                baseline += SIZE * LEADING

    def _arrows(self, canvas: Canvas, rects: dict[str, tuple[float, float, float, float]]) -> None:
        def right_of(a: str, b: str) -> None:
            ax, ay, aw, ah = rects[a]
            bx = rects[b][0]
            canvas.arrow([(ax + aw, ay + ah / 2), (bx, ay + ah / 2)])

        def below(a: str, b: str) -> None:
            ax, ay, aw, ah = rects[a]
            canvas.arrow([(ax + aw / 2, ay + ah), (ax + aw / 2, rects[b][1])])

        right_of("identified", "removed")
        for upper, lower in (("identified", "screened"), ("screened", "sought"), ("sought", "assessed"),
                             ("assessed", "included")):
            below(upper, lower)
        for left, right in (("screened", "excluded"), ("sought", "not_retrieved"), ("assessed", "reports_excluded")):
            right_of(left, right)
        if self.flow.other_arm:
            below("other_identified", "other_sought")
            below("other_sought", "other_assessed")
            right_of("other_sought", "other_not_retrieved")
            right_of("other_assessed", "other_reports_excluded")
            cx, cy, cw, ch = rects["other_assessed"]
            ix, iy, iw, ih = rects["included"]
            canvas.arrow([(cx + cw / 2, cy + ch), (cx + cw / 2, iy + ih / 2), (ix + iw, iy + ih / 2)])

    def _footnotes(self) -> list[str]:
        notes = []
        stop = self.flow.stop
        stopped = next((p.count for p in self.flow.boxes["excluded_automatic"].parts
                        if p.key == "excluded_automatic_stopped"), 0)
        decided = next((p.count for p in self.flow.boxes["excluded_automatic"].parts
                        if p.key == "excluded_automatic_decided"), 0)
        if stop is not None and (stopped or decided):
            rule = f"the {stop['rule']} stopping rule"
            if stop.get("target") is not None:
                rule += f", target recall {stop['target']:.0%}"
            if stop.get("confidence") is not None:
                rule += f", confidence {stop['confidence']:.0%}"
            who = "; stopped by the reviewers before the rule was met" if stop.get("chosen_by") == "user" else ""
            text = (f"\u2020 Title/abstract screening in prioritised order stopped after {stop['screened']:,} of "
                    f"{stop['total']:,} records ({rule}{who}); {_records(stopped)} not screened "
                    f"{'is' if stopped == 1 else 'are'} counted as marked ineligible by automation tools")
            text += f", with {_records(decided)} excluded by an automation tool." if decided else "."
            notes.append(text)
        elif decided:
            notes.append(f"{_records(decided)} {'was' if decided == 1 else 'were'} excluded by an automation tool.")
        notes.append("Template: Page MJ, McKenzie JE, Bossuyt PM, et al. The PRISMA 2020 statement: an updated "
                     "guideline for reporting systematic reviews. BMJ 2021;372:n71. doi:10.1136/bmj.n71")
        return notes


def _records(count: int) -> str:
    return f"{count:,} record" + ("" if count == 1 else "s")
