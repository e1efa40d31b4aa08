"""Opening a library refuses what would lose data, and two processes opening or writing at once both succeed."""

from __future__ import annotations

import multiprocessing
import sqlite3
import subprocess
import sys

import pytest

from litreview.errors import LibraryError, NewerLibraryError
from litreview.store import SCHEMA_VERSION, Library


def test_zero_byte_database_is_refused_not_recreated(tmp_path):
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "library.db").write_bytes(b"")
    with pytest.raises(LibraryError, match="empty.*backup.*move it aside"):
        Library(folder)
    assert (folder / "library.db").stat().st_size == 0  # left as it was for the user to decide


def test_damaged_database_is_refused_with_what_to_do(tmp_path):
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "library.db").write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(LibraryError, match="damaged.*backup"):
        Library(folder)


def test_a_file_is_not_a_library_folder(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(LibraryError, match="is a file"):
        Library(path)


def test_newer_library_is_a_library_error(tmp_path):
    Library(tmp_path / "lib").close()
    conn = sqlite3.connect(tmp_path / "lib" / "library.db")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(NewerLibraryError, match="newer litreview"):
        Library(tmp_path / "lib")
    assert issubclass(NewerLibraryError, LibraryError)


def test_read_only_folder_gives_a_clear_error(tmp_path):
    folder = tmp_path / "lib"
    Library(folder).close()
    (folder / "library.db-wal").unlink(missing_ok=True)
    (folder / "library.db-shm").unlink(missing_ok=True)
    folder.chmod(0o555)
    (folder / "library.db").chmod(0o444)
    try:
        if _is_root():
            pytest.skip("root ignores file permissions")
        with pytest.raises(LibraryError, match="read-only|cannot read or write"):
            with Library(folder) as library, library.command("Add") as cmd:
                cmd.insert("studies", {"title": "x", "source": "pdf"})
    finally:
        folder.chmod(0o755)
        (folder / "library.db").chmod(0o644)


def _is_root() -> bool:
    import os

    return hasattr(os, "geteuid") and os.geteuid() == 0


def _open_new(folder: str, barrier) -> str:
    barrier.wait()
    try:
        with Library(folder) as library:
            return f"ok {library.study_count()}"
    except Exception as error:  # noqa: BLE001 (reported to the parent)
        return f"{type(error).__name__}: {error}"


@pytest.mark.parametrize("attempt", range(5))
def test_two_processes_creating_one_library_at_once_both_succeed(tmp_path, attempt):
    context = multiprocessing.get_context("spawn")
    barrier = context.Manager().Barrier(2)
    with context.Pool(2) as pool:
        results = pool.starmap(_open_new, [(str(tmp_path / "lib"), barrier)] * 2)
    assert results == ["ok 0", "ok 0"]


WRITER = """
import sys, time
from litreview.store import Library
with Library(sys.argv[1]) as library, library.group("Other job"):
    for n in range(60):
        with library.command(f"Add {n}") as cmd:
            cmd.insert("studies", {"title": f"other process {n}", "source": "pdf"})
            time.sleep(0.005)
"""


def test_undo_waits_for_another_process_instead_of_failing(tmp_path):
    folder = tmp_path / "lib"
    with Library(folder) as library:
        with library.command("Mine") as cmd:
            study = cmd.insert("studies", {"title": "mine", "source": "pdf"})
        other = subprocess.Popen([sys.executable, "-c", WRITER, str(folder)])
        try:
            for _ in range(10):
                assert library.undo().label == "Mine"
                assert library.study(study) is None
                assert library.redo().label == "Mine"
        finally:
            other.wait(60)
        assert other.returncode == 0
        assert library.study(study)["title"] == "mine"
        assert library.study_count() == 61
