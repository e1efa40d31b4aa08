"""Every user error the CLI can meet ends in one line on stderr and exit 2, never a Python traceback; a bug ends in
one line naming the log (exit 1). Each case runs the real command in its own process."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from litreview.store import SCHEMA_VERSION, Library
from tests.helpers.paths import ROOT

RIS = "TY  - JOUR\nTI  - Green roofs and heat\nAU  - Wei, Chen\nPY  - 2020\nER  - \n"


def litreview(*args: str, config: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "LITREVIEW_LOG": str((config or Path("/tmp")) / "litreview-test.log")}
    if config is not None:
        env["LITREVIEW_CONFIG"] = str(config)
    return subprocess.run([sys.executable, "-m", "litreview", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, input=stdin)


def one_line_error(result: subprocess.CompletedProcess, code: int = 2) -> str:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("litreview: ")
    return lines[0]


def test_a_library_from_a_newer_litreview(tmp_path):
    Library(tmp_path / "lib").close()
    conn = sqlite3.connect(tmp_path / "lib" / "library.db")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    assert "newer litreview" in one_line_error(litreview("--library", str(tmp_path / "lib"), "list"))


def test_a_damaged_library_db(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "library.db").write_bytes(b"garbage" * 1000)
    assert "damaged" in one_line_error(litreview("--library", str(tmp_path / "lib"), "list"))


def test_a_zero_byte_library_db_is_not_recreated(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "library.db").write_bytes(b"")
    line = one_line_error(litreview("--library", str(tmp_path / "lib"), "list"))
    assert "0 bytes" in line and "backup" in line
    assert (tmp_path / "lib" / "library.db").stat().st_size == 0


def test_library_pointing_at_a_file(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    assert "is a file" in one_line_error(litreview("--library", str(tmp_path / "notes.txt"), "list"))


def test_a_malformed_settings_file(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "settings.toml").write_text("[llm\nmodel_path = ", encoding="utf-8")
    Library(tmp_path / "lib").close()
    line = one_line_error(litreview("--library", str(tmp_path / "lib"), "claims", config=tmp_path / "config"))
    assert "settings file" in line and "settings.toml" in line


def test_a_bad_placement_value(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "settings.toml").write_text('[llm]\nplacement = "everywhere"\n', encoding="utf-8")
    Library(tmp_path / "lib").close()
    line = one_line_error(litreview("--library", str(tmp_path / "lib"), "claims", config=tmp_path / "config"))
    assert "placement must be one of" in line


def test_output_piped_into_a_reader_that_stops(tmp_path):
    folder = tmp_path / "lib"
    (tmp_path / "refs.ris").write_text(RIS * 1, encoding="utf-8")
    with Library(folder) as library, library.command("Add") as cmd:
        for number in range(3000):
            cmd.insert("studies", {"title": f"Study {number}", "source": "ris"})
    pipeline = subprocess.run(
        f"{sys.executable} -m litreview --library {folder} list --json | head -1", shell=True, cwd=ROOT,
        capture_output=True, text=True, timeout=120)
    assert pipeline.stdout.count("\n") == 1
    assert "Traceback" not in pipeline.stderr and "Broken pipe" not in pipeline.stderr


def test_undo_with_nothing_to_undo_is_not_an_error(tmp_path):
    result = litreview("--library", str(tmp_path / "lib"), "undo")
    assert result.returncode == 0 and result.stdout == "nothing to undo\n"


@pytest.fixture
def read_only_library(tmp_path):
    """A library folder the user cannot write (immutable, so it holds for root too)."""
    folder = tmp_path / "lib"
    Library(folder).close()
    paths = [folder / "library.db", folder]
    made = subprocess.run(["chattr", "+i", *map(str, paths)], capture_output=True)
    if made.returncode != 0:
        pytest.skip("chattr +i is not available here to make a folder read-only")
    yield folder
    subprocess.run(["chattr", "-i", *map(str, paths)], check=True)


def test_a_read_only_library_folder(tmp_path, read_only_library):
    ris = tmp_path / "refs.ris"
    ris.write_text(RIS, encoding="utf-8")
    line = one_line_error(litreview("--library", str(read_only_library), "import", str(ris)))
    assert "read-only" in line or "cannot read or write" in line


BUGGY_LIST = """
import sys
import litreview.cli.library_cmds as commands
def broken(args):
    return {}["no such key"]
commands.list_command = broken
from litreview.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_bug_is_one_line_naming_the_log(tmp_path):
    """A crash that is nobody's input (here a command that raises KeyError) is reported as a bug, with the log."""
    log = tmp_path / "litreview.log"
    result = subprocess.run([sys.executable, "-c", BUGGY_LIST, "--library", str(tmp_path / "lib"), "list"],
                            cwd=ROOT, env={**os.environ, "LITREVIEW_LOG": str(log)}, capture_output=True, text=True,
                            timeout=60)
    line = one_line_error(result, code=1)
    assert "internal error" in line and str(log) in line
    assert "Traceback" in log.read_text() and "no such key" in log.read_text()


def test_keeping_fewer_undo_steps_is_a_library_setting_and_a_bad_number_one_line(tmp_path):
    assert litreview("--library", str(tmp_path / "lib"), "undo", "--keep", "5").stdout.strip() == \
        "this library keeps its last 5 undo steps"
    with Library(tmp_path / "lib") as library:
        assert library.undo_steps() == 5
    assert "from 1 to 100000" in one_line_error(litreview("--library", str(tmp_path / "lib"), "undo", "--keep", "0"))
