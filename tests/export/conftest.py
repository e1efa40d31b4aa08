"""A small review done end to end, for the export tests: two databases and a register (a RIS and a CSV that
overlap, a register RIS), citation searching (a RIS and a PDF), PDFs attached to records, both screening stages
with reasons, an automation exclusion and a recorded stop. The hand count of every PRISMA box is in ``HAND_COUNT``.

Records (the letter is the source; the same DOI means the same study):

* PubMed (database, RIS): P1..P8
* Scopus (database, CSV): P1, P2, P3 again (duplicates), S1, S2, S3, and one empty record (removed, other reasons)
* ClinicalTrials.gov (register, RIS): R1, R2
* Citation searching (other, RIS + PDF): C1, S1 again (a duplicate), and C3 as a PDF
* PDFs of P1, P4 and S1, dropped later without a source: reports attached to their records, not new records
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from litreview.demo import render_study
from tests.export.stand_ins import decide, import_from, record_stop

RECORDS = {
    label: {"title": title, "doi": f"10.5555/review.{label.lower()}", "year": 2010 + n,
            "authors": [{"given": given, "family": family}, {"given": "Kim", "family": "Lee"}]}
    for n, (label, title, given, family) in enumerate([
        ("P1", "Default options in electronic prescribing reduce opioid quantities", "Ana", "García"),
        ("P2", "Peer comparison letters and antibiotic prescribing in primary care", "Ben", "Okafor"),
        ("P3", "Active choice prompts increase influenza vaccination among health workers", "Cleo", "Ng"),
        ("P4", "Reminder messages and attendance at diabetic eye screening", "Dan", "Müller"),
        ("P5", "Green roofs lower indoor temperatures in top-floor apartments", "Eve", "Smith"),
        ("P6", "Street trees and pedestrian heat stress: evidence from thermal walks", "Finn", "Berg"),
        ("P7", "Heat-related hospital admissions and neighbourhood green space", "Gus", "Ito"),
        ("P8", "Cool pavements raise reflected radiation and pedestrian discomfort", "Hana", "Novak"),
        ("S1", "Microplastic ingestion by roach and perch downstream of wastewater plants", "Ida", "Silva"),
        ("S2", "Polystyrene nanoplastics impair swimming performance in juvenile fish", "Jon", "Smith"),
        ("S3", "Seasonal variation of microplastic concentrations in a lowland river", "Kai", "Weber"),
        ("R1", "Nudging hand hygiene with sensor feedback: a registered cluster trial", "Lea", "Rossi"),
        ("R2", "Text message nudges for statin adherence: trial registration", "Mo", "Khan"),
        ("C1", "Choice architecture in school canteens: a field experiment", "Nia", "Evans"),
        ("C3", "Do microplastics carry pesticides into fish? A feeding experiment", "Oli", "Park"),
    ], start=1)
}

# The hand count (see the module docstring and the decisions in ``screened_review``).
HAND_COUNT = {
    "database_results": 15, "register_results": 2, "other_results": 3,
    "duplicates": 3, "excluded_automatic": 3, "excluded_other": 1,
    "records_screened": 10, "records_excluded": 3,
    "dbr_sought_reports": 7, "dbr_notretrieved_reports": 1, "dbr_assessed": 6, "dbr_excluded": 3,
    "other_sought_reports": 2, "other_notretrieved_reports": 0, "other_assessed": 2, "other_excluded": 1,
    "new_studies": 4, "new_reports": 4,
}
PER_SOURCE = {"PubMed": 8, "Scopus": 7, "ClinicalTrials.gov": 2, "Citation searching": 3}
FULL_TEXT_REASONS = {"dbr_excluded": {"Wrong population": 2, "Wrong outcome": 1},
                     "other_excluded": {"Wrong design": 1}}
TITLE_ABSTRACT_REASONS = {"Wrong design": 2, "No reason given": 1}


def ris(labels: list[str]) -> str:
    lines = []
    for label in labels:
        r = RECORDS[label]
        lines += ["TY  - JOUR", f"TI  - {r['title']}"]
        lines += [f"AU  - {a['family']}, {a['given']}" for a in r["authors"]]
        lines += [f"PY  - {r['year']}", f"DO  - {r['doi']}", f"AB  - An abstract about {r['title'].lower()}.", "ER  - ", ""]
    return "\n".join(lines)


def scopus_csv(labels: list[str]) -> str:
    rows = ["Title,Authors,Year,DOI,Abstract"]
    for label in labels:
        r = RECORDS[label]
        authors = "; ".join(f"{a['family']}, {a['given']}" for a in r["authors"])
        rows.append(f'"{r["title"]}","{authors}",{r["year"]},{r["doi"]},"Abstract of {label}."')
    rows.append(',"Nobody, N.",2020,,')  # an empty record: no title, abstract or DOI
    return "\n".join(rows) + "\n"


def pdf(folder: Path, label: str) -> Path:
    r = RECORDS[label]
    study = {"title": r["title"], "authors": r["authors"], "year": r["year"], "doi": r["doi"], "venue": "J Test",
             "affiliation": "Test University", "abstract": f"An abstract about {r['title'].lower()}.",
             "methods": "We did things.", "results": "Things happened."}
    path = folder / f"{label}.pdf"
    path.write_bytes(render_study(study))
    return path


@pytest.fixture
def screened_review(library, tmp_path):
    """The review above, imported and screened; returns (library, {label: study id})."""
    files = tmp_path / "files"
    files.mkdir()
    (files / "pubmed.ris").write_text(ris([f"P{n}" for n in range(1, 9)]), encoding="utf-8")
    (files / "scopus.csv").write_text(scopus_csv(["P1", "P2", "P3", "S1", "S2", "S3"]), encoding="utf-8")
    (files / "ctgov.ris").write_text(ris(["R1", "R2"]), encoding="utf-8")
    (files / "citations.ris").write_text(ris(["C1", "S1"]), encoding="utf-8")
    import_from(library, files / "pubmed.ris", "PubMed")
    import_from(library, files / "scopus.csv", "Scopus")
    import_from(library, files / "ctgov.ris", "ClinicalTrials.gov", "register")
    import_from(library, [files / "citations.ris", pdf(files, "C3")], "Citation searching", "other")
    reports = [pdf(files, label) for label in ("P1", "P4", "S1")]
    from litreview.importing import import_paths

    attached = import_paths(library, reports)  # full texts of records already there, no source
    assert [o.status for o in attached] == ["duplicate"] * 3 and all(o.study_id for o in attached)
    ids = {label: _study_by_doi(library, r["doi"]) for label, r in RECORDS.items()}
    assert None not in ids.values(), ids

    decide(library, ids["R2"], "exclude", actor="automation")
    for label, decision, reason in [("P1", "include", ""), ("P2", "include", ""), ("P3", "exclude", "Wrong design"),
                                    ("P4", "include", ""), ("P5", "exclude", ""), ("P6", "include", ""),
                                    ("S1", "include", ""), ("S2", "exclude", "Wrong design"), ("S3", "include", ""),
                                    ("R1", "include", ""), ("C1", "include", "")]:
        decide(library, ids[label], decision, reason=reason)
    record_stop(library, screened=11, total=15)
    for label, decision, reason in [("P1", "include", ""), ("P2", "not_retrieved", ""),
                                    ("P4", "include", ""), ("P6", "exclude", "Wrong population"),
                                    ("S1", "include", ""), ("S3", "exclude", "Wrong outcome"),
                                    ("R1", "exclude", "Wrong population"), ("C1", "include", ""),
                                    ("C3", "exclude", "Wrong design")]:
        decide(library, ids[label], decision, stage="full_text", reason=reason)
    return library, ids


def _study_by_doi(library, doi: str) -> int | None:
    rows = library.query("SELECT id FROM studies WHERE doi = ?", (doi,))
    return rows[0]["id"] if rows else None


def dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


HOSTILE_CATEGORY = "=HYPERLINK(\"http://evil.example\") [50% & {x}_y ~ #1 \\ ^]"


@pytest.fixture
def review_hierarchy(screened_review):
    """A two-aspect hierarchy over the screened review, with awkward names: returns (library, ids, names->ids).
    Excluded studies are outside the hierarchy's scope (``tree.scope_study_ids``), as in a real build."""
    from tests.helpers.hierarchies import make_hierarchy

    library, ids = screened_review
    names = make_hierarchy(library, {
        "Intervention": {
            "Nudges, defaults & reminders": {
                "Defaults": {"_studies": [ids["P1"], ids["P2"]]},
                "Reminders": {"Text messages": {"_studies": [ids["P4"]]}, "_studies": [ids["R1"]]},
                "_studies": [ids["C1"]],
            },
            HOSTILE_CATEGORY: {"_studies": [ids["S1"], ids["C3"]]},
            "-Empty": {},
        },
        "Setting": {"Hospitals": {"_studies": [ids["P1"], ids["P4"]]}},
    })
    return library, ids, names


@pytest.fixture
def tmp_out(tmp_path: Path) -> Path:
    """An empty folder for the files an export writes (beside, not inside, the library's folder)."""
    out = tmp_path / "out"
    out.mkdir()
    return out
