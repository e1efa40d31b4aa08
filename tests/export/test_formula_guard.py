"""Every CSV litreview writes neutralises cells a spreadsheet would run as a formula (OWASP: a leading ', for
cells starting with = + - @, tab or carriage return), whatever the text came from: titles, authors, venues,
abstracts, notes, category and aspect names, exclusion reasons, source names. Issue 13, case 4."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from litreview.cli import main
from litreview.export.csv_safe import FORMULA_START, guard
from litreview.importing import import_paths
from litreview.screening import FULL_TEXT, decide
from tests.helpers.hierarchies import make_hierarchy
from tests.helpers.paths import ROOT

HOSTILE = ["=1+1", "+SUM(A1:A9)", "-2+3", "@SUM(1)", "\t=cmd", "\r=cmd", '=HYPERLINK("http://evil.example","x")']


def test_guard_is_owasps():
    assert [guard(v) for v in HOSTILE] == ["'" + v for v in HOSTILE]
    assert guard("Plain title") == "Plain title" and guard(None) == "" and guard(-0.5) == -0.5 and guard(3) == 3
    assert guard("'=already quoted") == "'=already quoted" and guard("a=b") == "a=b"


def hostile_library(library, folder: Path):
    """Studies, a hierarchy, decisions with reasons and notes, and a source whose text is all formula-like."""
    export = folder / "hostile.csv"
    with open(export, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Title", "Authors", "Year", "DOI", "Source title", "Abstract"])
        writer.writerows([title, "=Evil, +Eve; @Mallory, -M", 2000 + n, f"10.5555/hostile.{n}", "@Journal",
                          f"-{n} abstract"] for n, title in enumerate(HOSTILE))
    ids = [o.study_id for o in import_paths(library, export, source=("=Database(1)", "database"))]
    # the importer trims the white space a title starts with; the exports must not rely on that
    with library.command("Titles as they were") as cmd:
        for study_id, title in zip(ids, HOSTILE):
            if library.study(study_id)["title"] != title:
                cmd.update("studies", study_id, {"title": title})
    for study_id in ids[:4]:
        decide(library, study_id, "include", reason="=reason()", note="@note" if study_id == ids[0] else "")
        decide(library, study_id, "exclude", stage=FULL_TEXT, reason="-Wrong population")
    decide(library, ids[4], "exclude", reason="+Wrong design")
    # studies 0-4 are excluded (outside the hierarchy's scope), 5 and 6 are not
    make_hierarchy(library, {"=Aspect()": {"-Category": {"+Sub": {"_studies": ids[5:6]}, "_studies": ids[6:]},
                                           "@Other": {"_studies": ids[5:6]}}},
                   name="=Hierarchy", source="=model-name")
    return ids


def cells(path: Path, encoding: str = "utf-8-sig") -> list[str]:
    with open(path, newline="", encoding=encoding) as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def test_every_csv_export_guards_every_cell(library, tmp_path, capsys):
    hostile_library(library, tmp_path)
    folder = str(library.folder)
    written = {}
    for fmt in ("csv", "hierarchy-csv", "summary-csv", "decisions"):
        written[fmt] = tmp_path / f"{fmt}.csv"
        assert main(["--library", folder, "export", fmt, "-o", str(written[fmt])]) == 0
    written["prisma"] = tmp_path / "prisma.csv"
    assert main(["--library", folder, "export", "prisma", "-o", str(written["prisma"])]) == 0
    capsys.readouterr()
    for fmt, path in written.items():
        values = cells(path)
        unsafe = [v for v in values if v.startswith(FORMULA_START)]
        assert unsafe == [], (fmt, unsafe)
        assert any(v.startswith("'") and v[1:].startswith(FORMULA_START) for v in values), fmt
    library_cells = cells(written["csv"])
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in library_cells
    assert "'=Evil, +Eve; @Mallory, -M" in library_cells and "'@Journal" in library_cells
    hierarchy_cells = cells(written["hierarchy-csv"])
    assert {"'=Aspect()", "'-Category", "'-Category > +Sub", "'@Other", "'=model-name"} <= set(hierarchy_cells)
    assert {"'=reason()", "'-Wrong population", "'+Wrong design", "'@note"} <= set(cells(written["decisions"]))
    prisma = cells(written["prisma"])
    assert "'=Database(1), 7" in prisma and "'-Wrong population, 4" in prisma


def test_no_export_writes_csv_around_the_guard():
    """A new CSV writer must use ``csv_safe.writer``: the only ``csv.writer`` of the exports is the guard's own."""
    offenders = []
    for path in sorted((ROOT / "litreview" / "export").glob("*.py")):
        if path.name != "csv_safe.py" and re.search(r"\bcsv\.(writer|DictWriter)\(", path.read_text(encoding="utf-8")):
            offenders.append(path.name)
    assert offenders == []
