"""Killing the import mid-batch (SIGKILL: no cleanup at all) leaves a consistent library, and running the same
import again completes the batch without doubling anything."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from litreview.importing import import_paths, summarise
from litreview.store import Library
from tests.helpers.paths import ROOT, need_shared

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs process groups and SIGKILL")


def _consistent(library: Library) -> None:
    assert library.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert library.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    broken = library.query(
        "SELECT s.id FROM studies s WHERE s.source = 'pdf' AND ("
        " NOT EXISTS (SELECT 1 FROM files f WHERE f.study_id = s.id)"
        " OR s.n_pages != (SELECT count(*) FROM pages p WHERE p.study_id = s.id))"
    )
    assert broken == [], "a study lost its file or pages"
    for row in library.query("SELECT stored_path FROM files"):
        assert (library.folder / row["stored_path"]).is_file()
    fts = library.conn.execute("SELECT count(*) FROM studies_fts").fetchone()[0]
    assert fts == library.study_count()


def test_sigkill_mid_import_leaves_a_consistent_library_and_a_rerun_completes(tmp_path):
    jose = need_shared("pdfs/jose")
    total = len(list(jose.glob("*.pdf")))
    folder = tmp_path / "lib"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "litreview", "--library", str(folder), "import", str(jose), "--json",
               "--workers", "2"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, start_new_session=True)
    try:
        first = json.loads(process.stdout.readline())
        assert first["status"] == "imported"
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the CLI and its PDF workers, without any chance to clean up
        process.wait(timeout=30)
        process.stdout.close()
    assert process.returncode == -signal.SIGKILL

    with Library(folder) as library:
        _consistent(library)
        survivors = library.study_count()
        assert 1 <= survivors < total, "the kill should land mid-batch"
        assert library.query("SELECT count(*) AS n FROM commands")[0]["n"] == survivors

        outcomes = import_paths(library, [jose])
        counts = summarise(outcomes)
        assert counts["failed"] == 0
        assert counts["duplicate"] == survivors
        assert library.study_count() == counts["imported"] + survivors == total
        _consistent(library)
