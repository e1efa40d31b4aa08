"""`litreview screen ...` end to end: simulate on a real labelled dataset, and the real-use commands."""

from __future__ import annotations

import gzip
import json

import pytest

from litreview.cli import main
from tests.helpers.paths import need_shared
from tests.helpers.studies import add_screening_studies

SUMMARY_KEYS = {"dataset", "n", "n_included", "seeds", "wss95", "rrf10", "atd", "loss",
                "records_to_first_relevant", "stop_recall", "stop_fraction", "seconds", "target_recall",
                "stop_reached_target", "runs"}


def test_simulate_json_orders_and_plot_on_a_real_dataset(tmp_path, capsys):
    dataset = need_shared("screening/synergy_Sep_2021.csv")
    orders, plot = tmp_path / "orders.jsonl", tmp_path / "recall.png"
    code = main(["screen", "simulate", str(dataset), "--seeds", "2", "--json", "--orders", str(orders),
                 "--plot", str(plot)])
    assert code == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(summary) == SUMMARY_KEYS
    assert (summary["dataset"], summary["n"], summary["n_included"], summary["seeds"]) == ("synergy_Sep_2021", 270, 40, 2)
    assert -5 <= summary["wss95"] <= 95 and 0 <= summary["rrf10"] <= 100 and 0 < summary["atd"] < 100
    assert 0 <= summary["loss"] <= 1 and 0 < summary["stop_fraction"] <= 100
    runs = summary["runs"]
    assert [r["seed"] for r in runs] == [0, 1]
    assert set(runs[0]) == {"seed", "wss95", "atd", "stop_position", "stop_recall", "stop_fraction"}
    assert summary["stop_fraction"] == pytest.approx(sum(r["stop_fraction"] for r in runs) / 2, abs=1e-3)
    assert summary["stop_reached_target"] == sum(r["stop_recall"] >= 95 for r in runs) / 2
    assert all(0 < r["stop_position"] <= 268 for r in runs)
    run = json.loads(orders.read_text().splitlines()[0])
    assert run["seed"] == 0 and len(run["priors"]) == 2
    assert sorted(run["order"]) == list(range(270)) and run["order"][:2] == run["priors"]
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_simulate_refuses_a_dataset_without_included_records(tmp_path, capsys):
    path = tmp_path / "none.csv.gz"
    path.write_bytes(gzip.compress(b"title,abstract,label_included\nA,x,0\nB,,0\nC,z,0\n"))
    assert main(["screen", "simulate", str(path), "--json"]) == 2
    assert "no included records" in capsys.readouterr().err


def test_simulate_refuses_bad_priors_and_missing_files(tmp_path, capsys):
    assert main(["screen", "simulate", str(tmp_path / "missing.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
    path = tmp_path / "ok.csv"
    path.write_text("title,abstract,label_included\nA,x,1\nB,y,0\n")
    assert main(["screen", "simulate", str(path), "--prior", "one"]) == 2
    assert "--prior" in capsys.readouterr().err


def test_protocol_next_decide_status(library, capsys):
    ids = add_screening_studies(library)
    folder = str(library.folder)
    assert main(["--library", folder, "screen", "protocol", "--question", "therapy for anxiety", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["question"] == "therapy for anxiety"

    assert main(["--library", folder, "screen", "next", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["mode"] == "bm25" and shown["unscreened"] == len(ids)
    first = shown["study"]["id"]

    assert main(["--library", folder, "screen", "decide", str(first), "include", "--note", "RCT"]) == 0
    assert "include" in capsys.readouterr().out
    assert main(["--library", folder, "screen", "decide", "99999", "exclude"]) == 2
    assert "no study 99999" in capsys.readouterr().err

    assert main(["--library", folder, "screen", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert (status["screened"], status["included"]) == (1, 1)
    assert main(["--library", folder, "screen", "status"]) == 0
    out = capsys.readouterr().out
    assert "screened 1 of" in out and "Callaghan" in out and "p = " in out


def test_stages_reasons_history_stop_check_settings_and_methods(library, capsys):
    ids = add_screening_studies(library)
    folder = str(library.folder)

    def run(*words: str) -> str:
        assert main(["--library", folder, "screen", *words]) == 0, capsys.readouterr().err
        return capsys.readouterr().out

    assert "1. wrong population" in run("reasons")
    assert run("reasons", "--add", "animal study", "--json").count("animal study") == 1
    assert "full text not available" in run("reasons", "--stage", "full_text")
    run("decide", str(ids[0]), "include")
    assert "wrong population" in run("decide", str(ids[1]), "exclude", "--reason", "wrong population")
    run("decide", str(ids[0]), "exclude", "--stage", "full_text", "--reason", "wrong outcome", "--note", "no scale")
    assert main(["--library", folder, "screen", "decide", str(ids[1]), "include", "--stage", "full_text"]) == 2
    assert "not included at title/abstract" in capsys.readouterr().err
    assert main(["--library", folder, "screen", "decide", str(ids[1]), "maybe", "--stage", "full_text"]) == 2
    assert "include, exclude, not_retrieved" in capsys.readouterr().err

    history = [json.loads(line) for line in run("history", "--json").splitlines()]
    assert [(h["stage"], h["decision"], h["reason"]) for h in history] == [
        ("full_text", "exclude", "wrong outcome"), ("title_abstract", "exclude", "wrong population"),
        ("title_abstract", "include", "")]
    assert "wrong outcome [no scale]" in run("history", "--stage", "full_text")
    assert "no decisions match" in run("history", "--search", "nothing like this")
    assert "full text: 1 of 1 decided" in run("status", "--stage", "full_text")

    assert "target recall" not in run("settings", "--target", "90")
    assert json.loads(run("settings", "--json")) == {"target_recall": 0.9, "confidence": 0.95}
    assert "random records" in run("check")
    assert "random check: 0 of" in run("check", "--start", "--seed", "1")
    assert json.loads(run("next", "--json"))["mode"] == "random check"
    assert "random check ended" in run("check", "--cancel")
    assert main(["--library", folder, "screen", "check", "--cancel"]) == 2
    assert "no random check is running" in capsys.readouterr().err

    assert "stopped by your choice" in run("stop")
    assert json.loads(run("status", "--json"))["stopped"]["chosen_by"] == "user"
    methods = run("methods")
    assert "Callaghan and Müller-Hansen" in methods and "90 %" in methods and "by the reviewers' decision" in methods
    assert "wrong outcome: 1" in methods
    assert main(["--library", folder, "screen", "status", "--stage", "abstracts"]) == 2
    assert "title_abstract or full_text" in capsys.readouterr().err
