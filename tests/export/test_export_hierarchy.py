"""Hierarchy exports: the CSV parses back to exactly the stored assignments; Markdown has every aspect, category,
citation and claim. (Paper-ready options, codes and descriptions: tests/export/test_paper_exports.py.)"""

from __future__ import annotations

import csv

import pytest

from litreview.export.hierarchy import CSV_COLUMNS, citation, write_csv, write_markdown
from litreview.hierarchy import edits, tree
from litreview.hierarchy.tree import HierarchyError


def _add_claim(library, study_id, text, quote):
    with library.command("Add claim") as cmd:
        cmd.insert("claims", {"study_id": study_id, "text": text, "quote": quote, "grounded": 1, "page_no": None,
                              "char_start": 0, "char_end": len(quote), "source": "test"})


def test_csv_round_trip(toy_hierarchy, tmp_out):
    library, ids, studies = toy_hierarchy
    with library.command("Awkward title") as cmd:
        cmd.update("studies", studies[0], {"title": 'Triptans, "quoted", and a\nnew line'})
    edits.assign_study(library, studies[5], ids["Safety"])
    path = write_csv(library, tmp_out / "h.csv")
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == CSV_COLUMNS
    got = {(r["aspect"], r["category_path"], int(r["study_id"]), r["assigned_by"]) for r in rows}
    assert {r["model"] for r in rows} == {""}  # 'stats' and 'user' rows: no model
    expected = set()
    for row in library.query("SELECT * FROM assignments WHERE label = 1 AND implied = 0"):
        path_names = tree.category_path(library, row["category_id"])
        expected.add((path_names[0], " > ".join(path_names[1:]), row["study_id"], row["source"]))
    for aspect in ("Intervention", "Outcome"):
        for study_id in tree.uncategorised(library, ids["_hierarchy"], ids[aspect]):
            expected.add((aspect, "", study_id, ""))
    assert got == expected
    first = next(r for r in rows if int(r["study_id"]) == studies[0])
    assert first["title"] == 'Triptans, "quoted", and a\nnew line'
    assert first["authors"] == "Author1, A.; Second, B.; Third, C."
    assert (first["year"], first["doi"]) == ("2001", "10.1000/s1")
    oral = next(r for r in rows if r["category_path"] == "Drugs > Triptans > Oral triptans")
    assert float(oral["score"]) == 0.5
    user = next(r for r in rows if r["assigned_by"] == "user")
    assert (user["category_path"], user["score"]) == ("Safety", "")


def test_markdown_has_aspects_nested_categories_citations_and_claims(toy_hierarchy, tmp_out):
    library, ids, studies = toy_hierarchy
    _add_claim(library, studies[0], "Oral triptans relieved pain at 2 h.", "Pain relief at 2 h was 60% vs 30%.")
    text = write_markdown(library, tmp_out / "h.md", uncategorised="list").read_text(encoding="utf-8")
    assert text.startswith("# Test hierarchy\n")
    assert "\n## Intervention\n" in text and "\n## Outcome\n" in text
    assert "\n### Drugs (4)\n" in text and "\n#### Triptans (3)\n" in text and "\n##### Oral triptans (2)\n" in text
    assert "- Author1 et al. (2001). Study 1. https://doi.org/10.1000/s1\n" in text
    assert "  - Oral triptans relieved pain at 2 h. — “Pain relief at 2 h was 60% vs 30%.” (abstract)\n" in text
    assert "\n### Uncategorised (1)\n" in text
    # each study is listed once per category it was put in directly, not again under implied parents (the
    # summary table names it in short form, "Author1 et al. 2001")
    intervention = text.split("\n## Outcome\n")[0]
    assert intervention.count("Study 1.") == 1
    assert "| Drugs \\> Triptans \\> Oral triptans | 2 | Author1 et al. 2001; Author2 et al. 2002 |" in intervention


def test_citation_forms():
    assert citation({"authors": [{"family": "Smith", "given": "J"}], "year": 2001, "title": "T.", "doi": None}) \
        == "Smith (2001). T."
    assert citation({"authors": [{"family": "A"}, {"family": "B"}], "year": None, "title": "T", "doi": "10.1/x"}) \
        == "A & B (n.d.). T. https://doi.org/10.1/x"


def test_export_without_hierarchy_is_a_clear_error(library, tmp_out):
    with pytest.raises(HierarchyError, match="no hierarchy yet"):
        write_csv(library, tmp_out / "x.csv")
    assert not (tmp_out / "x.csv").exists()
