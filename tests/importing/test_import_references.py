"""Reference exports: RIS, BibTeX, CSV/TSV (and .csv.gz), a real screening CSV, malformed files refused whole
with the line named, duplicates per record, one undoable command per file."""

from __future__ import annotations

import gzip

import pytest

from litreview.importing import import_paths, summarise
from tests.helpers.paths import need_shared
from tests.helpers.references import write_export

RIS = """\
TY  - JOUR
TI  - Nudging physicians towards generic prescribing
AU  - Müller, Anna
AU  - Smith, John B.
PY  - 2019///
DO  - https://doi.org/10.1000/ABC.123
JO  - Journal of Health Behaviour
AB  - We changed the default option in the prescribing
  software and measured generic prescribing.
KW  - nudge
ER  -

TY  - JOUR
TI  - Green roofs and indoor heat
AU  - Wei, Chen
PY  - 2020
ER  -
"""

BIBTEX = r"""
@article{mueller2019,
  title = {Nudging physicians towards {G}eneric prescribing},
  author = {M{\"u}ller, Anna and Smith, John B.},
  year = {2019},
  doi = {10.1000/abc.124},
  journal = {Journal of Health Behaviour},
  abstract = {A trial of default options.},
}
@inproceedings{vandenberg2021,
  title = "Cooling cities with trees",
  author = "Jan van den Berg and Amara Okonkwo",
  booktitle = "Proceedings of Urban Climate",
  year = 2021,
}
"""

CSV = """\
Title,Authors,Year,DOI,Abstract,Source title,label_included
"Street trees, shade and heat stress","Okonkwo A.; Marchand J.",2021,10.5555/x.1,\
"Walks through streets, with ""quotes"".",Urban Climate Letters,1
Microplastics in roach,"Bergström, Elin; Novák, Pavel",2019,,Fibres dominate.,Freshwater Pollution Studies,0
"""


def test_ris_records_become_studies(library, tmp_path):
    outcomes = import_paths(library, [write_export(tmp_path, "pubmed.ris", RIS)])
    assert [(o.status, o.record) for o in outcomes] == [("imported", 1), ("imported", 2)]
    study = library.study(outcomes[0].study_id)
    assert study["title"] == "Nudging physicians towards generic prescribing"
    assert study["authors"] == [{"given": "Anna", "family": "Müller"}, {"given": "John B.", "family": "Smith"}]
    assert (study["year"], study["doi"], study["venue"]) == (2019, "10.1000/abc.123", "Journal of Health Behaviour")
    assert study["abstract"].startswith("We changed the default option") and "generic prescribing" in study["abstract"]
    assert study["source"] == "ris" and study["extra"]["keywords"] == ["nudge"]
    assert library.undo_label() == "Import pubmed.ris (2 records)"


def test_ris_in_a_txt_file_with_a_provider_preamble_is_read(library, tmp_path):
    preamble = 'Provider: JSTOR http://www.jstor.org\nDatabase: JSTOR\nContent: text/plain; charset="UTF-8"\n\n'
    outcomes = import_paths(library, [write_export(tmp_path, "export.txt", preamble + RIS)])
    assert summarise(outcomes) == {"imported": 2, "duplicate": 0, "failed": 0}


def test_bibtex_entries_become_studies_with_latex_decoded(library, tmp_path):
    outcomes = import_paths(library, [write_export(tmp_path, "refs.bib", BIBTEX)])
    first, second = (library.study(o.study_id) for o in outcomes)
    assert first["title"] == "Nudging physicians towards Generic prescribing"
    assert first["authors"][0] == {"given": "Anna", "family": "Müller"}
    assert (first["year"], first["doi"], first["venue"]) == (2019, "10.1000/abc.124", "Journal of Health Behaviour")
    assert second["authors"] == [{"given": "Jan", "family": "van den Berg"}, {"given": "Amara", "family": "Okonkwo"}]
    assert second["venue"] == "Proceedings of Urban Climate" and second["extra"]["entry_type"] == "inproceedings"


@pytest.mark.parametrize("name,text", [("scopus.csv", CSV), ("wos.tsv", None), ("export.csv.gz", CSV)])
def test_csv_tsv_and_gzip_exports(library, tmp_path, name, text):
    path = tmp_path / name
    if name.endswith(".tsv"):
        rows = ["TI\tAU\tPY\tDI\tAB\tSO", "Street trees, shade and heat stress\tOkonkwo, A; Marchand, J\t2021\t"
                "10.5555/x.1\tWalks through streets.\tUrban Climate Letters"]
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    elif name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode("utf-8")))
    else:
        path.write_text(text, encoding="utf-8")
    outcomes = import_paths(library, [path])
    assert outcomes[0].status == "imported"
    study = library.study(outcomes[0].study_id)
    assert study["title"] == "Street trees, shade and heat stress"
    assert study["authors"][0]["family"] == "Okonkwo" and study["authors"][1]["family"] == "Marchand"
    assert (study["year"], study["doi"], study["venue"]) == (2021, "10.5555/x.1", "Urban Climate Letters")
    if name == "scopus.csv":
        assert study["abstract"] == 'Walks through streets, with "quotes".'
        assert study["extra"] == {"label_included": 1}
        assert library.study(outcomes[1].study_id)["authors"][0] == {"given": "Elin", "family": "Bergström"}


def test_real_synergy_screening_csv(library):
    path = need_shared("screening/synergy_Sep_2021.csv")
    outcomes = import_paths(library, [path])
    assert summarise(outcomes) == {"imported": 270, "duplicate": 0, "failed": 0}
    included = library.query("SELECT count(*) AS n FROM studies WHERE json_extract(extra, '$.label_included') = 1")
    assert included == [{"n": 40}]
    study = library.study(outcomes[0].study_id)
    assert study["title"].startswith("Noradrenergic activation of the basolateral amygdala")
    assert study["extra"]["openalex_id"] == "https://openalex.org/W2126189390" and study["extra"]["record_id"] == 1
    assert library.query("SELECT count(*) AS n FROM commands") == [{"n": 1}]
    assert outcomes[0].study_id in [r["id"] for r in library.search("amygdala noradrenergic")]

    again = import_paths(library, [path])
    assert summarise(again) == {"imported": 0, "duplicate": 270, "failed": 0}
    assert library.query("SELECT count(*) AS n FROM commands") == [{"n": 1}]  # no empty command to undo


def test_real_cohen_gzip_keeps_untitled_records_with_their_pmid(library):
    path = need_shared("screening/cohen2006/Cohen_2006_Estrogens.csv.gz")
    outcomes = import_paths(library, [path])
    assert len(outcomes) == 368 and summarise(outcomes)["failed"] == 0
    untitled = library.query("SELECT extra FROM studies WHERE title IS NULL")
    assert untitled and all('"pmid"' in row["extra"] for row in untitled)


@pytest.mark.parametrize("name,text,expected", [
    ("cut.ris", "TY  - JOUR\nTI  - One\nER  - \nTY  - JOUR\nTI  - Two\n", "record 2 (line 4) has no end line"),
    ("nested.ris", "TY  - JOUR\nTI  - One\nTY  - JOUR\nTI  - Two\nER  - \n", "line 3: record 2 starts before record 1"),
    ("junk.ris", "Hello, this is not RIS\n", "no RIS records found"),
    ("between.ris", "TY  - JOUR\nTI  - One\nER  - \nstray words\nTY  - JOUR\nER  - \n", "line 4: text between records"),
    ("none.bib", "just some words\n", "no BibTeX entries found"),
    ("ragged.csv", 'title,abstract\n"One","A"\n"Two","B","extra"\n', "line 3: record 2 has 3 fields, the header has 2"),
    ("quote.csv", 'title,abstract\n"One","A"\n"Two" x,"B"\n', "line 3: malformed CSV"),
    ("notitle.csv", "name,value\na,1\n", "no 'title' or 'abstract' column (columns found: name, value)"),
    ("empty.csv", "", "empty file"),
])
def test_malformed_exports_are_refused_whole_with_the_line(library, tmp_path, name, text, expected):
    outcomes = import_paths(library, [write_export(tmp_path, name, text)])
    assert len(outcomes) == 1 and outcomes[0].status == "failed" and outcomes[0].record is None
    assert expected in outcomes[0].reason
    assert " file not imported: " in outcomes[0].reason
    assert library.study_count() == 0 and library.undo_label() is None


def test_non_utf8_csv_names_the_line(library, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("title\nCaf\u00e9 study\n".encode("latin-1"))
    [outcome] = import_paths(library, [path])
    assert outcome.status == "failed" and "line 2: not UTF-8 text" in outcome.reason


def test_duplicates_per_record_by_doi_and_by_title_author_year(library, tmp_path):
    import_paths(library, [write_export(tmp_path, "a.ris", RIS)])
    later = write_export(tmp_path, "b.ris", """\
TY  - JOUR
TI  - Another title entirely
DO  - 10.1000/abc.123
ER  -
TY  - JOUR
TI  - GREEN ROOFS AND INDOOR HEAT.
AU  - Wei, C.
PY  - 2020
ER  -
TY  - JOUR
TI  - Green roofs and indoor heat
AU  - Wei, Chen
PY  - 2004
ER  -
TY  - JOUR
TI  - Green roof and indoor heat
AU  - Wei, Chen
PY  - 2020
ER  -
TY  - JOUR
TI  - A new study of urban cooling by street trees
ER  -
TY  - JOUR
TI  - A new study of urban cooling by street trees
ER  -
""")
    outcomes = import_paths(library, [later])
    statuses = [(o.status, o.matched_id) for o in outcomes]
    assert statuses[0] == ("duplicate", 1) and "same DOI" in outcomes[0].reason
    assert statuses[1] == ("duplicate", 2) and "same title, first author and year" in outcomes[1].reason
    assert statuses[2][0] == "imported"  # same title and author, another year: a different work
    assert statuses[3] == ("duplicate", 2) and "near-identical title" in outcomes[3].reason
    assert statuses[4][0] == "imported"
    assert statuses[5] == ("duplicate", outcomes[4].study_id)  # duplicates inside one file are caught too


def test_a_file_of_only_duplicates_adds_no_command(library, tmp_path):
    path = write_export(tmp_path, "a.ris", RIS)
    import_paths(library, [path])
    assert summarise(import_paths(library, [path])) == {"imported": 0, "duplicate": 2, "failed": 0}
    assert library.query("SELECT count(*) AS n FROM commands") == [{"n": 1}]


def test_undo_removes_a_whole_import_batch(library, tmp_path):
    import_paths(library, [write_export(tmp_path, "a.ris", RIS), write_export(tmp_path, "b.bib", BIBTEX)])
    assert library.study_count() == 4  # same title, author and year, but two different DOIs: two works
    assert [r["label"] for r in library.query("SELECT label FROM commands ORDER BY id")] == [
        "Import a.ris (2 records)", "Import b.bib (2 records)"]
    assert library.undo().label == "Import 2 files"
    assert library.study_count() == 0 and library.search("roofs") == []


def test_semicolon_csv_from_a_european_spreadsheet(library, tmp_path):
    path = write_export(tmp_path, "excel.csv", 'Title;Year;Accession\n"Heat, shade; and trees";May 2021;00123\n')
    [outcome] = import_paths(library, [path])
    study = library.study(outcome.study_id)
    assert (study["title"], study["year"], study["extra"]) == ("Heat, shade; and trees", 2021, {"Accession": "00123"})


def test_bibtex_entries_sharing_a_key_are_both_read_and_decoded(library, tmp_path):
    path = write_export(tmp_path, "keys.bib", "@article{a, title={First study of {B}ayes}, author={Smith, John}, year=2019}\n"
                                       "@article{a, title={Second study of {B}ayes}, author={Roe, Richard and Poe, "
                                       "Edgar}, year=2020}\n")
    first, second = (library.study(o.study_id) for o in import_paths(library, [path]))
    assert first["title"] == "First study of Bayes"
    assert second["title"] == "Second study of Bayes"
    assert second["authors"] == [{"given": "Richard", "family": "Roe"}, {"given": "Edgar", "family": "Poe"}]


# -- BibTeX decoding keeps what a bibliography means; a malformed entry fails alone -----------------------------------
def test_bibtex_keeps_raw_percent_signs_and_unknown_macros(library, tmp_path):
    path = write_export(tmp_path, "percent.bib", r"""@article{p,
  title = {Defaults raise uptake by 10% and a % raw percent sign stays},
  abstract = {We saw 10% and ampersand \& in {\LaTeX} and {\TeX} with \unknownmacro{x}, {\em emphasis} and 50\% done.},
  author = {M{\"u}ller, Anna},
  note = {Discount of 5% applied},
  year = 2020,
}
""")
    [outcome] = import_paths(library, [path])
    study = library.study(outcome.study_id)
    assert study["title"] == "Defaults raise uptake by 10% and a % raw percent sign stays"
    assert study["abstract"] == (r"We saw 10% and ampersand & in LaTeX and TeX with \unknownmacro{x}, emphasis and "
                                 "50% done.")
    assert study["authors"] == [{"given": "Anna", "family": "Müller"}]
    assert study["extra"]["note"] == "Discount of 5% applied"


@pytest.mark.parametrize("entry,line,why", [
    ("@article{b,\n  title = {Extra brace} here},\n  year = 2021,\n}\n", 2,
     "unexpected text after the value of 'title' ('here}'): an extra closing brace, or a missing comma?"),
    ("@article{b,\n  title = {No comma}\n  year = 2021\n}\n", 3,
     "unexpected text after the value of 'title' ('year = 2021'): an extra closing brace, or a missing comma?"),
    ("@article{b,\n  title = {Unclosed,\n  year = 2021\n", 2, "the '{' that opens the value of 'title' is never closed"),
])
def test_a_malformed_bibtex_entry_fails_alone_with_its_line(library, tmp_path, entry, line, why):
    text = "@article{ok, title={Fine study of roofs}, year=2020}\n" + entry + "@article{later, title={Later study}}\n"
    outcomes = import_paths(library, [write_export(tmp_path, "refs.bib", text)])
    assert [(o.status, o.record) for o in outcomes] == [("imported", 1), ("failed", 2), ("imported", 3)]
    assert outcomes[1].reason == (f"line {line + 1}: malformed BibTeX entry (@article{{b,): {why}; this record was "
                                  "not imported (correct the entry and import the file again)")
    assert sorted(s["title"] for s in library.studies()) == ["Fine study of roofs", "Later study"]
    assert library.undo_label() == "Import refs.bib (3 records)"


def test_bibtex_concatenation_and_string_names_are_not_errors(library, tmp_path):
    path = write_export(tmp_path, "ok.bib", '@string{jhb = "Journal of Health Behaviour"}\n'
                                     '@article{a, title = "Cooling " # {cities}, journal = jhb, year = 2021}\n')
    [outcome] = import_paths(library, [path])
    assert outcome.status == "imported"


# -- HTML tags that database exports leave in titles and abstracts ------------------------------------------------------
def test_html_tags_in_titles_and_abstracts_are_cleaned(library, tmp_path):
    path = write_export(tmp_path, "openalex.csv", 'title,abstract\n'
                 '"Comparative effect of<i>Camellia sinensis</i>teas on memory","<h3>Background</h3> Fears. '
                 '<h3>Methods</h3> Rats &amp; mice."\n'
                 '"A reduction in hippocampal GABA<sub>A</sub>receptor α5 subunits","Doses of 10<sup>-3</sup> M; p < 0.05"\n')
    first, second = (library.study(o.study_id) for o in import_paths(library, [path]))
    assert first["title"] == "Comparative effect of Camellia sinensis teas on memory"
    assert first["abstract"] == "Background: Fears. Methods: Rats & mice."
    assert second["title"] == "A reduction in hippocampal GABAA receptor α5 subunits"
    assert second["abstract"] == "Doses of 10^-3 M; p < 0.05"


def test_the_real_synergy_csv_keeps_no_tags(library):
    import_paths(library, [need_shared("screening/synergy_Sep_2021.csv")])
    tagged = library.query("SELECT title FROM studies WHERE title LIKE '%<i>%' OR title LIKE '%<sup>%'"
                           " OR abstract LIKE '%<h3>%'")
    assert tagged == []
    titles = {s["title"] for s in library.studies()}
    assert "Ameliorating effect of lyophilized extract of Butea frondosa leaves on scopolamine-induced amnesia in rats" \
        in titles


# -- duplicates are named by title and year -----------------------------------------------------------------------------
def test_duplicates_name_the_matched_study_by_title_and_year(library, tmp_path):
    path = write_export(tmp_path, "pubmed.ris", RIS)
    import_paths(library, [path])
    again = import_paths(library, [path])
    assert [o.reason for o in again] == ["same record as “Nudging physicians towards generic prescribing” (2019)",
                                         "same record as “Green roofs and indoor heat” (2020)"]
    assert [o.title for o in again] == ["Nudging physicians towards generic prescribing", "Green roofs and indoor heat"]
