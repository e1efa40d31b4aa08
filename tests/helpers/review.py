"""A small review done end to end, for the export tests: two databases and a register (a RIS and a CSV that
overlap, a register RIS), citation searching (a RIS and a PDF), PDFs attached to records, both screening stages
with reasons, an automation exclusion and a recorded stop, all through the app's own import and screening
functions (``screen_review``). The hand count of every PRISMA box is in ``HAND_COUNT``.

Records (the letter is the source; the same DOI means the same study):

* PubMed (database, RIS): P1..P8
* Scopus (database, CSV): P1, P2, P3 again (duplicates), S1, S2, S3, and one empty record (removed, other reasons)
* ClinicalTrials.gov (register, RIS): R1, R2
* Citation searching (other, RIS + PDF): C1, S1 again (a duplicate), and C3 as a PDF
* PDFs of P1, P4 and S1, dropped later without a source: reports attached to their records, not new records
"""

from __future__ import annotations

from pathlib import Path

from litreview.demo import render_study
from litreview.importing import import_paths
from litreview.screening import FULL_TEXT, TITLE_ABSTRACT, decide, stop_screening

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

# The hand count (see the module docstring and the decisions in ``screen_review``).
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


HOSTILE_CATEGORY = "=HYPERLINK(\"http://evil.example\") [50% & {x}_y ~ #1 \\ ^]"


def screen_review(library, folder: Path) -> dict[str, int]:
    """Import the review above into ``library`` (its exports and PDFs written to ``folder``) and screen it as
    its reviewers would; returns {label: study id}."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pubmed.ris").write_text(ris([f"P{n}" for n in range(1, 9)]), encoding="utf-8")
    (folder / "scopus.csv").write_text(scopus_csv(["P1", "P2", "P3", "S1", "S2", "S3"]), encoding="utf-8")
    (folder / "ctgov.ris").write_text(ris(["R1", "R2"]), encoding="utf-8")
    (folder / "citations.ris").write_text(ris(["C1", "S1"]), encoding="utf-8")
    import_paths(library, folder / "pubmed.ris", source=("PubMed", "database"))
    import_paths(library, folder / "scopus.csv", source=("Scopus", "database"))
    import_paths(library, folder / "ctgov.ris", source=("ClinicalTrials.gov", "register"))
    import_paths(library, [folder / "citations.ris", pdf(folder, "C3")], source=("Citation searching", "other"))
    reports = [pdf(folder, label) for label in ("P1", "P4", "S1")]
    attached = import_paths(library, reports)  # full texts of records already there, no source
    assert [o.status for o in attached] == ["duplicate"] * 3 and all(o.study_id for o in attached)
    ids = {label: study_by_doi(library, r["doi"]) for label, r in RECORDS.items()}
    assert None not in ids.values(), ids

    decide(library, ids["R2"], "exclude", actor="automation")
    # C3 came from citation searching: that arm has no screening box, its include only sends it to retrieval
    for label, decision, reason in [("P1", "include", ""), ("P2", "include", ""), ("P3", "exclude", "Wrong design"),
                                    ("P4", "include", ""), ("P5", "exclude", ""), ("P6", "include", ""),
                                    ("S1", "include", ""), ("S2", "exclude", "Wrong design"), ("S3", "include", ""),
                                    ("R1", "include", ""), ("C1", "include", ""), ("C3", "include", "")]:
        decide(library, ids[label], decision, reason=reason)
    stop_screening(library, TITLE_ABSTRACT, chosen_by="user")  # P7 and P8 are left unscreened
    for label, decision, reason in [("P1", "include", ""), ("P2", "not_retrieved", ""),
                                    ("P4", "include", ""), ("P6", "exclude", "Wrong population"),
                                    ("S1", "include", ""), ("S3", "exclude", "Wrong outcome"),
                                    ("R1", "exclude", "Wrong population"), ("C1", "include", ""),
                                    ("C3", "exclude", "Wrong design")]:
        decide(library, ids[label], decision, stage=FULL_TEXT, reason=reason)
    return ids


def study_by_doi(library, doi: str) -> int | None:
    rows = library.query("SELECT id FROM studies WHERE doi = ?", (doi,))
    return rows[0]["id"] if rows else None


def review_hierarchy_spec(ids: dict[str, int]) -> dict:
    """A two-aspect hierarchy over the screened review, with awkward names (for ``make_hierarchy``). Excluded
    studies are outside a hierarchy's scope (``tree.scope_study_ids``), as in a real build."""
    return {
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
    }
