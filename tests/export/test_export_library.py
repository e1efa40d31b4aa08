"""Library exports round-trip through litreview's own importer (and Python's csv module), with the values
that break naive writers: commas, quotes, line breaks, unicode, LaTeX specials, and would-be formulas."""

from __future__ import annotations

import csv
import json

import pytest

from litreview.errors import InputError
from litreview.export.library import write_bibtex, write_csv, write_ris
from litreview.importing import import_paths
from litreview.store import Library

NASTY = {
    "title": '=HYPERLINK("http://evil.example"), "quoted", with commas; {braces} & 50% $x$ #1 a_b ~ ^ \\ back',
    "authors": [{"given": "Émile", "family": "Zola"}, {"given": "Jan", "family": "van der Berg"},
                {"given": "Ōta", "family": "Naoko"}],
    "year": 2020,
    "doi": "10.5555/demo.x",
    "venue": "@Journal, of Things",
    "abstract": "-1 start.\nSecond line with \"quotes\", commas,\r\nand ünïcödé ✓ 中文.",
}
PLAIN = {"title": "+Plain study", "authors": [], "year": None, "doi": None, "venue": None, "abstract": None}


@pytest.fixture
def filled(library):
    with library.command("Add studies") as cmd:
        for study in (NASTY, PLAIN):
            cmd.insert("studies", {**study, "authors": json.dumps(study["authors"], ensure_ascii=False),
                                   "source": "pdf"})
    return library


def reimport(path, tmp_path):
    with Library(tmp_path / "again") as other:
        outcomes = import_paths(other, [path])
        assert [o.status for o in outcomes] == ["imported", "imported"], outcomes
        return other.studies()


def one_line(text):
    return " ".join(text.split())


@pytest.mark.parametrize("writer,name", [(write_ris, "out.ris"), (write_bibtex, "out.bib")])
def test_ris_and_bibtex_round_trip(filled, tmp_path, writer, name):
    writer(filled, tmp_path / name)
    nasty, plain = reimport(tmp_path / name, tmp_path)
    assert nasty["title"] == NASTY["title"]
    assert nasty["authors"] == NASTY["authors"]
    assert (nasty["year"], nasty["doi"], nasty["venue"]) == (2020, "10.5555/demo.x", "@Journal, of Things")
    assert nasty["abstract"] == one_line(NASTY["abstract"])  # one logical line in these formats
    assert plain["title"] == "+Plain study" and plain["authors"] == []


def test_csv_round_trip_keeps_everything_exactly(filled, tmp_path):
    write_csv(filled, tmp_path / "out.csv")
    nasty, plain = reimport(tmp_path / "out.csv", tmp_path)
    for key in ("title", "authors", "year", "doi", "venue"):
        assert nasty[key] == NASTY[key], key
    assert nasty["abstract"] == NASTY["abstract"]  # line breaks survive inside a quoted cell
    assert plain["title"] == "+Plain study"


def test_csv_cells_that_look_like_formulas_are_escaped(filled, tmp_path):
    write_csv(filled, tmp_path / "out.csv")
    raw = (tmp_path / "out.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the UTF-8
    with open(tmp_path / "out.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2
    assert rows[0]["title"].startswith("'=HYPERLINK(")
    assert rows[0]["venue"] == "'@Journal, of Things"
    assert rows[0]["abstract"].startswith("'-1 start.")
    assert rows[1]["title"] == "'+Plain study"
    assert rows[0]["authors"] == "Zola, Émile; van der Berg, Jan; Naoko, Ōta"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value


def test_csv_has_decisions_and_a_failed_export_leaves_no_file(filled, tmp_path):
    with filled.command("Include") as cmd:
        cmd.insert("decisions", {"study_id": 1, "decision": "include"})
    write_csv(filled, tmp_path / "out.csv")
    with open(tmp_path / "out.csv", encoding="utf-8-sig", newline="") as handle:
        assert [r["decision"] for r in csv.DictReader(handle)] == ["include", ""]
    with pytest.raises(InputError, match="does not exist"):
        write_csv(filled, tmp_path / "missing-folder" / "out.csv")
    assert not (tmp_path / "missing-folder").exists()
    with pytest.raises(InputError, match="is a folder"):
        write_csv(filled, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".part")) == []
