"""The taxonomy of an aspect: the forest snippet cites exactly the keys of the BibTeX export, its brackets and
braces balance and (where pdflatex is installed) it compiles with only ``\\usepackage[edges]{forest}``; the
Mermaid mindmap and Markdown outline hold the same tree; the app's own SVG/PDF hold it as text."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import bibtexparser
import pymupdf
import pytest

from litreview.cli import main
from litreview.export.figures import write_taxonomy
from litreview.export.library import write_bibtex
from litreview.export.taxonomy import aspect_id_by_name, build_taxonomy, forest, markdown_outline, mermaid
from litreview.hierarchy.tree import HierarchyError
from tests.helpers.review import HOSTILE_CATEGORY


def balanced(tex: str) -> bool:
    """Forest's brackets balance outside braces, braces balance, and nothing is left open (escapes skipped)."""
    brackets = braces = 0
    chars = iter(tex)
    for char in chars:
        if char == "\\":
            next(chars, None)  # an escaped character (\{ \% ...) or the first letter of a command
        elif char == "%":
            for rest in chars:  # a comment runs to the end of the line
                if rest == "\n":
                    break
        elif char == "{":
            braces += 1
        elif char == "}":
            braces -= 1
        elif char == "[" and braces == 0:
            brackets += 1
        elif char == "]" and braces == 0:
            brackets -= 1
        if braces < 0 or brackets < 0:
            return False
    return brackets == 0 and braces == 0


def taxonomy_of(library, names, aspect="Intervention", **options):
    hierarchy = names["_hierarchy"]
    return build_taxonomy(library, hierarchy, aspect_id_by_name(library, hierarchy, aspect), **options)


def test_forest_cites_the_bibtex_keys_and_balances(review_hierarchy, tmp_path):
    library, ids, names = review_hierarchy
    taxonomy = taxonomy_of(library, names)
    tex = forest(taxonomy)
    write_bibtex(library, tmp_path / "refs.bib")
    bib_keys = {entry.key for entry in bibtexparser.parse_file(str(tmp_path / "refs.bib")).entries}
    cited = re.findall(r"\\cite\{([^}]*)\}", tex)
    assert cited and set(cited) <= bib_keys
    in_scope = {ids[k] for k in ("P1", "P2", "P4", "C1", "S1")}  # R1 and C3 were excluded at full text
    assert set(cited) == {taxonomy.keys[s] for s in in_scope}
    assert balanced(tex)
    assert r"Nudges, defaults \& reminders~\mbox{($n=4$)}" in tex
    assert r"=HYPERLINK(\"http://evil.example\") [50\% \& \{x\}\_y \textasciitilde{} \#1 \textbackslash{} " \
           r"\textasciicircum{}]" in tex.replace('"', '\\"')
    assert tex.count("\\begin{forest}") == tex.count("\\end{forest}") == 1


def test_balance_checker_catches_what_it_should():
    assert balanced(r"[{a [b] \{ c}, x [{d}]]")
    assert not balanced(r"[{a}, x [{d}]")
    assert not balanced(r"[{a \}]")


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed: brackets and keys are checked above")
def test_forest_compiles_with_only_the_forest_package(review_hierarchy, tmp_path):
    library, _, names = review_hierarchy
    (tmp_path / "taxonomy.tex").write_text(forest(taxonomy_of(library, names)), encoding="utf-8")
    (tmp_path / "paper.tex").write_text(
        "\\documentclass{article}\n\\usepackage[edges]{forest}\n\\begin{document}\n"
        "\\begin{figure}\\centering\\input{taxonomy.tex}\\caption{Taxonomy}\\end{figure}\n\\end{document}\n",
        encoding="utf-8")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:]
    with pymupdf.open(tmp_path / "paper.pdf") as pdf:
        text = " ".join(pdf[0].get_text().split())
    assert "Nudges, defaults & reminders (n = 4)" in text and "Evans and Lee" in text  # no hyphenation


def test_mermaid_and_markdown_hold_the_same_tree(review_hierarchy, tmp_path):
    library, _, names = review_hierarchy
    taxonomy = taxonomy_of(library, names)
    chart = mermaid(taxonomy)
    lines = chart.splitlines()
    assert lines[0] == "mindmap" and lines[1] == '  root(("Intervention"))'
    labels = [re.fullmatch(r'( +)[cs]\d+(\["|\(")([^"]*)("\]|"\))', line) for line in lines[2:]]
    assert all(labels), chart  # every node: our id, a quoted label without quotes inside
    assert '    c1["Nudges, defaults & reminders (n = 4)"]' in lines
    assert any(m[3].startswith("=HYPERLINK('http://evil.example')") for m in labels)
    indents = [len(m[1]) for m in labels]
    assert all(b - a <= 2 for a, b in zip(indents, indents[1:]))  # a child is one level deeper, never more
    outline = markdown_outline(taxonomy)
    write_bibtex(library, tmp_path / "refs.bib")
    bib_keys = {entry.key for entry in bibtexparser.parse_file(str(tmp_path / "refs.bib")).entries}
    assert set(re.findall(r"\[@([^\]]+)\]", outline)) == set(re.findall(r"\\cite\{([^}]*)\}", forest(taxonomy)))
    assert set(re.findall(r"\[@([^\]]+)\]", outline)) <= bib_keys
    assert outline.startswith("# Intervention (n = 5)\n")
    assert "- **Nudges, defaults & reminders** (n = 4)" in outline
    assert "    - **Text messages** (n = 1)" in outline


def test_included_only_keeps_the_included_studies(review_hierarchy):
    library, ids, names = review_hierarchy
    taxonomy = taxonomy_of(library, names, included_only=True)
    shown = {s for node in taxonomy.walk() for s in node.studies}
    assert shown == {ids[k] for k in ("P1", "P4", "C1", "S1")}  # P2 was not retrieved
    assert taxonomy.root.count == 4


def test_svg_and_pdf_figures_hold_the_tree_as_text(review_hierarchy, tmp_path):
    library, _, names = review_hierarchy
    write_taxonomy(library, tmp_path / "tax.svg", "intervention")
    root = ET.parse(tmp_path / "tax.svg").getroot()
    text = " ".join(" ".join(root.itertext()).replace("\u00a0", " ").split())
    for expected in ("Intervention (n = 5)", "Nudges, defaults & reminders (n = 4)", "Defaults (n = 2)",
                     "García & Lee 2011", "-Empty (n = 0)"):
        assert expected in text
    assert "=HYPERLINK" in text
    write_taxonomy(library, tmp_path / "tax.pdf", "Intervention")
    with pymupdf.open(tmp_path / "tax.pdf") as pdf:
        assert "Reminders (n = 1)" in " ".join(pdf[0].get_text().replace("\u00a0", " ").split())


def test_cli_writes_every_format_and_names_the_aspects_when_one_is_wrong(review_hierarchy, tmp_path, capsys):
    library, _, _ = review_hierarchy
    folder = str(library.folder)
    for fmt, suffix in (("tex", "tex"), ("svg", "svg"), ("pdf", "pdf"), ("png", "png"), ("mermaid", "mmd"),
                        ("md", "md")):
        target = tmp_path / f"taxonomy.{suffix}"
        assert main(["--library", folder, "export", "taxonomy", "--aspect", "Intervention", "--format", fmt,
                     "-o", str(target)]) == 0
        assert target.stat().st_size > 0
    assert "taxonomy of 'Intervention'" in capsys.readouterr().out
    assert main(["--library", folder, "export", "taxonomy", "--aspect", "Outcome", "-o", str(tmp_path / "x.tex")]) == 2
    assert "aspects: 'Intervention', 'Setting'" in capsys.readouterr().err
    assert main(["--library", folder, "export", "taxonomy", "-o", str(tmp_path / "x.tex")]) == 2
    assert "exactly one --aspect" in capsys.readouterr().err


def test_unknown_aspect_is_a_clear_error(review_hierarchy):
    library, _, names = review_hierarchy
    with pytest.raises(HierarchyError, match="no aspect 'Nope'"):
        aspect_id_by_name(library, names["_hierarchy"], "Nope")
    assert HOSTILE_CATEGORY  # imported for the escaping checks above
