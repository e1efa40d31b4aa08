"""Exporting a hierarchy for a paper: Markdown to read and paste, CSV tables to analyse.

Every export takes the same choices: which aspects (default all), only the included studies or every study of
the hierarchy's scope (``selection``), and what to do with uncategorised studies. Counts and lists always describe
the studies of that view, so a table of included studies adds up to the PRISMA diagram's "studies included".

Markdown (``write_markdown``): one section per aspect: its description, a summary table (category path, n,
and the n studies in the category or below it as short citations), then the categories as nested headings
(aspect ##, then ###, ####, #####) with each study as a citation line "Family et al. (Year). Title. DOI" and its
claims beneath, under the categories it was put in directly (a heading counts its sub-categories' studies too,
but lists only its own). Uncategorised studies are a count by default ("list" lists them, "none" leaves them
out): a long list of what the hierarchy could not place buries what it did. Descriptions a model wrote for a
name the user has since changed are left out (``provenance``). Text from studies and models is escaped, so it
shows literally.

CSV (RFC 4180, formula-guarded by ``csv_safe``): ``write_csv`` has one row per study and category it was put in
directly, with ``assigned_by`` as a stable code (user | model | rules | stats) and the model's name in its own
column, the citation key of ``export bibtex`` and, unless left out, one row per uncategorised study (empty path);
``write_summary_csv`` has the summary table's rows (path, depth, n, short citations, citation keys) and per
aspect one "(uncategorised)" row with its count. Files are written to a temporary name and renamed (``files``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from litreview.export import csv_safe
from litreview.export.citekeys import authors_short, library_keys, short_citation
from litreview.export.files import atomic_text
from litreview.export.provenance import assigned_by, export_descriptions
from litreview.export.selection import studies_by_id, studies_in_view
from litreview.hierarchy import tree
from litreview.hierarchy.tree import HierarchyError

CSV_COLUMNS = ["aspect", "category_path", "study_id", "citation_key", "title", "authors", "year", "doi",
               "assigned_by", "model", "score"]
SUMMARY_COLUMNS = ["aspect", "category_path", "depth", "n", "citations", "citation_keys"]
PATH_SEPARATOR = " > "
UNCATEGORISED = ("count", "list", "none")


class _View:
    """What an export shows: the hierarchy, the chosen aspects, the studies in view, and what to say about them."""

    def __init__(self, library: Any, hierarchy_id: int | None, aspects: Iterable[str | int] | None,
                 included_only: bool):
        self.library = library
        self.hierarchy_id = resolve_hierarchy(library, hierarchy_id)
        self.graph = tree.load_graph(library, self.hierarchy_id)
        self.aspects = _chosen_aspects(self.graph, aspects)
        self.included_only = included_only
        self.studies_in_view = studies_in_view(library, self.hierarchy_id, included_only)
        in_view = set(self.studies_in_view)
        self.keys = library_keys(library)
        self.studies = studies_by_id(library, in_view)
        self.direct: dict[int, list[dict[str, Any]]] = {}   # category -> its direct rows (in view)
        self.members: dict[int, set[int]] = {}               # category -> studies in it or below (in view)
        for row in library.query(
                "SELECT a.category_id, a.study_id, a.source, a.score, a.implied FROM assignments a "
                "JOIN categories c ON c.id = a.category_id WHERE c.hierarchy_id = ? AND a.label = 1 "
                "ORDER BY a.study_id", (self.hierarchy_id,)):
            if row["study_id"] not in in_view:
                continue
            self.members.setdefault(row["category_id"], set()).add(row["study_id"])
            if not row["implied"]:
                self.direct.setdefault(row["category_id"], []).append(row)

    def name(self, node: int) -> str:
        return self.graph.nodes[node]["name"]

    def path(self, node: int) -> list[str]:
        return [self.name(n) for n in tree.path_ids(self.graph, node)[1:]]

    def categories(self, aspect: int) -> list[int]:
        """The aspect's categories depth-first in display order."""
        out: list[int] = []

        def visit(node: int) -> None:
            for child in tree.children(self.graph, node):
                out.append(child)
                visit(child)

        visit(aspect)
        return out

    def cited(self, category: int) -> list[int]:
        """The studies in a category or below it, in citation order (first author, year, title)."""
        def order(study_id: int) -> tuple:
            study = self.studies[study_id]
            return (short_citation(study).casefold(), study.get("title") or "", study_id)

        return sorted(self.members.get(category, set()), key=order)

    def uncategorised(self, aspect: int) -> list[int]:
        placed = set().union(*(self.members.get(c, set()) for c in self.categories(aspect)))
        return [s for s in self.studies_in_view if s not in placed]


def write_markdown(library: Any, path: str | Path, hierarchy_id: int | None = None, *,
                   aspects: Iterable[str | int] | None = None, included_only: bool = False,
                   uncategorised: str = "count", summary: bool = True, claims: bool = True) -> Path:
    """Write the hierarchy as Markdown to ``path`` (see the module docstring); returns the path."""
    if uncategorised not in UNCATEGORISED:
        raise ValueError(f"uncategorised must be one of {UNCATEGORISED}")
    view = _View(library, hierarchy_id, aspects, included_only)
    descriptions = export_descriptions(library, view.hierarchy_id)
    found = _claims(library) if claims else {}
    header = library.query("SELECT name, model, created FROM hierarchies WHERE id = ?", (view.hierarchy_id,))[0]
    with atomic_text(path, newline=None) as out:
        out.write(f"# {markdown_escape(header['name'])}\n\n")
        made = f"Built {header['created'][:10]}" + (f" with {header['model']}" if header["model"] else "")
        which = "included studies" if included_only else "studies"
        out.write(f"_{markdown_escape(made)}; {len(view.studies_in_view)} {which}._\n")
        for aspect in view.aspects:
            out.write(f"\n## {markdown_escape(view.name(aspect))}\n\n")
            if descriptions.get(aspect):
                out.write(f"{markdown_escape(descriptions[aspect])}\n\n")
            if summary:
                _summary_table(out, view, aspect)
            for child in tree.children(view.graph, aspect):
                _write_category(out, view, child, 3, descriptions, found)
            missing = view.uncategorised(aspect)
            if missing and uncategorised == "count":
                out.write(f"\n_Uncategorised under this aspect: {len(missing)} "
                          f"stud{'y' if len(missing) == 1 else 'ies'}._\n")
            elif missing and uncategorised == "list":
                out.write(f"\n### Uncategorised ({len(missing)})\n\n")
                for study_id in missing:
                    _write_study(out, view.studies[study_id], found.get(study_id, []))
    return Path(path)


def write_csv(library: Any, path: str | Path, hierarchy_id: int | None = None, *,
              aspects: Iterable[str | int] | None = None, included_only: bool = False,
              uncategorised: bool = True) -> Path:
    """Write one row per (study, directly assigned category) of the view to ``path``; returns the path."""
    view = _View(library, hierarchy_id, aspects, included_only)
    with atomic_text(path) as out:
        writer = csv_safe.writer(out)
        writer.writerow(CSV_COLUMNS)
        for aspect in view.aspects:
            for category in view.categories(aspect):
                for row in view.direct.get(category, []):
                    writer.writerow(_csv_row(view, aspect, view.path(category), row["study_id"], row["source"],
                                             row["score"]))
            if uncategorised:
                for study_id in view.uncategorised(aspect):
                    writer.writerow(_csv_row(view, aspect, [], study_id, "", None))
    return Path(path)


def write_summary_csv(library: Any, path: str | Path, hierarchy_id: int | None = None, *,
                      aspects: Iterable[str | int] | None = None, included_only: bool = False,
                      uncategorised: bool = True) -> Path:
    """Write the summary table (one row per category: path, n, citations, keys) to ``path``; returns the path."""
    view = _View(library, hierarchy_id, aspects, included_only)
    with atomic_text(path) as out:
        writer = csv_safe.writer(out)
        writer.writerow(SUMMARY_COLUMNS)
        for aspect in view.aspects:
            for category in view.categories(aspect):
                studies = view.cited(category)
                writer.writerow([view.name(aspect), PATH_SEPARATOR.join(view.path(category)),
                                 len(view.path(category)), len(studies),
                                 "; ".join(short_citation(view.studies[s]) for s in studies),
                                 "; ".join(view.keys[s] for s in studies)])
            if uncategorised:
                writer.writerow([view.name(aspect), "(uncategorised)", 0, len(view.uncategorised(aspect)), "", ""])
    return Path(path)


def citation(study: dict[str, Any]) -> str:
    """"Family et al. (Year). Title. https://doi.org/DOI" (two authors: "A & B"; no year: "n.d.")."""
    year = study.get("year") or "n.d."
    title = (study.get("title") or "Untitled").strip().rstrip(".")
    text = f"{authors_short(study)} ({year}). {title}."
    if study.get("doi"):
        text += f" https://doi.org/{study['doi']}"
    return text


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def markdown_escape(text: str) -> str:
    """Text from studies and the model shown literally: Markdown syntax characters escaped, lines joined."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


# -- helpers ------------------------------------------------------------------------------------------------
def resolve_hierarchy(library: Any, hierarchy_id: int | None) -> int:
    hierarchy_id = hierarchy_id if hierarchy_id is not None else tree.latest_hierarchy_id(library)
    if hierarchy_id is None:
        raise HierarchyError("this library has no hierarchy yet: build one first (litreview hierarchy build)")
    if not library.conn.execute("SELECT 1 FROM hierarchies WHERE id = ?", (hierarchy_id,)).fetchone():
        raise HierarchyError(f"hierarchy {hierarchy_id} does not exist")
    return hierarchy_id


def _chosen_aspects(graph: Any, wanted: Iterable[str | int] | None) -> list[int]:
    """The aspects to export, in display order; a name (case and spacing ignored) or id that matches none is an
    error listing the aspects there are."""
    aspects = tree.aspect_ids(graph)
    if wanted is None:
        return aspects
    chosen = set()
    for item in wanted:
        match = [a for a in aspects if str(item) == str(a) or tree.name_key(graph.nodes[a]["name"]) == tree.name_key(str(item))]
        if not match:
            names = ", ".join(repr(graph.nodes[a]["name"]) for a in aspects) or "none"
            raise HierarchyError(f"no aspect {str(item)!r} in this hierarchy (aspects: {names})")
        chosen.update(match)
    return [a for a in aspects if a in chosen]


def _claims(library: Any) -> dict[int, list[dict[str, Any]]]:
    claims: dict[int, list[dict[str, Any]]] = {}
    for row in library.query("SELECT * FROM claims ORDER BY study_id, position, id"):
        claims.setdefault(row["study_id"], []).append(row)
    return claims


def _summary_table(out: TextIO, view: _View, aspect: int) -> None:
    categories = view.categories(aspect)
    if not categories:
        return
    out.write("| Category | n | Studies |\n|---|---:|---|\n")
    for category in categories:
        studies = view.cited(category)
        cites = "; ".join(short_citation(view.studies[s]) for s in studies)
        out.write(f"| {markdown_escape(PATH_SEPARATOR.join(view.path(category)))} | {len(studies)} | "
                  f"{markdown_escape(cites)} |\n")


def _write_category(out: TextIO, view: _View, node: int, level: int, descriptions: dict[int, str],
                    claims: dict[int, list[dict]]) -> None:
    out.write(f"\n{'#' * level} {markdown_escape(view.name(node))} ({len(view.members.get(node, set()))})\n\n")
    if descriptions.get(node):
        out.write(f"{markdown_escape(descriptions[node])}\n\n")
    for row in view.direct.get(node, []):
        _write_study(out, view.studies[row["study_id"]], claims.get(row["study_id"], []))
    for child in tree.children(view.graph, node):
        _write_category(out, view, child, min(level + 1, 6), descriptions, claims)


def _write_study(out: TextIO, study: dict[str, Any], claims: list[dict[str, Any]]) -> None:
    out.write(f"- {markdown_escape(citation(study))}\n")
    for claim in claims:
        where = ""
        if claim["grounded"]:
            where = f" (p. {claim['page_no']})" if claim["page_no"] is not None else " (abstract)"
        evidence = "" if claim["quote"] == claim["text"] else f" — “{markdown_escape(claim['quote'])}”"
        marked = " (extracted without the model)" if claim.get("fallback") else ""
        out.write(f"  - {markdown_escape(claim['text'])}{evidence}{where}{marked}\n")


def _csv_row(view: _View, aspect: int, path: list[str], study_id: int, source: str, score: float | None) -> list[Any]:
    study = view.studies[study_id]
    authors = "; ".join(", ".join(p for p in (a.get("family"), a.get("given")) if p) for a in study.get("authors") or [])
    code, model = assigned_by(source)
    return [view.name(aspect), PATH_SEPARATOR.join(path), study_id, view.keys[study_id], study.get("title") or "",
            authors, study.get("year") if study.get("year") is not None else "", study.get("doi") or "", code, model,
            "" if score is None else round(float(score), 4)]
