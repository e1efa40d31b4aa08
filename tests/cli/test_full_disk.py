"""A full disk while deciding, undoing or exporting ends in one clear line and loses nothing: the decision, the undo
step and the earlier export stay as they were (the disk is made "full" as tests/helpers/full_disk.py says)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from litreview.records import delete_studies
from litreview.store import Library
from tests.helpers.full_disk import litreview_on_a_full_disk, one_clear_line
from tests.helpers.paths import ROOT
from tests.helpers.references import TWO_RECORDS_RIS, write_export

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs RLIMIT_FSIZE")

# Room for SQLite's 32 KiB shared-memory index and a few pages of its write-ahead log: reading works, and any write
# of more than ~30 kB fails. Each case below writes at least LONG_TEXT, so it fails however the schema changes.
ROOM = 64_000
LONG_TEXT = " ".join(f"word{n}" for n in range(12_000))  # ~100 kB


def litreview(library, *argv: str) -> str:
    result = subprocess.run([sys.executable, "-m", "litreview", "--library", str(library), *argv], cwd=ROOT,
                            capture_output=True, text=True, timeout=120, check=True)
    return result.stdout


@pytest.fixture
def library(tmp_path):
    folder = tmp_path / "lib"
    long_record = f"TY  - JOUR\nTI  - A study with a long abstract\nAB  - {LONG_TEXT}\nPY  - 2021\nER  -\n"
    litreview(folder, "import", str(write_export(tmp_path, "three.ris", TWO_RECORDS_RIS + "\n" + long_record)))
    return folder


def on_a_full_disk(library, *argv: str) -> str:
    return one_clear_line(litreview_on_a_full_disk(library, ROOM, *argv,
                                                   log=library.parent / "litreview.log"))


def test_a_decision_on_a_full_disk_is_refused_and_nothing_changes(library):
    litreview(library, "screen", "decide", "1", "include")
    line = on_a_full_disk(library, "screen", "decide", "1", "exclude", "--note", LONG_TEXT)
    assert "nothing" in line or "check the disk" in line, line
    history = litreview(library, "screen", "history", "--study", "1")
    assert "include" in history and "exclude" not in history
    assert not (library.parent / "litreview.log").exists(), "a full disk is not a bug"


def test_an_undo_on_a_full_disk_is_refused_and_can_be_done_later(library):
    with Library(library) as lib:
        delete_studies(lib, [3])  # undoing it writes the long abstract back
    on_a_full_disk(library, "undo")
    assert "long abstract" not in litreview(library, "list")
    assert litreview(library, "undo").startswith("undone: Delete")
    assert "long abstract" in litreview(library, "list")


def test_an_export_on_a_full_disk_leaves_the_earlier_file_whole(library, tmp_path):
    target = tmp_path / "refs.csv"
    litreview(library, "export", "csv", "-o", str(target))
    before = target.read_bytes()
    line = on_a_full_disk(library, "export", "ris", "-o", str(target))
    assert line.startswith(f"litreview: no space left to write {target}"), line
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


@pytest.mark.parametrize("argv, words", [
    (["import", "--workers", "-3", "three.ris"], "--workers must be 1 or more"),
    (["export", "csv", "-o", "."], "is a folder: give a file name"),
])
def test_a_bad_option_is_one_line(library, argv, words):
    result = subprocess.run([sys.executable, "-m", "litreview", "--library", str(library), *argv],
                            cwd=library.parent, capture_output=True, text=True, timeout=120)
    assert words in one_clear_line(result)
