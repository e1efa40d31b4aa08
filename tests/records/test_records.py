"""Editing, deleting and merging records: undoable, searchable, and nothing that depends on a study is lost."""

from __future__ import annotations

import pytest

from litreview.errors import InputError
from litreview.importing import import_paths
from litreview.records import delete_studies, describe, edit_study, merge_studies, parse_authors
from litreview.screening import decide
from tests.helpers.paths import need_shared


def add(library, title, **extra):
    with library.command(f"Add {title}") as cmd:
        return cmd.insert("studies", {"title": title, "source": "ris", **extra})


def table_counts(library):
    return {t: library.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("studies", "pages", "files", "claims", "decisions")}


def test_edit_fixes_a_broken_title_and_year_and_search_follows(library):
    study = add(library, "scanned_image_only")
    changed = edit_study(library, study, title="Heat stress in street trees", year="2019",
                         authors="Okonkwo, Ada; Marchand, Jules", doi="https://doi.org/10.5555/X.1")
    assert changed["year"] == 2019 and changed["doi"] == "10.5555/x.1"
    row = library.study(study)
    assert row["authors"] == [{"given": "Ada", "family": "Okonkwo"}, {"given": "Jules", "family": "Marchand"}]
    assert row["title_key"] == "heat stress in street trees" and row["author_key"] == "okonkwo"
    assert [r["id"] for r in library.search("street trees")] == [study]
    assert library.undo_label() == "Edit title, year, authors, doi of “scanned_image_only” (n.d.)"
    library.undo()
    assert library.study(study)["title"] == "scanned_image_only" and library.search("street") == []
    feedback = library.query("SELECT kind, retracted FROM feedback WHERE kind = 'edit_study'")
    assert feedback == [{"kind": "edit_study", "retracted": 1}]


@pytest.mark.parametrize("field, value, words", [
    ("year", "twenty", "must be a number"), ("year", "3021", "not a plausible"), ("doi", "not a doi", "is not a DOI"),
    ("colour", "red", "cannot edit colour"),
])
def test_bad_values_are_refused_and_nothing_is_written(library, field, value, words):
    study = add(library, "A study")
    with pytest.raises(InputError, match=words):
        edit_study(library, study, **{field: value})
    assert library.undo_label() == "Add A study"


def test_deleting_a_pdf_study_takes_its_pages_files_and_decision_and_undo_brings_all_back(library):
    [outcome] = import_paths(library, [need_shared("pdfs/jose/jose.00021.pdf")])
    study = outcome.study_id
    decide(library, study, "include")
    before = table_counts(library)
    assert delete_studies(library, [study]) == 1
    assert table_counts(library) == {name: 0 for name in before}
    assert library.search("python") == []
    assert library.undo_label().startswith("Delete “")
    library.undo()
    assert table_counts(library) == before
    assert library.search("python") and library.file_path(study).exists()


def test_merge_keeps_one_record_with_the_best_of_both(library):
    ris = add(library, "Heat stress in street trees", year=2019, doi="10.5555/x.1")
    [outcome] = import_paths(library, [need_shared("pdfs/jose/jose.00021.pdf")])
    pdf = outcome.study_id
    decide(library, pdf, "exclude")
    pages = len(library.full_text(pdf))
    filled = merge_studies(library, ris, pdf)
    assert "abstract" in filled or "authors" in filled
    assert library.study(pdf) is None and library.study_count() == 1
    assert len(library.full_text(ris)) == pages and library.file_path(ris) is not None
    assert library.query("SELECT decision FROM decisions WHERE study_id = ?", (ris,)) == [{"decision": "exclude"}]
    assert library.study(ris)["title"] == "Heat stress in street trees"  # its own fields win
    library.undo()
    assert library.study_count() == 2 and len(library.full_text(pdf)) == pages


def test_names_in_messages_are_titles_not_ids():
    assert describe({"title": "A" * 80, "year": 2020}).endswith("…” (2020)")
    assert describe({"title": None, "year": None}) == "“(untitled)” (n.d.)"
    assert parse_authors("Ada Lovelace and Charles Babbage") == [
        {"given": "Ada", "family": "Lovelace"}, {"given": "Charles", "family": "Babbage"}]
