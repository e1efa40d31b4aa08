"""Paper-ready hierarchy exports and the decisions table: aspects chosen, included studies only, uncategorised
as a count by default, a summary table, ``assigned_by`` as a code with the model in its own column, machine
descriptions dropped after a user rename, and every screening decision with its reason and who made it."""

from __future__ import annotations

import csv

import pytest

from litreview.cli import main
from litreview.export.decisions import COLUMNS as DECISION_COLUMNS
from litreview.export.decisions import write_decisions_csv
from litreview.export.hierarchy import CSV_COLUMNS, write_csv, write_markdown, write_summary_csv
from litreview.export.provenance import assigned_by, export_descriptions
from litreview.export.selection import included_study_ids
from litreview.hierarchy import edits
from litreview.hierarchy.tree import HierarchyError
from litreview.screening import decide


def rows(path, encoding="utf-8"):
    with open(path, newline="", encoding=encoding) as handle:
        return list(csv.DictReader(handle))


def test_markdown_counts_uncategorised_by_default_and_lists_on_request(review_hierarchy, tmp_path):
    library, _, names = review_hierarchy
    text = write_markdown(library, tmp_path / "h.md").read_text(encoding="utf-8")
    assert "_Uncategorised under this aspect: 2 studies._" in text  # P7 and P8: in scope, in no category
    assert "### Uncategorised" not in text
    listed = write_markdown(library, tmp_path / "l.md", uncategorised="list").read_text(encoding="utf-8")
    assert "### Uncategorised (2)" in listed and "Ito & Lee (2017)" in listed
    quiet = write_markdown(library, tmp_path / "n.md", uncategorised="none").read_text(encoding="utf-8")
    assert "Uncategorised" not in quiet


def test_markdown_summary_table_aspects_and_included_only(review_hierarchy, tmp_path):
    library, _, _ = review_hierarchy
    text = write_markdown(library, tmp_path / "h.md", aspects=["intervention"], included_only=True)\
        .read_text(encoding="utf-8")
    assert "## Setting" not in text and "## Intervention" in text
    assert "4 included studies._" in text
    table = text.split("| Category | n | Studies |\n|---|---:|---|\n")[1].split("\n\n")[0].splitlines()
    assert table[0] == "| Nudges, defaults & reminders | 3 | Evans & Lee 2024; García & Lee 2011; Müller & Lee 2014 |"
    assert table[1] == "| Nudges, defaults & reminders \\> Defaults | 1 | García & Lee 2011 |"  # P2 not retrieved
    assert "Okafor" not in text
    plain = write_markdown(library, tmp_path / "p.md", summary=False).read_text(encoding="utf-8")
    assert "| Category |" not in plain
    with pytest.raises(HierarchyError, match="aspects: 'Intervention', 'Setting'"):
        write_markdown(library, tmp_path / "x.md", aspects=["Population"])


def test_csv_has_assigned_by_codes_and_the_model_apart(review_hierarchy, tmp_path):
    library, ids, names = review_hierarchy
    with library.command("Model assignment") as cmd:
        row = library.query("SELECT id FROM assignments WHERE category_id = ? AND study_id = ?",
                            (names["Hospitals"], ids["P1"]))[0]
        cmd.update("assignments", row["id"], {"source": "gemma-3-270m-it-Q4_K_M"})
    edits.assign_study(library, ids["S1"], names["Hospitals"])
    got = rows(write_csv(library, tmp_path / "h.csv"))
    assert list(got[0]) == CSV_COLUMNS
    by = {(r["category_path"], int(r["study_id"])): (r["assigned_by"], r["model"]) for r in got}
    assert by[("Hospitals", ids["P1"])] == ("model", "gemma-3-270m-it-Q4_K_M")
    assert by[("Hospitals", ids["S1"])] == ("user", "")
    assert by[("Nudges, defaults & reminders > Defaults", ids["P1"])] == ("stats", "")
    assert {r["assigned_by"] for r in got} <= {"user", "model", "rules", "stats", ""}
    assert all(r["citation_key"] for r in got)
    assert [assigned_by(s) for s in ("rules", None)] == [("rules", ""), ("", "")]
    without = rows(write_csv(library, tmp_path / "w.csv", uncategorised=False))
    assert without == [r for r in got if r["category_path"]]
    assert len(got) - len(without) == 2 + 4  # uncategorised: 2 under Intervention, 4 under Setting


def test_summary_csv_rows_match_the_table(review_hierarchy, tmp_path):
    library, ids, _ = review_hierarchy
    got = rows(write_summary_csv(library, tmp_path / "s.csv", aspects=["Setting"]))
    assert [(r["category_path"], r["n"], r["citation_keys"]) for r in got] == [
        ("Hospitals", "2", "garcia2011default; muller2014reminder"), ("(uncategorised)", "5", "")]


def test_machine_descriptions_are_dropped_after_a_user_rename(review_hierarchy):
    library, _, names = review_hierarchy
    hierarchy = names["_hierarchy"]
    edits.rename_category(library, names["Defaults"], "Default options")
    edits.rename_category(library, names["Hospitals"], "Hospital wards", "Wards of acute hospitals.")
    with library.command("Named by the user elsewhere") as cmd:  # a builder that keeps name_source up to date
        cmd.update("categories", names["Setting"], {"name_source": "user"})
    descriptions = export_descriptions(library, hierarchy)
    assert descriptions[names["Defaults"]] == ""
    assert descriptions[names["Hospitals"]] == "Wards of acute hospitals."
    assert descriptions[names["Setting"]] == ""
    assert descriptions[names["Reminders"]] == "About Reminders"
    library.undo()
    library.undo()
    library.undo()  # the renames undone: the descriptions are the machine's again, for the machine's names
    assert export_descriptions(library, hierarchy)[names["Defaults"]] == "About Defaults"


def test_decisions_csv_has_both_stages_with_reasons_and_who(screened_review, tmp_path):
    library, ids = screened_review
    got = rows(write_decisions_csv(library, tmp_path / "d.csv"), encoding="utf-8-sig")
    assert list(got[0]) == DECISION_COLUMNS
    assert len(got) == 13 + 9  # title/abstract: 12 records and C3 (citation searching), full text: 9
    mine = {(int(r["study_id"]), r["stage"]): r for r in got}
    assert mine[(ids["R2"], "title_abstract")]["who"] == "automation"
    assert mine[(ids["P3"], "title_abstract")]["reason"] == "Wrong design"
    assert (mine[(ids["P2"], "full_text")]["decision"], mine[(ids["P2"], "full_text")]["who"]) == ("not_retrieved", "human")
    assert mine[(ids["R1"], "full_text")]["reason"] == "Wrong population"
    assert all(r["decided_at"] and r["citation_key"] and r["title"] for r in got)
    times = [r["decided_at"] for r in got]
    assert times == sorted(times)


def test_included_is_the_last_stage_reached(screened_review):
    library, ids = screened_review
    assert included_study_ids(library) == {ids[k] for k in ("P1", "P4", "S1", "C1")}


def test_cli_paper_exports(review_hierarchy, tmp_path, capsys):
    library, ids, _ = review_hierarchy
    folder = str(library.folder)
    assert main(["--library", folder, "export", "markdown", "-o", str(tmp_path / "p.md"), "--aspect", "Setting",
                 "--included-only", "--uncategorised", "list", "--no-summary"]) == 0
    text = (tmp_path / "p.md").read_text(encoding="utf-8")
    assert "## Intervention" not in text and "| Category |" not in text and "### Uncategorised (2)" in text
    assert main(["--library", folder, "export", "summary-csv", "-o", str(tmp_path / "s.csv"), "--included-only",
                 "--uncategorised", "none"]) == 0
    assert all(r["category_path"] != "(uncategorised)" for r in rows(tmp_path / "s.csv"))
    assert main(["--library", folder, "export", "decisions", "-o", str(tmp_path / "d.csv")]) == 0
    assert main(["--library", folder, "export", "decisions", "-o", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_a_study_decided_only_at_title_abstract_counts_until_full_text_starts(library, tmp_path):
    from tests.helpers.studies import add_studies

    first, second = add_studies(library, [{"title": "A"}, {"title": "B"}])
    decide(library, first, "include")
    decide(library, second, "exclude")
    assert included_study_ids(library) == {first}
    decide(library, first, "exclude", stage="full_text")
    assert included_study_ids(library) == set()
