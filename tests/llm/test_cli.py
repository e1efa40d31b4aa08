"""`litreview models ...` end to end through the real argparse entry point."""

from __future__ import annotations

import json

import pytest

from litreview.cli import main

PLAN_KEYS = {"fits", "mode", "n_gpu_layers", "n_cpu_moe", "gpu_bytes", "cpu_bytes", "kv_bytes", "reason"}


def run_json(capsys, *argv: str) -> tuple[int, dict]:
    code = main([*argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_inspect(capsys, tiny_moe):
    code, data = run_json(capsys, "models", "inspect", str(tiny_moe))
    assert code == 0
    assert (data["architecture"], data["layers"], data["experts"], data["experts_used"]) == ("qwen3moe", 2, 4, 2)
    assert 0 < data["expert_share"] < 1
    assert main(["models", "inspect", str(tiny_moe)]) == 0
    assert "Mixture of Experts: 4 experts, 2 used" in capsys.readouterr().out


def test_plan_fits_partial_and_does_not_fit(capsys, tiny_moe):
    code, fits = run_json(capsys, "models", "plan", str(tiny_moe), "--vram-gb", "8", "--ram-gb", "16", "--ctx", "1024")
    assert code == 0 and PLAN_KEYS <= fits.keys() and fits["fits"] and fits["mode"] == "gpu" and fits["n_cpu_moe"] == 0
    code, nothing = run_json(capsys, "models", "plan", str(tiny_moe), "--vram-gb", "0", "--ram-gb", "0.0001")
    assert code == 1 and not nothing["fits"] and nothing["reason"]
    code, cpu = run_json(capsys, "models", "plan", str(tiny_moe), "--vram-gb", "0", "--ram-gb", "1")
    assert code == 0 and cpu["mode"] == "cpu" and cpu["gpu_bytes"] == 0


def test_models_list_and_unknown_file(capsys, tiny_moe, monkeypatch):
    monkeypatch.setenv("LITREVIEW_MODELS", str(tiny_moe.parent))
    code, data = run_json(capsys, "models", "list")
    assert code == 0 and [m["display_name"] for m in data["models"]] == ["tiny-synthetic-qwen3moe"]
    assert data["fetchable"][0]["key"] == "qwen2.5-1.5b"
    assert main(["models", "inspect", "no-such.gguf"]) == 2
    assert "no model file" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["models", "fetch", "nope"], ["models"]])
def test_bad_arguments(argv):
    with pytest.raises(SystemExit):
        main(argv)
