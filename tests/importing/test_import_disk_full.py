"""A full disk stops an import cleanly: one clear line, no traceback, no partial file, and what was imported before
stays (the disk is made "full" as tests/helpers/full_disk.py says)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from litreview.store import Library
from tests.helpers.full_disk import litreview_on_a_full_disk, one_clear_line
from tests.helpers.paths import need_shared
from tests.helpers.references import TWO_RECORDS_RIS, write_export

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs RLIMIT_FSIZE")



def run_on_a_full_disk(tmp_path, free_bytes: int, *argv: str) -> subprocess.CompletedProcess:
    """``litreview import ARGV`` with every file it writes limited to the library's current size plus ``free_bytes``."""
    library = tmp_path / "lib"
    Library(library).close()
    limit = (library / "library.db").stat().st_size + free_bytes
    return litreview_on_a_full_disk(library, limit, "import", *argv, log=tmp_path / "log" / "litreview.log")


def assert_one_clear_line(result: subprocess.CompletedProcess) -> None:
    assert one_clear_line(result).startswith("litreview: import stopped: "), result.stderr


def test_a_full_disk_stops_a_reference_import_cleanly_and_keeps_what_came_before(tmp_path):
    ris = write_export(tmp_path, "small.ris", TWO_RECORDS_RIS)
    big = need_shared("screening/synergy_Sep_2021.csv")
    later = write_export(tmp_path, "later.ris", TWO_RECORDS_RIS.replace("Green roofs", "Blue roofs"))
    result = run_on_a_full_disk(tmp_path, 200_000, str(ris), str(big), str(later))
    assert_one_clear_line(result)
    assert f"failed    {big}: not saved: " in result.stdout
    assert "2 imported, 0 duplicates, 1 failed" in result.stdout  # the batch stopped: later.ris was not tried
    with Library(tmp_path / "lib") as library:
        assert library.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert sorted(s["title"] for s in library.studies()) == ["Green roofs and indoor heat",
                                                               "Nudging physicians towards generic prescribing"]
        assert library.conn.execute("SELECT count(*) FROM import_outcomes").fetchone()[0] == 2
        # the batch's undo step closed with what it holds: one file's command, so that file's words
        assert library.undo().label == "Import small.ris (2 records)"
        assert library.study_count() == 0


def test_a_full_disk_while_copying_a_pdf_leaves_no_partial_file(tmp_path):
    small, big, after = (need_shared(f"pdfs/jose/jose.{n}.pdf") for n in ("00070", "00019", "00015"))
    result = run_on_a_full_disk(tmp_path, 1_000_000, str(small), str(big), str(after))  # big (2.4 MB) cannot fit
    assert_one_clear_line(result)
    assert f"no space left to store {big.name}" in result.stderr
    assert "1 imported, 0 duplicates, 1 failed" in result.stdout
    stored = [p for p in (tmp_path / "lib" / "files").rglob("*") if p.is_file()]
    assert [p.read_bytes() for p in stored] == [small.read_bytes()], "a partial copy was left in the store"
    with Library(tmp_path / "lib") as library:
        assert library.study_count() == 1
        assert library.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
