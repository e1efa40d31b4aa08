"""Every import records where its records came from (PRISMA identification), remembers the source per file name,
and keeps a report of each batch that can be read back; the CLI takes the source as options."""

from __future__ import annotations

import json
import shutil

import pytest

from litreview.cli import main
from litreview.errors import InputError
from litreview.importing import Source, batch_outcomes, import_batches, import_paths, remembered_source, summarise
from litreview.store import Library
from tests.helpers.paths import need_shared
from tests.helpers.pdfs import paper
from tests.helpers.references import TWO_RECORDS_RIS, write_export

# Scopus finds one of the same records (by DOI) and one of its own.
CSV = """\
Title,Authors,Year,DOI
Nudging physicians toward generic prescribing: a trial,"Müller, Anna",2019,10.1000/ABC.123
Street trees and heat stress,"Okonkwo, A.",2021,10.5555/x.1
"""


@pytest.fixture
def exports(tmp_path):
    return write_export(tmp_path, "pubmed.ris", TWO_RECORDS_RIS), write_export(tmp_path, "scopus.csv", CSV)


def identified(library: Library) -> dict[tuple[str, str], dict[str, int]]:
    """What PRISMA's identification box counts: records per source (duplicates included), by status."""
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for name, kind, status, n in library.conn.execute(
            "SELECT s.name, s.kind, o.status, count(*) FROM import_outcomes o JOIN sources s ON s.id = o.source_id"
            " GROUP BY s.name, s.kind, o.status"):
        counts.setdefault((name, kind), {})[status] = n
    return counts


def test_each_record_is_counted_under_its_source_duplicates_included(library, exports):
    ris, csv = exports
    import_paths(library, [ris], source=("PubMed", "database"))
    report = import_paths(library, [csv], source=Source("Scopus"))
    assert [o.status for o in report] == ["duplicate", "imported"]
    assert identified(library) == {("PubMed", "database"): {"imported": 2},
                                   ("Scopus", "database"): {"duplicate": 1, "imported": 1}}
    by_title = {s["title"]: s["source_id"] for s in library.studies()}
    sources = dict(library.conn.execute("SELECT name, id FROM sources").fetchall())
    assert by_title == {"Nudging physicians towards generic prescribing": sources["PubMed"],
                        "Green roofs and indoor heat": sources["PubMed"],
                        "Street trees and heat stress": sources["Scopus"]}
    titles = [row[0] for row in library.conn.execute("SELECT title FROM import_outcomes ORDER BY id")]
    assert titles == ["Nudging physicians towards generic prescribing", "Green roofs and indoor heat",
                      "Nudging physicians toward generic prescribing: a trial", "Street trees and heat stress"]


def test_the_source_of_a_file_name_is_remembered_and_used_again(library, exports, tmp_path):
    ris, _ = exports
    assert remembered_source(library, "pubmed.ris") is None
    import_paths(library, [ris], source=("PubMed", "database"))
    assert remembered_source(library, "pubmed.ris") == Source("PubMed", "database")
    assert remembered_source(library, str(tmp_path / "elsewhere" / "pubmed.ris")) == Source("PubMed", "database")
    again = import_paths(library, [ris])  # an updated search exported under the same name: no question asked
    assert summarise(again) == {"imported": 0, "duplicate": 2, "failed": 0}
    assert identified(library) == {("PubMed", "database"): {"imported": 2, "duplicate": 2}}
    import_paths(library, [ris], source=("Embase", "database"))  # a new choice replaces the memory
    assert remembered_source(library, "pubmed.ris") == Source("Embase", "database")


def test_sources_per_file_in_one_batch_and_other_methods(library, exports, tmp_path):
    ris, csv = exports
    pdf = paper(tmp_path / "from a reference list.pdf", "Cooling cities with street trees")
    report = import_paths(library, [ris, csv, pdf], source={
        "pubmed.ris": ("PubMed", "database"), str(csv): ("ClinicalTrials.gov", "register"),
        pdf.name: ("citation searching", "other")})
    assert summarise(report) == {"imported": 4, "duplicate": 1, "failed": 0}
    assert identified(library) == {("PubMed", "database"): {"imported": 2},
                                   ("ClinicalTrials.gov", "register"): {"duplicate": 1, "imported": 1},
                                   ("citation searching", "other"): {"imported": 1}}  # one row per PDF file
    assert library.undo().label == "Import 3 files"  # the sources go with the batch's undo step
    assert library.conn.execute("SELECT count(*) FROM sources").fetchone()[0] == 0


def test_a_duplicate_pdf_still_counts_for_its_source(library, tmp_path):
    pdf = paper(tmp_path / "paper.pdf", "Cooling cities with street trees")
    import_paths(library, [pdf])
    [outcome] = import_paths(library, [pdf], source=("Google Scholar", "other"))
    assert outcome.status == "duplicate"
    assert identified(library) == {("Google Scholar", "other"): {"duplicate": 1}}


@pytest.mark.parametrize("source,message", [
    (("PubMed", "journal"), "source kind 'journal' is not one of: database, register, other"),
    (("  ", "database"), "a source needs a name"),
])
def test_a_bad_source_is_refused_before_anything_is_imported(library, exports, source, message):
    with pytest.raises(InputError, match=message):
        import_paths(library, [exports[0]], source=source)
    assert library.study_count() == 0


def test_past_batches_can_be_listed_and_their_report_read_back(library, exports, tmp_path):
    ris, csv = exports
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\nnot really\n")
    first = import_paths(library, [ris, broken], source=("PubMed", "database"))
    second = import_paths(library, [csv], source=("Scopus", "database"))
    batches = import_batches(library)
    assert [b.batch for b in batches] == [second.batch, first.batch]  # newest first
    assert batches[1].files == [str(ris), str(broken)]
    assert batches[1].counts == {"imported": 2, "duplicate": 0, "failed": 1}
    assert batches[0].counts == {"imported": 1, "duplicate": 1, "failed": 0}
    assert batches[0].sources == ["Scopus"] and batches[0].started.endswith("Z")
    assert batch_outcomes(library, first.batch) == list(first)
    assert batch_outcomes(library, second.batch) == list(second)


def test_cli_source_options(capsys, tmp_path, exports):
    ris, csv = exports
    folder = tmp_path / "lib"
    code = main(["--library", str(folder), "import", str(ris), "--source", "PubMed", "--json"])
    assert code == 0
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    code = main(["--library", str(folder), "import", str(csv), "--source", "ClinicalTrials.gov",
                 "--source-kind", "register"])
    assert code == 0
    capsys.readouterr()
    with Library(folder) as library:
        assert identified(library) == {("PubMed", "database"): {"imported": 2},
                                       ("ClinicalTrials.gov", "register"): {"duplicate": 1, "imported": 1}}
        assert [b.batch for b in import_batches(library)][-1] == summary["batch"]
    code = main(["--library", str(folder), "import", str(csv), "--source-kind", "other"])
    assert code == 2 and "--source-kind needs --source NAME" in capsys.readouterr().err


def test_writes_go_through_ops_so_the_apps_one_writer_can_run_them(tmp_path, exports):
    """The job reads on its own (read-only) connection; every write is an op run by the writer's connection."""
    from litreview.store import Writer

    ris, csv = exports
    pdfs = [shutil.copyfile(need_shared(f"pdfs/jose/jose.{n}.pdf"), tmp_path / f"{n}.pdf") for n in ("00015", "00016")]
    Library(tmp_path / "lib").close()
    writer = Writer(tmp_path / "lib")
    ops = []
    try:
        with Library(tmp_path / "lib", read_only=True) as job_library:
            report = import_paths(job_library, [ris, csv, *pdfs], source=("PubMed", "database"),
                                  write=lambda op: ops.append(op) or writer.call(op))
    finally:
        writer.close()
    assert summarise(report) == {"imported": 5, "duplicate": 1, "failed": 0}
    assert len(ops) == 4 + 3  # one op per file, plus opening, checking and closing the batch's undo step
    with Library(tmp_path / "lib") as library:
        assert library.study_count() == 5
        assert library.undo().label == "Import 4 files" and library.study_count() == 0
