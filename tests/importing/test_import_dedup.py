"""Duplicate rules as pure logic: DOI and title normalisation, the per-rule matches, forgetting the additions of
a command that rolled back, and catching up with what another connection wrote."""

from __future__ import annotations

import pytest

from litreview.importing.dedup import DedupIndex, normalise_doi, title_key
from litreview.importing.study_rows import study_row


@pytest.mark.parametrize("raw,expected", [
    ("10.1000/ABC.123", "10.1000/abc.123"),
    ("https://doi.org/10.1000/abc.123.", "10.1000/abc.123"),
    ("doi: 10.1000/abc.123);", "10.1000/abc.123"),
    ("http://dx.doi.org/10.1000/x", "10.1000/x"),
    ("not a doi", None),
    ("", None),
    (None, None),
])
def test_normalise_doi(raw, expected):
    assert normalise_doi(raw) == expected


def test_title_key_ignores_case_accents_and_punctuation():
    assert title_key("Café-Nudges:  A  Trial!") == title_key("cafe nudges a trial") == "cafe nudges a trial"
    assert title_key(" ,.; ") is None


def row(title, family=None, year=None, doi=None, **extra):
    authors = [{"given": "A.", "family": family}] if family else []
    return study_row({"title": title, "authors": authors, "year": year, "doi": doi}, source="ris", source_ref="t",
                     extra=extra)


TITLE = "Default options in electronic prescribing reduce opioid quantities"


@pytest.mark.parametrize("new,why", [
    (row("Something else", doi="https://doi.org/10.5555/A"), "same DOI"),
    (row(TITLE.upper() + ".", "holtvedt", 2021), "same title, first author and year"),
    (row(TITLE, None, None), "same title, first author and year"),  # nothing stated disagrees
    (row(TITLE.replace("options", "option"), "Holtvedt", 2021), "near-identical title, same first author and year"),
    (row(TITLE, "Holtvedt", 2021, doi="10.5555/a", note="same"), "same record"),
])
def test_each_rule_names_the_record_it_matched(new, why):
    index = DedupIndex()
    index.add(7, row(TITLE, "Holtvedt", 2021, doi="10.5555/a", note="same"))
    match = index.find(new)
    assert (match.study_id, match.why) == (7, why)
    assert match.reason("“Default options…” (2021)") == f"{why} as “Default options…” (2021)"


@pytest.mark.parametrize("new", [
    row(TITLE, "Holtvedt", 2019),                     # another year
    row(TITLE, "Osei", 2021),                         # another first author
    row(TITLE, "Holtvedt", 2021, doi="10.5555/b"),    # another DOI
    row("Default options in printed prescribing pads", "Holtvedt", 2021),  # another paper of a series
])
def test_different_works_are_not_duplicates(new):
    index = DedupIndex()
    index.add(7, row(TITLE, "Holtvedt", 2021, doi="10.5555/a"))
    assert index.find(new) is None


def test_short_titles_need_author_and_year():
    index = DedupIndex()
    index.add(1, row("Editorial"))
    assert index.find(row("Editorial")) is not None  # the very same record
    assert index.find(row("Editorial", pmid=2)) is None
    index.add(2, row("Nateglinide", "Keilson", 2000))
    assert index.find(row("Nateglinide", "Keilson", 2000, pmid=3)).study_id == 2


def test_same_record_rule_is_off_for_pdfs():
    index = DedupIndex()
    scan = study_row({"title": "scan"}, source="pdf", source_ref="scan.pdf", dedup_title=False)
    index.add(1, scan)
    assert index.find(scan, same_record=False) is None


def test_additions_of_a_rolled_back_command_are_forgotten():
    index = DedupIndex()
    with pytest.raises(RuntimeError):
        with index.pending():
            index.add(1, row(TITLE, "Holtvedt", 2021, doi="10.5555/a"))
            index.add_file(1, "abc", 1)
            assert index.find(row(TITLE, "Holtvedt", 2021)) is not None
            raise RuntimeError("the command failed")
    assert index.find(row(TITLE, "Holtvedt", 2021, doi="10.5555/a")) is None
    assert index.by_sha("abc") is None


def test_sync_catches_up_with_rows_another_connection_added_and_removed(library):
    from litreview.store import Library

    index = DedupIndex.load(library)
    with Library(library.folder) as other:
        with other.command("Other import") as cmd:
            first = cmd.insert("studies", row(TITLE, "Holtvedt", 2021, doi="10.5555/a"))
            cmd.insert("files", {"study_id": first, "sha256": "abc", "original_path": "x.pdf", "size": 1})
        assert index.find(row("Other", doi="10.5555/a")) is None  # not synced yet
        index.sync(library)
        assert index.find(row("Other", doi="10.5555/a")).study_id == first
        assert index.by_sha("abc").study_id == first
        other.undo()  # gone again: the counts no longer add up, so the index reloads
        with other.command("Third import") as cmd:
            second = cmd.insert("studies", row("A different study of something else entirely", "Osei", 2020))
    index.sync(library)
    assert index.find(row("Other", doi="10.5555/a")) is None and index.by_sha("abc") is None
    assert index.find(row("A different study of something else entirely", "Osei", 2020)).study_id == second
