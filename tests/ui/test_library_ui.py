"""The library page: search, filters, the study pane, notes, exports, settings, the demo corpus."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt

from litreview.llm import LlmSettings
from litreview.paths import config_dir
from litreview.screening import decide
from litreview.store.queries import study_detail
from tests.helpers.screenshots import save_screenshot
from tests.helpers.window import add_studies_through_window, wait_for_job


def test_search_and_decision_filter(qtbot, window):
    ids = add_studies_through_window(window, ["Teaching Python", "A GPU solver", "Teaching statistics"])
    window.ops.call(lambda library: decide(library, ids[0], "include"))
    window.refresh()
    assert window.table_model.rowCount() == 3
    qtbot.keyClicks(window.page.search_box, "teaching")
    qtbot.waitUntil(lambda: window.table_model.rowCount() == 2)
    window.page.decision_filter.setCurrentText("Included")
    assert [window.table_model.study_id(r) for r in range(window.table_model.rowCount())] == [ids[0]]
    window.page.decision_filter.setCurrentText("Undecided")
    assert [window.table_model.study_id(r) for r in range(window.table_model.rowCount())] == [ids[2]]
    window.page.decision_filter.setCurrentText("All")
    window.page.search_box.clear()
    qtbot.waitUntil(lambda: window.table_model.rowCount() == 3)
    window.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)  # year, newest first
    years = [window.table_model.data(window.table_model.index(r, 2)) for r in range(3)]
    assert years == sorted(years, reverse=True)


def test_study_pane_marks_search_terms_and_escapes_pdf_text(qtbot, window, tmp_path):
    [study] = add_studies_through_window(window, ["<b>Teaching</b> & learning"])
    window.refresh()
    qtbot.keyClicks(window.page.search_box, "teaching")
    qtbot.waitUntil(lambda: window.table_model.rowCount() == 1)
    window.table.selectRow(0)
    html = window.study_pane.view.toHtml()
    assert "&lt;b&gt;" in html  # text from a file is shown, never interpreted
    assert "background-color:#fff2a8" in html
    save_screenshot(window, "study_pane_escaping", tmp_path)


def test_notes_are_saved_as_an_undoable_command(qtbot, window):
    [study] = add_studies_through_window(window, ["Teaching Python"])
    window.refresh()
    window.table.selectRow(0)
    qtbot.keyClicks(window.study_pane.notes, "read the methods again")
    qtbot.waitUntil(lambda: window.library.study(study)["notes"] == "read the methods again", timeout=5000)
    assert window.undo_action.text() == "Undo Edit notes"
    window.undo()
    assert window.library.study(study)["notes"] == ""
    assert window.study_pane.notes.toPlainText() == ""


def test_exports_write_files_and_remember_the_folder(tree_window, tmp_path):
    window = tree_window
    (tmp_path / "out").mkdir()
    for what, name in (("hierarchy-markdown", "h.md"), ("hierarchy-csv", "h.csv"), ("ris", "l.ris"),
                       ("bibtex", "l.bib"), ("csv", "l.csv")):
        target = window.export(what, tmp_path / "out" / name)
        assert target is not None and target.stat().st_size > 0, (what, window.last_error)
    assert "## Topic" in (tmp_path / "out" / "h.md").read_text()
    assert "Teaching Python" in (tmp_path / "out" / "l.ris").read_text()
    remembered = QSettings(str(config_dir() / "ui.ini"), QSettings.Format.IniFormat).value("folders/export")
    assert Path(remembered) == tmp_path / "out"


def test_hierarchy_export_without_a_hierarchy_says_so(window, tmp_path):
    add_studies_through_window(window, ["Teaching Python"])
    window.refresh()
    assert window.export("hierarchy-markdown", tmp_path / "h.md") is None
    assert "no hierarchy" in window.last_error


def test_settings_dialog_saves_llm_settings(qtbot, window, tmp_path):
    window.open_settings()
    dialog = window.settings_dialog
    dialog.model_path.setText(str(tmp_path / "model.gguf"))
    dialog.placement.setCurrentIndex(dialog.placement.findData("n-cpu-moe"))
    dialog.n_cpu_moe.setValue(20)
    dialog.n_ctx.setValue(8192)
    dialog.threads.setValue(2)
    dialog.accept()
    saved = LlmSettings.load()
    assert (saved.model_path, saved.placement, saved.n_cpu_moe, saved.n_ctx, saved.n_threads) == (
        str(tmp_path / "model.gguf"), "n-cpu-moe", 20, 8192, 2)
    assert window.model_status.text() == "model.gguf · experts on CPU for 20 layers"


def test_open_demo_corpus_from_the_empty_library(qtbot, window):
    window.empty_state.demo_button.click()
    wait_for_job(qtbot, window)
    assert window.library.study_count() >= 10
    assert window.stack.currentWidget() is window.tabs
    assert window.last_summary.headline.text().split()[0] == str(window.library.study_count())


def test_open_pdf_at_page_goes_through_the_desktop(qtbot, window):
    from PySide6.QtCore import QObject, QUrl, Slot
    from PySide6.QtGui import QDesktopServices

    from tests.helpers.paths import need_shared

    class Catcher(QObject):
        urls: list[QUrl] = []

        @Slot(QUrl)
        def open(self, url: QUrl) -> None:
            self.urls.append(url)

    pdf = sorted(need_shared("pdfs/jose").glob("*.pdf"))[0]
    assert window.import_paths([pdf])
    wait_for_job(qtbot, window)
    study = window.library.conn.execute("SELECT id FROM studies").fetchone()[0]
    catcher = Catcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    try:
        window.study_pane.show_study(study_detail(window.library, study))
        window.study_pane.view.anchorClicked.emit(QUrl("page:3"))
    finally:
        QDesktopServices.unsetUrlHandler("file")
    [url] = catcher.urls
    opened = Path(url.toLocalFile())
    assert opened.read_bytes() == window.library.file_path(study).read_bytes()
    assert opened.name.endswith(".pdf") and opened.parent.name == "reading" and " - " in opened.name
    assert url.fragment() == "page=3"


def test_a_server_that_does_not_answer_is_not_saved(qtbot, window):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    window.open_settings()
    dialog = window.settings_dialog
    dialog.server_url.setText(f"http://127.0.0.1:{port}/v1")
    dialog.accept()
    qtbot.waitUntil(lambda: "Not saved" in dialog.error.text(), timeout=10000)
    assert "cannot reach the LLM server" in dialog.server_status.text()
    assert dialog.isVisible() and LlmSettings.load().server_url is None


def test_settings_preview_the_placement_and_say_when_there_is_no_gpu(qtbot, window):
    window.open_settings()
    dialog = window.settings_dialog
    qtbot.waitUntil(lambda: "n_gpu_layers" in dialog.plan_label.text(), timeout=30000)
    assert "fits" in dialog.plan_label.text()
    from litreview.llm.machine_plan import gpu_build

    if not gpu_build():  # this CPU-only build: nothing to place on a GPU, and the dialog says so
        assert not dialog.placement.isEnabled() and "CPU only" in dialog.placement.toolTip()
