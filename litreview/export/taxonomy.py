"""The taxonomy of one aspect as a paper needs it: a LaTeX ``forest`` snippet, a Mermaid mindmap, a Markdown
outline (the figure itself is drawn by ``taxonomy_figure``).

The tree is the aspect's categories in display order; each category carries the number of studies in it (its
sub-categories included) and the studies put in it directly, oldest first, which become the leaf of citations
beside it. Only
the studies of the export's view count (``selection.studies_in_view``: the hierarchy's scope, or only the
included studies). Citation keys are those of ``export bibtex`` (``citekeys.library_keys``), so the snippet's
``\\cite{...}`` resolve against that file.

The forest snippet follows the style of survey papers' taxonomy figures (horizontal, ``forked edges``, the root
turned on its side, leaves listing ``Name~\\cite{key}``) and needs only ``\\usepackage[edges]{forest}`` (forest
loads TikZ and xcolor). Every node's text is wrapped in braces, so commas, ``=`` and square brackets in names
cannot end a node, and LaTeX specials are escaped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litreview.export.citekeys import authors_short, library_keys, short_citation
from litreview.export.selection import studies_by_id, studies_in_view
from litreview.hierarchy import tree
from litreview.hierarchy.tree import HierarchyError


@dataclass
class Taxon:
    """A node of the taxonomy: the aspect (root) or a category."""

    category_id: int
    name: str
    count: int                                            # studies in it or below it (in the view)
    studies: list[int] = field(default_factory=list)      # put in it directly (in the view)
    children: list[Taxon] = field(default_factory=list)


@dataclass
class Taxonomy:
    root: Taxon
    studies: dict[int, dict[str, Any]]  # study id -> decoded study row (those the tree shows)
    keys: dict[int, str]                # study id -> citation key (as ``export bibtex``, every study)
    total: int                          # studies in the view

    def walk(self) -> list[Taxon]:
        out: list[Taxon] = []

        def visit(node: Taxon) -> None:
            out.append(node)
            for child in node.children:
                visit(child)

        visit(self.root)
        return out


def aspects(library: Any, hierarchy_id: int) -> list[tuple[int, str]]:
    """(id, name) of the hierarchy's aspects in display order, for a chooser."""
    graph = tree.load_graph(library, hierarchy_id)
    return [(node, graph.nodes[node]["name"]) for node in tree.aspect_ids(graph)]


def aspect_id_by_name(library: Any, hierarchy_id: int, aspect: str | int) -> int:
    """The aspect named ``aspect`` (case and spacing ignored) or with that id; a clear error lists the aspects."""
    graph = tree.load_graph(library, hierarchy_id)
    aspects = tree.aspect_ids(graph)
    for node in aspects:
        if str(aspect) == str(node) or tree.name_key(graph.nodes[node]["name"]) == tree.name_key(str(aspect)):
            return node
    names = ", ".join(repr(graph.nodes[a]["name"]) for a in aspects) or "none"
    raise HierarchyError(f"no aspect {str(aspect)!r} in this hierarchy (aspects: {names})")


def build_taxonomy(library: Any, hierarchy_id: int, aspect_id: int, *, included_only: bool = False) -> Taxonomy:
    graph = tree.load_graph(library, hierarchy_id)
    view = set(studies_in_view(library, hierarchy_id, included_only))
    members: dict[int, set[int]] = {}
    direct: dict[int, list[int]] = {}
    for row in library.query(
            "SELECT a.category_id, a.study_id, a.implied FROM assignments a JOIN categories c ON c.id = a.category_id "
            "WHERE c.hierarchy_id = ? AND a.label = 1 ORDER BY a.study_id", (hierarchy_id,)):
        if row["study_id"] in view:
            members.setdefault(row["category_id"], set()).add(row["study_id"])
            if not row["implied"]:
                direct.setdefault(row["category_id"], []).append(row["study_id"])

    by_id = studies_by_id(library, {s for ids in direct.values() for s in ids})

    def chronological(study_id: int) -> tuple:
        study = by_id[study_id]
        return (study.get("year") or 9999, short_citation(study).casefold(), study_id)

    def node(category_id: int) -> Taxon:
        below = [node(child) for child in tree.children(graph, category_id)]
        studies = sorted(direct.get(category_id, []), key=chronological)
        count = len(members.get(category_id, set()) | {s for c in below for s in _all(c)})
        return Taxon(category_id, graph.nodes[category_id]["name"], count, studies, below)

    root = node(aspect_id)
    root.count = len({s for c in root.children for s in _all(c)})
    return Taxonomy(root, by_id, library_keys(library), len(view))


def _all(node: Taxon) -> set[int]:
    return set(node.studies).union(*(_all(c) for c in node.children)) if node.children else set(node.studies)


# -- LaTeX forest ---------------------------------------------------------------------------------------------
_LATEX = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
          "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
PALETTE = ["blue", "orange", "teal", "red", "violet", "olive", "cyan", "magenta", "brown", "lime"]


def latex_escape(text: str) -> str:
    return "".join(_LATEX.get(char, char) for char in " ".join(str(text).split()))


# Widths in em at \small: categories share a text width (a column, with padding and the fork, is COLUMN_EM
# wide); a leaf takes what is left of the line, so leaves end at one right edge, the text width of a one-column
# article, down to depth 2 (deeper leaves keep LEAF_MIN_EM: such a tree needs a two-column figure or \resizebox).
CATEGORY_EM, COLUMN_EM, LINE_EM, LEAF_MIN_EM = 7.5, 10.3, 31.0, 11.0


def forest(taxonomy: Taxonomy, *, counts: bool = True) -> str:
    """The snippet: a ``forest`` environment to put inside a figure (its comment shows how)."""
    root = taxonomy.root
    lines = [
        f"% Taxonomy of {_comment(root.name)} ({taxonomy.total} studies), written by litreview.",
        "% Needs \\usepackage[edges]{forest} in the preamble; the \\cite keys are those of `litreview export bibtex`.",
        "% Put it in a figure, e.g. \\begin{figure*}[t]\\centering <this> \\caption{...}\\end{figure*};",
        "% a tree too wide for the page fits with \\resizebox{\\textwidth}{!}{<this>} (package graphicx).",
        "\\begin{forest}",
        "  forked edges,",
        "  for tree={grow=east, reversed=true, anchor=west, parent anchor=east, child anchor=west,",
        "    font=\\small, rectangle, draw=black!60, rounded corners, node options={align=flush left}, minimum width=4em,",
        "    edge+={darkgray, line width=0.6pt}, s sep=3pt, inner xsep=3pt, inner ysep=3pt, line width=0.6pt},",
        "  txroot/.style={rotate=90, anchor=center, child anchor=north, parent anchor=south, font=\\small\\bfseries,",
        "    fill=black!5},",
        f"  txcategory/.style={{text width={CATEGORY_EM}em}},",
        "  txleaf/.style={font=\\footnotesize},",
    ]
    lines.append(f"  [{{{_label(root, counts)}}}, txroot")
    for index, child in enumerate(root.children):
        _forest_node(lines, taxonomy, child, 1, PALETTE[index % len(PALETTE)], counts)
    lines.append("  ]")
    lines.append("\\end{forest}")
    return "\n".join(lines) + "\n"


def _forest_node(lines: list[str], taxonomy: Taxonomy, node: Taxon, depth: int, colour: str, counts: bool) -> None:
    pad = "  " * (depth + 1)
    lines.append(f"{pad}[{{{_label(node, counts)}}}, txcategory, draw={colour}!70!black, fill={colour}!10")
    if node.studies:
        cites = ", ".join(f"{latex_escape(authors_short(taxonomy.studies[s], latex=True))}~\\cite{{{taxonomy.keys[s]}}}"
                          for s in node.studies)
        width = max(LEAF_MIN_EM, LINE_EM - COLUMN_EM * depth)
        lines.append(f"{pad}  [{{{cites}}}, txleaf, text width={width:g}em, draw={colour}!70!black]")
    for child in node.children:
        _forest_node(lines, taxonomy, child, depth + 1, colour, counts)
    lines.append(f"{pad}]")


def _label(node: Taxon, counts: bool) -> str:
    return latex_escape(node.name) + (f"~\\mbox{{($n={node.count}$)}}" if counts else "")


def _comment(text: str) -> str:
    return " ".join(str(text).split())


# -- Mermaid mindmap -----------------------------------------------------------------------------------------
def mermaid(taxonomy: Taxonomy, *, studies: bool = True, counts: bool = True) -> str:
    """A ``mindmap`` block (Mermaid 10+): every node has an id of ours and a quoted label, so brackets and
    parentheses in names are text; double quotes become single ones (a label cannot contain them)."""
    lines = ["mindmap", f"  root((\"{_mermaid_text(taxonomy.root.name)}\"))"]
    counter = iter(range(1, 1_000_000))

    def visit(node: Taxon, depth: int) -> None:
        pad = "  " * depth
        label = node.name + (f" (n = {node.count})" if counts else "")
        lines.append(f"{pad}c{next(counter)}[\"{_mermaid_text(label)}\"]")
        if studies:
            for study_id in node.studies:
                lines.append(f"{pad}  s{next(counter)}(\"{_mermaid_text(short_citation(taxonomy.studies[study_id]))}\")")
        for child in node.children:
            visit(child, depth + 1)

    for child in taxonomy.root.children:
        visit(child, 2)
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    return " ".join(str(text).replace('"', "'").replace("`", "'").split())


# -- Markdown outline ----------------------------------------------------------------------------------------
def markdown_outline(taxonomy: Taxonomy, *, counts: bool = True) -> str:
    """Nested list under a heading (markmap draws it as a mind map); studies cited as "García et al. 2011
    [@garcia2011default]" (pandoc reads the key against the BibTeX export)."""
    from litreview.export.hierarchy import markdown_escape

    root = taxonomy.root
    out = [f"# {markdown_escape(root.name)}" + (f" (n = {root.count})" if counts else ""), ""]

    def visit(node: Taxon, depth: int) -> None:
        pad = "  " * depth
        out.append(f"{pad}- **{markdown_escape(node.name)}**" + (f" (n = {node.count})" if counts else ""))
        for study_id in node.studies:
            study = taxonomy.studies[study_id]
            out.append(f"{pad}  - {markdown_escape(short_citation(study))} [@{taxonomy.keys[study_id]}]")
        for child in node.children:
            visit(child, depth + 1)

    for child in root.children:
        visit(child, 0)
    return "\n".join(out) + "\n"
