"""`litreview screen ...` end to end: simulate on a real labelled dataset, and the real-use commands."""

from __future__ import annotations

import gzip
import json

from litreview.cli import main
from tests.conftest import need_shared
from tests.screening.conftest import add_studies

SUMMARY_KEYS = {"dataset", "n", "n_included", "seeds", "wss95", "rrf10", "atd", "loss",
                "records_to_first_relevant", "stop_recall", "stop_fraction", "seconds"}


def test_simulate_json_orders_and_plot_on_a_real_dataset(tmp_path, capsys):
    dataset = need_shared("screening/synergy_Sep_2021.csv")
    orders, plot = tmp_path / "orders.jsonl", tmp_path / "recall.png"
    code = main(["screen", "simulate", str(dataset), "--seeds", "1", "--json", "--orders", str(orders),
                 "--plot", str(plot)])
    assert code == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(summary) == SUMMARY_KEYS
    assert (summary["dataset"], summary["n"], summary["n_included"], summary["seeds"]) == ("synergy_Sep_2021", 270, 40, 1)
    assert -5 <= summary["wss95"] <= 95 and 0 <= summary["rrf10"] <= 100 and 0 < summary["atd"] < 100
    assert 0 <= summary["loss"] <= 1 and 0 < summary["stop_fraction"] <= 100
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
    ids = add_studies(library)
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
    assert "screened 1 of" in capsys.readouterr().out
