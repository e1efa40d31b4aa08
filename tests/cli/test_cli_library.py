"""The library sub-commands as a user runs them: import (JSON lines and a readable summary), metadata, list,
search, show, undo/redo, export, demo, and Ctrl+C during an import."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from litreview.cli import main
from litreview.store import Library
from tests.helpers.paths import ROOT, need_shared


def run(capsys, library_dir, *argv):
    code = main(["--library", str(library_dir), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_import_json_prints_one_line_per_file_then_a_summary(capsys, tmp_path):
    edge = need_shared("pdfs/edge")
    code, out, _ = run(capsys, tmp_path / "lib", "import", str(edge / "zero_bytes.pdf"),
                       str(edge / "concatenated_two_papers.pdf"), str(edge / "encrypted_ownerpw_only.pdf"), "--json")
    assert code == 0
    empty, paper, copy, summary = json_lines(out)
    assert empty == {"file": str(edge / "zero_bytes.pdf"), "status": "failed", "reason": "empty file (0 bytes)",
                     "study_id": None, "matched_id": None, "record": None, "title": None}
    assert paper["status"] == "imported" and paper["study_id"] == 1
    assert copy["status"] == "duplicate" and copy["matched_id"] == 1 and "same DOI" in copy["reason"]
    assert summary["summary"] == {"imported": 1, "duplicate": 1, "failed": 1} and summary["cancelled"] is False


def test_import_without_json_prints_a_readable_summary(capsys, tmp_path):
    code, out, _ = run(capsys, tmp_path / "lib", "import", str(need_shared("pdfs/edge/not_a_pdf.pdf")),
                       str(need_shared("pdfs/jose/jose.00021.pdf")))
    assert code == 0
    assert "failed    " in out and "not a PDF" in out
    assert "1 imported, 0 duplicates, 1 failed" in out


def test_import_of_nothing_that_exists_is_a_user_error(capsys, tmp_path):
    code, _, err = run(capsys, tmp_path / "lib", "import", str(tmp_path / "nope.pdf"))
    assert code == 2 and "nothing to import" in err


def test_metadata_prints_the_documented_json(capsys, tmp_path):
    code, out, _ = run(capsys, tmp_path / "lib", "metadata", str(need_shared("pdfs/varied/osdi_2006_bigtable.pdf")))
    assert code == 0
    metadata = json.loads(out)
    assert set(metadata) == {"title", "authors", "year", "doi", "abstract", "venue", "pages"}
    assert metadata["title"] == "Bigtable: A Distributed Storage System for Structured Data"
    code, _, err = run(capsys, tmp_path / "lib", "metadata", str(need_shared("pdfs/edge/encrypted_userpw.pdf")))
    assert code == 2 and "password" in err


def test_list_search_show_undo_redo_and_exports(capsys, tmp_path):
    lib = tmp_path / "lib"
    ris = tmp_path / "refs.ris"
    ris.write_text("TY  - JOUR\nTI  - Zebrafish swimming and nanoplastics\nAU  - Brenner, Lukas\nPY  - 2021\nER  - \n"
                   "TY  - JOUR\nTI  - Green roofs and heat\nAU  - Wei, Chen\nPY  - 2020\nER  - \n", encoding="utf-8")
    assert run(capsys, lib, "import", str(ris), "--json")[0] == 0

    code, out, _ = run(capsys, lib, "list", "--json")
    assert [s["title"] for s in json_lines(out)] == ["Zebrafish swimming and nanoplastics", "Green roofs and heat"]
    code, out, _ = run(capsys, lib, "list")
    assert "Brenner" in out and "2 studies" in out

    code, out, _ = run(capsys, lib, "search", "zebrafish", "--json")
    assert [hit["id"] for hit in json_lines(out)] == [1]
    code, out, _ = run(capsys, lib, "search", "nothing-like-this")
    assert "no study matches" in out

    code, out, _ = run(capsys, lib, "show", "2", "--json")
    shown = json.loads(out)
    assert shown["authors"] == [{"given": "Chen", "family": "Wei"}] and shown["files"] == []
    code, out, _ = run(capsys, lib, "show", "2")
    assert out.startswith("Green roofs and heat\nChen Wei\n2020")
    code, _, err = run(capsys, lib, "show", "99")
    assert code == 2 and "no study 99" in err

    for fmt, name in (("ris", "out.ris"), ("bibtex", "out.bib"), ("csv", "out.csv")):
        code, out, _ = run(capsys, lib, "export", fmt, "-o", str(tmp_path / name))
        assert code == 0 and (tmp_path / name).stat().st_size > 0
    assert "Zebrafish swimming" in (tmp_path / "out.bib").read_text(encoding="utf-8")
    code, _, err = run(capsys, lib, "export", "markdown", "-o", str(tmp_path / "tree.md"))
    assert code == 2 and "hierarchy" in err and not (tmp_path / "tree.md").exists()

    assert run(capsys, lib, "undo")[1] == "undone: Import refs.ris (2 records)\n"
    assert run(capsys, lib, "undo")[1] == "nothing to undo\n"
    assert run(capsys, lib, "redo")[1] == "redone: Import refs.ris (2 records)\n"
    with Library(lib) as library:
        assert library.study_count() == 2


def test_demo_writes_and_imports_three_topics_once(capsys, tmp_path):
    code, out, _ = run(capsys, tmp_path / "lib", "demo", "--out", str(tmp_path / "pdfs"), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["pdfs"] == 12 and report["summary"] == {"imported": 12, "duplicate": 0, "failed": 0}
    with Library(tmp_path / "lib") as library:
        studies = library.studies()
        assert all(s["doi"].startswith("10.5555/demo.") and len(s["authors"]) >= 2 and s["abstract"] for s in studies)
        assert len(library.search("microplastic*")) >= 3 and len(library.search("heat")) >= 3
    code, out, _ = run(capsys, tmp_path / "lib", "demo", "--out", str(tmp_path / "pdfs"), "--json")
    assert json.loads(out)["summary"] == {"imported": 0, "duplicate": 12, "failed": 0}


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT")
def test_ctrl_c_stops_after_the_current_file_and_keeps_what_was_imported(tmp_path):
    jose = need_shared("pdfs/jose")
    command = [sys.executable, "-m", "litreview", "--library", str(tmp_path / "lib"), "import", str(jose), "--json"]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    first = process.stdout.readline()
    os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl+C does: to the CLI and its PDF workers
    rest, err = process.communicate(timeout=60)
    lines = json_lines(first + rest)
    assert process.returncode == 130
    assert "stopping after the current file" in err
    summary = lines[-1]
    assert summary["cancelled"] is True
    imported = summary["summary"]["imported"]
    assert 1 <= imported < len(list(jose.glob("*.pdf")))
    with Library(tmp_path / "lib") as library:
        assert library.study_count() == imported
        assert library.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
