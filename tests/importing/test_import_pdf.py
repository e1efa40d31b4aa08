"""PDF import against the real files in ../shared/data/pdfs: every edge case, copy vs link, duplicates,
idempotent re-import, attaching a PDF to a reference record, progress and cancel."""

from __future__ import annotations

import json
import shutil

import pytest

from litreview.importing import ImportOutcome, import_paths, summarise
from litreview.jobs import CancelToken
from tests.helpers.paths import need_shared

# What each edge file's `notes` in ground_truth.jsonl call for: (status, words the reason must contain).
EDGE_EXPECTED = {
    "zero_bytes.pdf": ("failed", "empty file"),
    "truncated_40pct.pdf": ("failed", "truncated"),
    "not_a_pdf.pdf": ("failed", "not a PDF"),
    "encrypted_userpw.pdf": ("failed", "password-protected"),
    "encrypted_ownerpw_only.pdf": ("imported", None),
    "scanned_image_only.pdf": ("imported", "OCR"),
    "real_no_text_layer.pdf": ("imported", "OCR"),
    "real_dvi_broken_spacing.pdf": ("imported", None),
    "concatenated_two_papers.pdf": ("imported", None),
}


def test_edge_notes_cover_every_edge_file():
    edge = need_shared("pdfs/edge")
    notes = {}
    for line in (edge.parent / "ground_truth.jsonl").read_text().splitlines():
        record = json.loads(line)
        if record["subset"] == "edge":
            notes[record["file"].removeprefix("edge/")] = record["notes"]
    assert set(notes) == set(EDGE_EXPECTED) == {p.name for p in edge.iterdir()}


@pytest.mark.parametrize("name", sorted(EDGE_EXPECTED))
def test_each_edge_file_gets_the_outcome_its_notes_describe(library, name):
    path = need_shared(f"pdfs/edge/{name}")
    [outcome] = import_paths(library, [path], workers=1)
    status, words = EDGE_EXPECTED[name]
    assert outcome.status == status, outcome
    if words:
        assert words.lower() in outcome.reason.lower()
    if status == "failed":
        assert library.study_count() == 0 and outcome.study_id is None
        return
    study = library.study(outcome.study_id)
    pages = library.full_text(outcome.study_id)
    assert len(pages) == study["n_pages"] > 0
    assert library.file_path(outcome.study_id).read_bytes() == path.read_bytes()  # the file is kept
    if words == "OCR":
        assert study["needs_ocr"] == 1 and "OCR" in study["extra"]["import_note"]
    else:
        assert study["needs_ocr"] == 0 and sum(len(t) for _, t in pages) > 1000


def test_concatenated_papers_take_the_first_papers_metadata(library):
    [outcome] = import_paths(library, [need_shared("pdfs/edge/concatenated_two_papers.pdf")], workers=1)
    study = library.study(outcome.study_id)
    assert study["doi"] == "10.21105/jose.00013"
    assert study["n_pages"] == 5


def test_a_folder_imports_each_file_once_and_again_is_idempotent(library):
    edge = need_shared("pdfs/edge")
    first = import_paths(library, [edge])
    assert [o.file.rsplit("/", 1)[-1] for o in first] == sorted(EDGE_EXPECTED)
    assert summarise(first) == {"imported": 4, "duplicate": 1, "failed": 4}
    owner_only = next(o for o in first if o.file.endswith("encrypted_ownerpw_only.pdf"))
    concatenated = next(o for o in first if o.file.endswith("concatenated_two_papers.pdf"))
    assert owner_only.status == "duplicate" and owner_only.matched_id == concatenated.study_id
    assert "same DOI" in owner_only.reason  # same JOSE paper, different bytes

    studies, pages = library.study_count(), library.conn.execute("SELECT count(*) FROM pages").fetchone()[0]
    again = import_paths(library, [edge])
    assert summarise(again) == {"imported": 0, "duplicate": 5, "failed": 4}
    assert {o.matched_id for o in again if o.status == "duplicate"} <= {o.study_id for o in first}
    assert library.study_count() == studies
    assert library.conn.execute("SELECT count(*) FROM pages").fetchone()[0] == pages
    batches = library.query("SELECT batch, count(*) AS n FROM import_outcomes GROUP BY batch")
    assert [b["n"] for b in batches] == [9, 9]


def test_same_file_under_another_name_is_a_duplicate_by_sha(library, tmp_path):
    original = need_shared("pdfs/jose/jose.00015.pdf")
    copy = tmp_path / "renamed copy.pdf"
    shutil.copyfile(original, copy)
    first, second = import_paths(library, [original, copy], workers=2)
    assert first.status == "imported"
    title = library.study(first.study_id)["title"]
    assert title == "Pynamical: Model and visualize discrete nonlinear dynamical systems, chaos, and fractals"
    reason = "same file as “Pynamical: Model and visualize discrete nonlinear dynamical…” (2018)"
    assert second == ImportOutcome(str(copy), "duplicate", reason, None, first.study_id, title=title)


def test_copy_into_the_store_by_default_and_link_keeps_the_path(library, tmp_path):
    source = tmp_path / "paper.pdf"
    shutil.copyfile(need_shared("pdfs/jose/jose.00016.pdf"), source)
    [copied] = import_paths(library, [source])
    stored = library.file_path(copied.study_id)
    assert stored.is_relative_to(library.folder / "files") and stored.read_bytes() == source.read_bytes()

    library.undo()
    [linked] = import_paths(library, [source], link=True)
    assert linked.status == "imported"
    assert library.file_path(linked.study_id) == source.resolve()
    row = library.query("SELECT stored_path, original_path FROM files WHERE study_id = ?", (linked.study_id,))[0]
    assert row == {"stored_path": None, "original_path": str(source.resolve())}


def test_an_import_batch_is_one_undo_step_with_a_command_and_feedback_per_pdf(library):
    outcomes = import_paths(library, [need_shared("pdfs/jose/jose.00016.pdf"), need_shared("pdfs/jose/jose.00019.pdf")])
    assert [r["id"] for r in library.search("atomistic")] == [outcomes[1].study_id]
    assert [r["label"] for r in library.query("SELECT label FROM commands ORDER BY id")] == [
        "Import jose.00016.pdf", "Import jose.00019.pdf"]
    feedback = library.query("SELECT kind, study_id, payload FROM feedback ORDER BY id")
    assert [(f["kind"], f["study_id"]) for f in feedback] == [("import", o.study_id) for o in outcomes]
    assert library.undo().label == "Import 2 files"
    assert library.study_count() == 0
    assert library.conn.execute("SELECT count(*) FROM files").fetchone()[0] == 0
    assert library.search("atomistic") == []  # pylj's text left the index with its study


def test_metadata_and_text_are_stored_and_searchable(library):
    [outcome] = import_paths(library, [need_shared("pdfs/varied/osdi_2006_bigtable.pdf")])
    study = library.study(outcome.study_id)
    assert study["title"] == "Bigtable: A Distributed Storage System for Structured Data"
    assert study["authors"][0] == {"given": "Fay", "family": "Chang"}
    assert study["source"] == "pdf" and study["source_ref"] == "osdi_2006_bigtable.pdf"
    assert [r["id"] for r in library.search("tablet servers")] == [outcome.study_id]


def test_a_pdf_of_an_imported_reference_is_attached_to_it(library, tmp_path):
    ris = tmp_path / "refs.ris"
    ris.write_text("TY  - JOUR\nTI  - The Riffomonas Reproducible Research Tutorial Series\nAU  - Schloss, Patrick D.\n"
                   "PY  - 2018\nDO  - 10.21105/JOSE.00013\nER  - \n", encoding="utf-8")
    [record] = import_paths(library, [ris])
    [pdf] = import_paths(library, [need_shared("pdfs/jose/jose.00013.pdf")])
    assert pdf.status == "duplicate" and pdf.matched_id == pdf.study_id == record.study_id
    assert "same DOI" in pdf.reason and "added to that study" in pdf.reason
    assert library.study_count() == 1
    assert library.study(record.study_id)["n_pages"] == len(library.full_text(record.study_id)) > 0
    assert library.undo_label() == "Attach jose.00013.pdf"
    library.undo()
    assert library.full_text(record.study_id) == [] and library.file_path(record.study_id) is None


def test_missing_and_unknown_inputs_fail_clearly_and_do_not_stop_the_batch(library, tmp_path):
    notes = tmp_path / "notes.docx"
    notes.write_bytes(b"PK\x03\x04")
    outcomes = import_paths(library, [tmp_path / "gone.pdf", notes, need_shared("pdfs/jose/jose.00021.pdf")])
    assert [(o.status, o.reason) for o in outcomes[:2]] == [
        ("failed", "file not found"), ("failed", "not a format litreview imports (PDF, RIS, BibTeX, CSV/TSV)")]
    assert outcomes[2].status == "imported"


def test_progress_reports_each_file_and_cancel_stops_at_a_file_boundary(library):
    jose = need_shared("pdfs/jose")
    token = CancelToken()
    events = []

    def progress(event):
        events.append(event)
        if event.done == 2:
            token.cancel()

    outcomes = import_paths(library, [jose], progress=progress, cancel=token, workers=2)
    assert len(outcomes) == 2 and library.study_count() == 2
    assert [e.done for e in events] == [0, 1, 2]
    assert events[-1].total == len(list(jose.glob("*.pdf")))
    assert events[1].data["outcomes"] == [outcomes[0].as_dict()]

    rest = import_paths(library, [jose])
    assert summarise(rest)["duplicate"] == 2 and library.study_count() == len(rest)


def test_a_typed_cover_page_on_a_scanned_article_is_still_flagged_for_ocr(library, tmp_path):
    import pymupdf

    doc = pymupdf.open()
    cover = doc.new_page()
    cover.insert_textbox(pymupdf.Rect(50, 50, 550, 800), "Downloaded from an archive. Terms of use apply. " * 20)
    for _ in range(3):
        doc.new_page().draw_rect(pymupdf.Rect(50, 50, 550, 800), fill=(0.9, 0.9, 0.9))  # an image, no text
    path = tmp_path / "scanned article.pdf"
    doc.save(path)
    [outcome] = import_paths(library, [path])
    assert outcome.status == "imported" and "no text layer on 3 of 4 pages" in outcome.reason
    assert library.study(outcome.study_id)["needs_ocr"] == 1


def test_a_reader_that_dies_mid_file_loses_no_file():
    """Kill the reader (as a MuPDF crash or the out-of-memory killer would) while it reads a long file: the file is
    read again by a fresh reader, the other files are read too, and every one comes back read."""
    import os
    import signal
    import time

    from litreview.importing.reader_pool import ReaderPool

    files = [need_shared(f"pdfs/{name}") for name in ("varied/peerjcs_2017_webb.pdf", "jose/jose.00016.pdf",
                                                     "jose/jose.00019.pdf")]
    with ReaderPool(1, timeout=120) as pool:
        for key, path in enumerate(files):
            pool.submit(key, path)
        first = pool.readers[0].process
        time.sleep(0.3)  # it has the first file now (or has just finished it: then file 2 is hit instead)
        os.kill(first.pid, signal.SIGKILL)
        readings = [pool.wait(key) for key in range(len(files))]
        assert first not in [reader.process for reader in pool.readers]
    assert all(reading.failure is None and reading.pages for reading in readings)


def test_a_file_another_import_saved_meanwhile_is_a_duplicate_and_the_batch_goes_on(library):
    """Two imports into one library at once (the app and the CLI): the file the other one saved first is found by
    the check repeated inside the write transaction and becomes a duplicate, never an error."""
    from litreview.store import Library, sha256_file

    files = [need_shared(f"pdfs/jose/{name}") for name in ("jose.00015.pdf", "jose.00016.pdf", "jose.00019.pdf")]

    def progress(event):
        if event.done == 1:
            with Library(library.folder) as other, other.command("Other import") as cmd:
                study_id = cmd.insert("studies", {"title": "Saved by the other import", "year": 2020, "source": "pdf"})
                cmd.insert("files", {"study_id": study_id, "sha256": sha256_file(files[1]),
                                     "original_path": str(files[1]), "size": 1})

    outcomes = import_paths(library, files, progress=progress)
    assert [o.status for o in outcomes] == ["imported", "duplicate", "imported"]
    assert outcomes[1].reason == "same file as “Saved by the other import” (2020)"
    assert library.study_count() == 3
    assert library.conn.execute("SELECT count(*) FROM pages p JOIN files f ON f.study_id = p.study_id "
                                "WHERE f.sha256 = ?", (sha256_file(files[1]),)).fetchone()[0] == 0
