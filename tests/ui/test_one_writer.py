"""One writer, undo by intention: a job and the user writing at once, and a whole import as one undo step."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt

from litreview.claims import extract_claims
from litreview.screening import decide
from tests.helpers.paths import need_shared
from tests.helpers.window import add_studies_through_window, wait_for_job

ABSTRACT = "Methods: a trial. Results: pain relief was 58% with the drug and 30% with placebo (P < 0.001)."


def test_ctrl_z_during_a_claims_job_undoes_the_users_edit_and_the_job_keeps_the_redo_stack(qtbot, window):
    ids = add_studies_through_window(window, [f"Trial {n}" for n in range(6)])
    window.ops.call(lambda library: [_set_abstract(library, s) for s in ids])
    reached, go = threading.Event(), threading.Event()

    def job(library, progress, cancel, write):
        def paused(event):
            progress(event)
            if event.done == 2 and not reached.is_set():  # two studies' claims are committed by now
                reached.set()
                go.wait(30)

        return extract_claims(library, None, progress=paused, cancel=cancel, write=write)

    assert window.pipeline.start("Extract claims", job)
    assert reached.wait(30)
    window.ops.call(lambda library: decide(library, ids[4], "include"))
    assert window.undo_action.text() == "Undo Include “Trial 4” (2018)"  # the job's open group is not undoable
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.library.conn.execute("SELECT count(*) FROM decisions").fetchone()[0] == 0
    assert window.library.conn.execute("SELECT count(*) FROM claims").fetchone()[0] > 0  # the job's work stays
    go.set()
    wait_for_job(qtbot, window, 60)
    assert window.library.redo_label() == "Include “Trial 4” (2018)"  # the job left the user's redo stack alone
    assert window.library.undo_label() == "Extract claims"  # the whole run is one step
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.library.conn.execute("SELECT count(*) FROM claims").fetchone()[0] == 0


def _set_abstract(library, study_id):
    with library.command("Abstract") as cmd:
        cmd.update("studies", study_id, {"abstract": ABSTRACT})


def test_an_import_of_30_pdfs_is_one_undo_step(qtbot, window):
    pdfs = sorted(need_shared("pdfs/jose").glob("*.pdf"))[:30]
    assert window.import_paths(pdfs)
    wait_for_job(qtbot, window, 300)
    with qtbot.waitActive(window):  # the import report is window-modal: keys reach the window once it is closed
        window.last_summary.accept()
    assert window.library.study_count() == 30
    assert window.undo_action.text() == "Undo Import 30 files"
    undo_log_text = window.library.conn.execute(
        "SELECT coalesce(sum(length(before)) + sum(length(after)), 0) FROM undo_log WHERE tbl = 'pages'").fetchone()[0]
    assert undo_log_text == 0  # page text is stored once, in the pages table
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.library.study_count() == 0
    assert window.stack.currentWidget() is window.empty_state
