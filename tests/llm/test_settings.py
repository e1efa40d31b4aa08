from __future__ import annotations

import os

import pytest
import tomllib

from litreview.llm import LlmSettings, SettingsError, physical_cores


def test_defaults_when_nothing_was_saved(tmp_path):
    settings = LlmSettings.load(tmp_path / "settings.toml")
    assert settings == LlmSettings()
    assert settings.model_path is None and settings.placement == "auto"
    assert settings.threads == physical_cores() >= 1


def test_round_trip_keeps_other_tables(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('[ui]\ntheme = "dark"\nwindow = {width = 800}\n')
    saved = LlmSettings(model_path='/m/a "b".gguf', placement="n-cpu-moe", n_cpu_moe=20,
                        override_rules=[r"blk\.1\.ffn_.*_exps=CPU"], vram_budget_gb=11.5, flash_attn=True)
    saved.save(path)
    assert LlmSettings.load(path) == saved
    document = tomllib.loads(path.read_text())
    assert document["ui"] == {"theme": "dark", "window": {"width": 800}}


def test_default_location_is_the_config_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("LITREVIEW_CONFIG", str(tmp_path / "cfg"))
    LlmSettings(n_ctx=2048).save()
    assert (tmp_path / "cfg" / "settings.toml").exists()
    assert LlmSettings.load().n_ctx == 2048


def test_bad_values_are_refused(tmp_path):
    with pytest.raises(SettingsError, match="placement"):
        LlmSettings(placement="everywhere")
    broken = tmp_path / "settings.toml"
    broken.write_text("[llm\n")
    with pytest.raises(SettingsError, match="cannot read"):
        LlmSettings.load(broken)


def test_physical_cores_never_exceeds_the_cpus_we_may_use():
    assert 1 <= physical_cores() <= len(os.sched_getaffinity(0))
