"""The PRISMA 2020 diagram of a review done end to end (``tests.helpers.review``): every number against a
hand count, traced to its records; the SVG, PDF and PNG hold those numbers as text; the CSV has the PRISMA2020
package's layout; the CLI prints the numbers with their ids."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET

import pymupdf
import pytest

from litreview.cli import main
from litreview.export.figures import write_prisma
from litreview.export.prisma import prisma_flow
from litreview.export.prisma_csv import COLUMNS, LAYOUT, prisma2020_values
from litreview.export.prisma_figure import BOX_KEYS, draw_prisma
from litreview.importing import import_paths
from litreview.screening import FULL_TEXT, TITLE_ABSTRACT, decide, stop_screening
from tests.helpers.review import FULL_TEXT_REASONS, HAND_COUNT, PER_SOURCE, TITLE_ABSTRACT_REASONS, ris

SVG = "{http://www.w3.org/2000/svg}"


def test_every_number_matches_the_hand_count(screened_review):
    library, _ = screened_review
    flow = prisma_flow(library)
    assert {key: flow.count(key) for key in HAND_COUNT} == HAND_COUNT
    parts = {p.label: p.count for key in ("database_results", "register_results", "other_results")
             for p in flow.boxes[key].parts}
    assert parts == PER_SOURCE
    for key, reasons in FULL_TEXT_REASONS.items():
        assert {p.label: p.count for p in flow.boxes[key].parts} == reasons
    assert {p.label: p.count for p in flow.boxes["records_excluded"].parts} == TITLE_ABSTRACT_REASONS
    assert flow.other_arm and flow.pending == {}
    # the flow adds up: identified - removed = screened; screened - excluded = sought; sought - not retrieved = assessed
    removed = sum(flow.count(k) for k in ("duplicates", "excluded_automatic", "excluded_other"))
    assert flow.count("database_results") + flow.count("register_results") - removed == flow.count("records_screened")
    assert flow.count("records_screened") - flow.count("records_excluded") == flow.count("dbr_sought_reports")
    for arm in ("dbr", "other"):
        assert flow.count(f"{arm}_sought_reports") - flow.count(f"{arm}_notretrieved_reports") == flow.count(f"{arm}_assessed")
    assert flow.count("dbr_assessed") - flow.count("dbr_excluded") + flow.count("other_assessed") \
        - flow.count("other_excluded") == flow.count("new_studies")


def test_each_number_is_traced_to_its_records(screened_review):
    library, ids = screened_review
    flow = prisma_flow(library)

    def labels(key):
        back = {v: k for k, v in ids.items()}
        return sorted(back[s] for s in flow.boxes[key].study_ids)

    assert labels("new_studies") == ["C1", "P1", "P4", "S1"]
    assert labels("dbr_notretrieved_reports") == ["P2"]
    assert labels("excluded_automatic") == ["P7", "P8", "R2"]
    assert [p.label for p in flow.boxes["excluded_automatic"].parts] == ["Not screened after the recorded stop",
                                                                        "Excluded by an automation tool"]
    assert labels("records_excluded") == ["P3", "P5", "S2"]
    assert labels("other_excluded") == ["C3"]
    # duplicates and failed records are import outcomes that never became studies
    duplicates = library.query(f"SELECT input, matched_id FROM import_outcomes WHERE id IN "
                               f"({','.join(map(str, flow.boxes['duplicates'].outcome_ids))})")
    assert sorted(d["matched_id"] for d in duplicates) == sorted(ids[k] for k in ("P1", "P2", "P3"))
    assert all(d["input"].split("/")[-1].startswith("scopus.csv#") for d in duplicates)
    assert flow.boxes["duplicates"].study_ids == []
    scopus = next(p for p in flow.boxes["database_results"].parts if p.label == "Scopus")
    assert (len(scopus.study_ids), len(scopus.outcome_ids)) == (3, 4)  # S1-S3, and 3 duplicates + 1 empty record


def test_svg_parses_and_holds_every_number_as_text(screened_review, tmp_path):
    library, _ = screened_review
    write_prisma(library, tmp_path / "prisma.svg")
    root = ET.parse(tmp_path / "prisma.svg").getroot()
    boxes = {g.get("id"): " ".join(" ".join(t.itertext()) for t in g.iter(f"{SVG}text"))
             for g in root.iter(f"{SVG}g")}
    assert set(boxes) == {f"prisma-{key}" for key in BOX_KEYS}
    text = {key: " ".join(boxes[key].replace("\u00a0", " ").split()) for key in boxes}
    assert "Databases (n = 15)" in text["prisma-identified"] and "PubMed (n = 8)" in text["prisma-identified"]
    assert "Scopus (n = 7)" in text["prisma-identified"] and "ClinicalTrials.gov (n = 2)" in text["prisma-identified"]
    assert "Registers (n = 2)" in text["prisma-identified"]
    removed = text["prisma-removed"]
    assert "Duplicate records (n = 3)" in removed and "Records removed for other reasons (n = 1)" in removed
    assert "automation tools (n = 3)" in removed
    assert text["prisma-screened"] == "Records screened (n = 10)"
    assert "Records excluded by a human (n = 3)" in text["prisma-excluded"]
    assert "Wrong design (n = 2)" in text["prisma-excluded"]
    assert text["prisma-sought"] == "Reports sought for retrieval (n = 7)"
    assert text["prisma-not_retrieved"] == "Reports not retrieved (n = 1)"
    assert text["prisma-assessed"] == "Reports assessed for eligibility (n = 6)"
    assert "Wrong population (n = 2)" in text["prisma-reports_excluded"]
    assert "Wrong outcome (n = 1)" in text["prisma-reports_excluded"]
    assert "Citation searching (n = 3)" in text["prisma-other_identified"]
    assert text["prisma-other_sought"] == "Reports sought for retrieval (n = 2)"
    assert "Wrong design (n = 1)" in text["prisma-other_reports_excluded"]
    assert text["prisma-included"] == "Studies included in review (n = 4) Reports of included studies (n = 4)"
    everything = " ".join(root.itertext())
    # the footnote on the stop: 13 of the 15 studies had a title/abstract decision (all but P7 and P8) when the
    # reviewers stopped, before the rule allowed it
    assert "stopped after 13 of 15 records" in everything
    assert "stopped by the reviewers before the rule was met); 2 records not screened" in " ".join(everything.split())


def test_pdf_is_vector_with_text_and_png_is_300_dpi(screened_review, tmp_path):
    library, _ = screened_review
    write_prisma(library, tmp_path / "prisma.pdf")
    write_prisma(library, tmp_path / "prisma.png")
    with pymupdf.open(tmp_path / "prisma.pdf") as pdf:
        assert len(pdf) == 1
        text = " ".join(pdf[0].get_text().replace("\u00a0", " ").split())
        assert pdf[0].get_images() == []  # drawn, not a picture
        size = pdf[0].rect
    for expected in ("Records screened (n = 10)", "Reports sought for retrieval (n = 7)",
                     "Studies included in review (n = 4)", "PubMed (n = 8)"):
        assert expected in text
    pixmap = pymupdf.Pixmap(str(tmp_path / "prisma.png"))
    assert (pixmap.xres, pixmap.yres) == (300, 300)
    assert abs(pixmap.width - size.width / 72 * 300) <= 2


def test_prisma2020_csv_has_the_package_layout(screened_review, tmp_path):
    library, _ = screened_review
    write_prisma(library, tmp_path / "prisma.csv")
    raw = (tmp_path / "prisma.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # R's read.csv: no BOM; CRLF as the template
    with open(tmp_path / "prisma.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == COLUMNS == ["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"]
    assert [tuple(r[c] for c in COLUMNS[:7]) for r in rows] == list(LAYOUT)
    n = {r["data"]: r["n"] for r in rows if r["data"] != "NA"}
    for key, count in HAND_COUNT.items():
        if key not in ("other_results", "dbr_excluded", "other_excluded"):  # those two are reason lists
            assert n[key] == str(count), key
    assert n["database_specific_results"] == "PubMed, 8; Scopus, 7"
    assert n["register_specific_results"] == "ClinicalTrials.gov, 2"
    assert n["citations_results"] == "3" and n["website_results"] == "0"
    assert n["dbr_excluded"] == "Wrong population, 2; Wrong outcome, 1"
    assert n["other_excluded"] == "Wrong design, 1"
    assert (n["total_studies"], n["previous_studies"]) == ("4", "0")


def test_reason_lists_parse_the_way_the_package_parses_them(screened_review):
    """PRISMA_parse_reasons_ splits at ';' then takes the text before the first ',' as the reason: names lose
    their commas and semicolons, so a reason like 'Wrong population, adults' still counts right."""
    library, ids = screened_review
    decide(library, ids["P6"], "exclude", stage=FULL_TEXT, reason="Wrong population; adults, over 65")
    values = prisma2020_values(prisma_flow(library))
    parsed = [(part.split(",")[0], int(part.split(",")[1])) for part in str(values["dbr_excluded"]).split("; ")]
    assert sorted(parsed) == [("Wrong outcome", 1), ("Wrong population", 1), ("Wrong population adults over 65", 1)]


def test_cli_prints_numbers_with_ids_and_writes_every_format(screened_review, tmp_path, capsys):
    library, ids = screened_review
    folder = library.folder
    assert main(["--library", str(folder), "export", "prisma", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["boxes"]["new_studies"]["count"] == 4
    assert sorted(out["boxes"]["new_studies"]["study_ids"]) == sorted(ids[k] for k in ("C1", "P1", "P4", "S1"))
    assert out["boxes"]["duplicates"]["count"] == 3 and len(out["boxes"]["duplicates"]["outcome_ids"]) == 3
    assert {p["label"]: p["count"] for p in out["boxes"]["database_results"]["parts"]} == {"PubMed": 8, "Scopus": 7}
    for suffix in ("svg", "pdf", "png", "csv"):
        target = tmp_path / f"flow.{suffix}"
        assert main(["--library", str(folder), "export", "prisma", "-o", str(target)]) == 0
        assert target.stat().st_size > 0
        assert f", {suffix})" in capsys.readouterr().out
    assert main(["--library", str(folder), "export", "prisma", "-o", str(tmp_path / "flow.txt")]) == 2
    assert "cannot tell which format" in capsys.readouterr().err
    assert not (tmp_path / "flow.txt").exists()


def test_the_other_methods_arm_can_be_left_out(screened_review):
    library, _ = screened_review
    flow = prisma_flow(library, other_methods=False)
    assert not flow.other_arm
    assert any("3 records from other methods left out" in w for w in flow.warnings)
    assert flow.count("new_studies") == 3 and flow.count("other_sought_reports") == 0
    assert not any(key.startswith("other") for key in draw_prisma(flow).hotspots)


def test_a_review_in_progress_says_what_is_not_final(library, tmp_path):
    (tmp_path / "a.ris").write_text(ris(["P1", "P2", "P3", "P4"]), encoding="utf-8")
    outcomes = import_paths(library, tmp_path / "a.ris", source=("PubMed", "database"))
    first, second, third, fourth = (o.study_id for o in outcomes)
    decide(library, first, "include")
    decide(library, second, "maybe")
    decide(library, third, "exclude")
    flow = prisma_flow(library)
    assert flow.count("records_screened") == 3 and flow.count("excluded_automatic") == 0
    assert flow.pending == {"title_abstract_unscreened": [fourth], "title_abstract_maybe": [second],
                            "dbr_full_text": [first]}
    assert len(flow.warnings) == 3 and all("not final" in w or "maybe" in w for w in flow.warnings)
    stop_screening(library, TITLE_ABSTRACT, chosen_by="user")  # now the unscreened record counts as set aside
    flow = prisma_flow(library)
    assert flow.boxes["excluded_automatic"].study_ids == [fourth]
    assert "title_abstract_unscreened" not in flow.pending


def test_undone_imports_and_repeated_imports_are_not_counted(library, tmp_path):
    (tmp_path / "a.ris").write_text(ris(["P1", "P2"]), encoding="utf-8")
    (tmp_path / "b.ris").write_text(ris(["P2", "P3"]), encoding="utf-8")
    import_paths(library, tmp_path / "a.ris", source=("PubMed", "database"))
    import_paths(library, tmp_path / "b.ris", source=("Scopus", "database"))
    assert prisma_flow(library).count("duplicates") == 1
    import_paths(library, tmp_path / "a.ris")  # the same file again: its records are one record each
    flow = prisma_flow(library)
    assert (flow.count("database_results"), flow.count("duplicates")) == (4, 1)
    # the repeated import added nothing (no undo step); undo Scopus, one step: its records, its source and its
    # import outcomes (its duplicate outcome goes with the records it created)
    assert library.undo().label.startswith("Import b.ris")
    flow = prisma_flow(library)
    assert (flow.count("database_results"), flow.count("duplicates")) == (2, 0), flow.as_dict()


@pytest.mark.parametrize("other", [None, True])
def test_an_empty_library_draws_an_empty_diagram(library, tmp_path, other):
    flow = write_prisma(library, tmp_path / "empty.svg", other_methods=other)
    assert all(box.count == 0 for box in flow.boxes.values())
    ET.parse(tmp_path / "empty.svg")


def test_markup_control_characters_and_other_scripts_stay_text(screened_review, tmp_path):
    library, ids = screened_review
    hostile = 'Wrong <b>population</b> & "others"\x0b \u4e2d\u6587 \u00e9t\u00e9'
    decide(library, ids["P6"], "exclude", stage=FULL_TEXT, reason=hostile)
    write_prisma(library, tmp_path / "p.svg")
    text = " ".join(ET.parse(tmp_path / "p.svg").getroot().itertext())
    assert 'Wrong <b>population</b> & "others"' in text and "\u4e2d\u6587 \u00e9t\u00e9" in text
    write_prisma(library, tmp_path / "p.pdf")
    with pymupdf.open(tmp_path / "p.pdf") as pdf:
        assert "\u4e2d\u6587" in pdf[0].get_text()
