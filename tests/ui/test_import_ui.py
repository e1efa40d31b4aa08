"""Import through the window: drops anywhere, a summary per file, cancel leaves a consistent library."""

from __future__ import annotations

from PySide6.QtCore import QPoint

from tests.helpers.drops import file_drop_mime, send_drop
from tests.helpers.paths import need_shared
from tests.helpers.screenshots import save_screenshot
from tests.helpers.window import wait_for_job


def jose_pdfs(count: int):
    return sorted(need_shared("pdfs/jose").glob("*.pdf"))[:count]


def test_first_start_shows_the_drop_target(window, tmp_path):
    assert window.stack.currentWidget() is window.empty_state
    assert window.empty_state.help_line.text().startswith("Drop PDFs, folders or RIS")
    assert window.empty_state.demo_button.text() == "Open demo corpus"
    save_screenshot(window, "first_start", tmp_path)


def test_drop_three_pdfs_and_a_broken_file(qtbot, window, tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\nthis is not really a PDF\n")
    pdfs = jose_pdfs(3)
    assert send_drop(window, file_drop_mime(*pdfs, broken), QPoint(200, 200))
    assert window.runner.busy() == "Import"
    assert window.pipeline.progress.isVisible() and window.pipeline.cancel_button.isVisible()
    wait_for_job(qtbot, window)

    assert window.table_model.rowCount() == 3
    assert window.stack.currentWidget() is window.tabs
    summary = window.last_summary
    assert summary is not None and summary.isVisible()
    statuses = {o.file.rsplit("/", 1)[-1]: o for o in summary.outcomes}
    assert [statuses[p.name].status for p in pdfs] == ["imported"] * 3
    assert statuses["broken.pdf"].status == "failed" and statuses["broken.pdf"].reason
    assert summary.headline.text().startswith("3 imported, 0 duplicates, 1 failed")
    assert summary.tree.topLevelItem(0).text(0) == "broken.pdf"  # failures first, with their reason
    assert summary.tree.topLevelItem(0).text(2) == statuses["broken.pdf"].reason
    assert not window.pipeline.progress.isVisible()
    save_screenshot(summary, "import_summary", tmp_path)


def test_dropping_the_same_files_again_reports_duplicates(qtbot, window):
    pdfs = jose_pdfs(2)
    assert send_drop(window, file_drop_mime(*pdfs), QPoint(50, 50))
    wait_for_job(qtbot, window)
    assert send_drop(window.table.viewport(), file_drop_mime(*pdfs), QPoint(10, 10))  # anywhere on the window
    wait_for_job(qtbot, window)
    assert window.table_model.rowCount() == 2
    assert [o.status for o in window.last_summary.outcomes] == ["duplicate", "duplicate"]


def test_second_job_is_refused_politely(qtbot, window):
    assert window.import_paths(jose_pdfs(2))
    assert not window.import_paths(jose_pdfs(1))
    assert "still running" in window.last_error
    wait_for_job(qtbot, window)


def test_cancelled_import_leaves_a_consistent_library(qtbot, window):
    pdfs = jose_pdfs(12)
    seen = []
    window.runner.progress.connect(lambda slot, name, event: seen.append(event.done))
    assert window.import_paths(pdfs)
    qtbot.waitUntil(lambda: any(done >= 1 for done in seen), timeout=120000)
    window.pipeline.cancel_button.click()
    wait_for_job(qtbot, window)

    lib = window.library
    studies = lib.study_count()
    assert 1 <= studies < len(pdfs)
    assert window.table_model.rowCount() == studies
    assert window.last_summary.windowTitle() == "Import cancelled"
    assert "cancelled" in window.last_summary.headline.text()
    assert lib.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    imported = lib.conn.execute("SELECT count(*) FROM import_outcomes WHERE status = 'imported'").fetchone()[0]
    assert imported == studies
    # every study that came in is whole: its file is stored and its pages are searchable
    for (study_id,) in lib.conn.execute("SELECT id FROM studies").fetchall():
        path = lib.file_path(study_id)
        assert path is not None and path.exists()
        assert lib.full_text(study_id)
    assert not list((lib.folder / "files").rglob("*.part"))


def test_a_drop_asks_where_the_records_come_from_once_per_file(qtbot, window, tmp_path):
    from litreview.importing import remembered_source

    ris = tmp_path / "pubmed-export.ris"
    ris.write_text("TY  - JOUR\nTI  - Green roofs and heat\nAU  - Wei, Chen\nPY  - 2020\nER  - \n", encoding="utf-8")
    window.ask_sources = True
    assert window.import_paths([ris])
    dialog = window.source_dialog
    dialog.names[0].setCurrentText("PubMed / MEDLINE")
    dialog.accept()
    wait_for_job(qtbot, window)
    assert str(remembered_source(window.library, ris.name)) == "PubMed / MEDLINE (a database)"
    assert window.library.query("SELECT s.name FROM studies JOIN sources s ON s.id = studies.source_id") == [
        {"name": "PubMed / MEDLINE"}]
    window.source_dialog = None
    assert window.import_paths([ris])  # remembered: no question the second time
    assert window.source_dialog is None
    wait_for_job(qtbot, window)
    from litreview.importing import import_batches

    assert len(import_batches(window.library)) == 2  # what File → Past imports lists
