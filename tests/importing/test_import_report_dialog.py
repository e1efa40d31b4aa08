"""The import report dialog: one line per file with its counts; only the records worth a look are listed under
their file; a past batch's report can be opened again."""

from __future__ import annotations

from litreview.importing import import_paths
from tests.helpers.paths import need_shared
from ui.import_summary import ImportSummaryDialog


def test_a_270_record_export_is_one_line_and_only_its_problem_records_are_listed(qtbot, library, tmp_path):
    export = need_shared("screening/synergy_Sep_2021.csv")
    import_paths(library, [export])
    lines = export.read_text(encoding="utf-8").splitlines(keepends=True)
    again = tmp_path / "again.csv"  # the header, two records already imported, and one new record
    again.write_text(lines[0] + lines[1] + lines[2] + "999,,A new record not in the export,An abstract.,0\n",
                     encoding="utf-8")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\nnot really a PDF\n")
    first = import_paths(library, [export])  # all 270 are duplicates now
    second = import_paths(library, [again, broken])

    dialog = ImportSummaryDialog(list(first) + list(second))
    qtbot.addWidget(dialog)
    tree = dialog.tree
    assert tree.topLevelItemCount() == 3
    rows = [tree.topLevelItem(i) for i in range(3)]
    assert [r.text(0) for r in rows] == ["broken.pdf", "again.csv", export.name]  # failures first
    assert rows[0].text(1) == "failed" and rows[0].text(2) == second[-1].reason
    assert rows[1].text(1) == "3 records: 1 imported, 2 duplicates" and rows[1].childCount() == 2
    assert rows[1].isExpanded()
    assert rows[2].text(1) == "270 records: 270 duplicates" and rows[2].childCount() == 270
    assert not rows[2].isExpanded()  # too many to open by themselves
    child = rows[1].child(0)
    assert child.text(0).startswith("record 1: Noradrenergic activation of the basolateral amygdala")
    assert child.text(1) == "duplicate" and child.text(2).startswith("same record as “Noradrenergic")
    assert "study " not in child.text(2)


def test_a_clean_export_lists_no_records(qtbot, library):
    report = import_paths(library, [need_shared("screening/synergy_Sep_2021.csv")])
    dialog = ImportSummaryDialog(report)
    qtbot.addWidget(dialog)
    assert dialog.tree.topLevelItemCount() == 1
    row = dialog.tree.topLevelItem(0)
    assert row.text(1) == "270 records: 270 imported" and row.childCount() == 0 and row.text(2) == ""
    assert dialog.headline.text() == "270 imported, 0 duplicates, 0 failed"


def test_a_past_import_report_opens_again(qtbot, library, tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\nnot really a PDF\n")
    report = import_paths(library, [broken])
    dialog = ImportSummaryDialog.for_batch(library, report.batch)
    qtbot.addWidget(dialog)
    assert dialog.outcomes == list(report)
    assert dialog.tree.topLevelItem(0).text(0) == "broken.pdf"
