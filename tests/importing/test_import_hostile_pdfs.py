"""PDFs that keep a reader busy for minutes or lie about their pages: each gets an outcome with a reason, the batch
goes on, Ctrl+C stops at once, and no reader outlives the program (even after a kill -9)."""

from __future__ import annotations

import json
import os
import signal
import sys
import time

import pytest

from litreview.importing import import_paths, summarise
from litreview.importing.pdf_metadata import PdfMetadataError, read_pdf_metadata
from litreview.importing.settings import reader_timeout, set_reader_timeout
from litreview.store import Library
from tests.helpers.pdfs import endless, lying_page_count, paper
from tests.helpers.processes import finish, live_processes, readers, start_cli, wait_until

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="sends signals to process groups")


# -- a page that never finishes: the per-file reader timeout -------------------------------------------------------
def test_a_pdf_that_takes_too_long_is_given_up_and_the_batch_goes_on(library, tmp_path):
    files = [paper(tmp_path / "first.pdf", "Street trees and heat"), endless(tmp_path / "endless.pdf"),
             paper(tmp_path / "last.pdf", "Green roofs and rain")]
    started = time.monotonic()
    report = import_paths(library, files, timeout=2, workers=1)
    elapsed = time.monotonic() - started
    assert [o.status for o in report] == ["imported", "failed", "imported"]
    assert report[1].reason.startswith("took too long to read (more than 2 s")
    assert elapsed < 30, f"the batch waited {elapsed:.0f} s for a file it should have given up after 2 s"
    assert library.conn.execute("SELECT reason FROM import_outcomes WHERE input = ?",
                                (str(files[1]),)).fetchone()[0] == report[1].reason


def test_the_timeout_is_a_library_setting_the_app_and_the_cli_share(library, tmp_path):
    assert reader_timeout(library) == 60
    set_reader_timeout(library, 1.5)
    assert reader_timeout(library) == 1.5
    [outcome] = import_paths(library, [endless(tmp_path / "endless.pdf")])
    assert outcome.status == "failed" and "more than 1.5 s" in outcome.reason


def test_cli_timeout_option(tmp_path):
    process = start_cli(tmp_path / "lib", "import", str(endless(tmp_path / "endless.pdf")), "--timeout", "1",
                        "--json")
    out, err = process.communicate(timeout=120)
    outcome, summary = [json.loads(line) for line in out.splitlines()]
    assert outcome["status"] == "failed" and "more than 1 s" in outcome["reason"]
    assert summary["summary"] == {"imported": 0, "duplicate": 0, "failed": 1} and process.returncode == 1
    bad = start_cli(tmp_path / "lib", "import", str(tmp_path / "endless.pdf"), "--timeout", "-3")
    _, err = bad.communicate(timeout=60)
    assert bad.returncode == 2 and err.strip() == "litreview: the reader timeout must be more than 0 seconds (got -3.0)"


@posix_only
def test_ctrl_c_stops_at_once_without_waiting_for_a_busy_reader(tmp_path):
    files = [endless(tmp_path / "endless.pdf"), paper(tmp_path / "later.pdf", "Street trees and heat")]
    process = start_cli(tmp_path / "lib", "import", *map(str, files), "--json")
    try:
        assert wait_until(lambda: readers(process.pid), timeout=60), "no reader started"
        time.sleep(0.5)  # the reader is inside the endless page now
        os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl+C does: to the CLI and its readers
        sent = time.monotonic()
        out, err = process.communicate(timeout=60)
        assert time.monotonic() - sent < 10, "Ctrl+C waited for the reader"
        assert process.returncode == 130 and "Traceback" not in err
        assert json.loads(out.splitlines()[-1])["cancelled"] is True
        assert wait_until(lambda: not live_processes(process.pid), timeout=10), live_processes(process.pid)
    finally:
        finish(process)


@posix_only
def test_kill_9_of_the_cli_takes_its_fork_server_resource_tracker_and_readers_with_it(tmp_path):
    files = [paper(tmp_path / "a.pdf", "Street trees and heat"), endless(tmp_path / "b.pdf"),
             endless(tmp_path / "c.pdf", depth=25)]
    process = start_cli(tmp_path / "lib", "import", *map(str, files), "--workers", "2", "--json")
    try:
        assert json.loads(process.stdout.readline())["status"] == "imported"
        assert wait_until(lambda: len(readers(process.pid)) == 2, timeout=60), live_processes(process.pid)
        helpers = live_processes(process.pid)
        assert any("resource_tracker" in cmd for _, _, cmd in helpers)
        process.kill()  # SIGKILL to the CLI alone: no cleanup runs in it
        process.wait(timeout=30)
        assert wait_until(lambda: not live_processes(process.pid), timeout=15), \
            f"left alive after kill -9 of the CLI: {live_processes(process.pid)}"
    finally:
        finish(process)


# -- a page tree that lies about its page count ---------------------------------------------------------------------
@pytest.mark.parametrize("count", ["-1", "100000", "99999999999"])
def test_a_lying_page_count_fails_that_file_alone(library, tmp_path, count):
    files = [paper(tmp_path / "first.pdf", "Street trees and heat"), lying_page_count(tmp_path / "lying.pdf", count),
             paper(tmp_path / "last.pdf", "Green roofs and rain")]
    report = import_paths(library, files)
    assert [o.status for o in report] == ["imported", "failed", "imported"]
    assert report[1].reason.startswith("damaged PDF: it cannot be read") and "code=" not in report[1].reason
    assert summarise(report) == {"imported": 2, "duplicate": 0, "failed": 1}


@pytest.mark.parametrize("count", ["-1", "99999999999"])
def test_metadata_of_a_lying_page_count_is_one_line(tmp_path, count):
    path = lying_page_count(tmp_path / "lying.pdf", count)
    with pytest.raises(PdfMetadataError, match="damaged"):
        read_pdf_metadata(path)
    process = start_cli(tmp_path / "lib", "metadata", str(path))
    out, err = process.communicate(timeout=120)
    assert process.returncode == 2 and out == ""
    assert err.strip() == f"litreview: {path}: damaged PDF: it cannot be read (Invalid number of pages); download it again"


def test_metadata_gives_up_a_pdf_that_takes_too_long(tmp_path):
    process = start_cli(tmp_path / "lib", "metadata", str(endless(tmp_path / "endless.pdf")), "--timeout", "1")
    _, err = process.communicate(timeout=120)
    assert process.returncode == 2 and "took too long to read (more than 1 s" in err


def test_readers_are_gone_after_a_batch(tmp_path):
    with Library(tmp_path / "lib") as library:
        import_paths(library, [paper(tmp_path / "a.pdf", "Street trees and heat"), endless(tmp_path / "b.pdf")],
                     timeout=1, workers=2)
    children = [pid for pid, ppid, cmd in live_processes(os.getsid(0)) if "forkserver" in cmd
                and ppid != os.getpid()]
    assert children == [], "readers of a finished batch still run"
