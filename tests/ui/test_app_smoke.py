"""The app starts as a user starts it (its own process, ``python -m ui.app``) and paints its window."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers.paths import ROOT
from tests.helpers.screenshots import screenshot_folder


def run_app(args: list[str], env_extra: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, **env_extra}
    return subprocess.run([sys.executable, "-m", "ui.app", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_app_starts_offscreen_and_quits_after_the_first_paint(tmp_path):
    shot = screenshot_folder(tmp_path) / "smoke_first_paint.png"
    result = run_app(["--smoke", "--library", str(tmp_path / "lib"), "--screenshot", str(shot)],
                     {"QT_QPA_PLATFORM": "offscreen", "LITREVIEW_CONFIG": str(tmp_path / "config")})
    assert result.returncode == 0, result.stderr
    assert "litreview-gui smoke: first paint after" in result.stdout
    assert "0 studies); core modules loaded" in result.stdout
    assert shot.stat().st_size > 5000
    assert (tmp_path / "lib" / "library.db").exists()


def test_without_a_display_it_says_what_to_do(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run([sys.executable, "-m", "ui.app", "--smoke", "--library", str(tmp_path / "lib")],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "no display found" in result.stderr
    assert not Path(tmp_path / "lib").exists()  # nothing was touched


def test_a_zero_byte_library_is_refused_in_one_line(tmp_path):
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "library.db").write_bytes(b"")
    result = run_app(["--smoke", "--library", str(folder)],
                     {"QT_QPA_PLATFORM": "offscreen", "LITREVIEW_CONFIG": str(tmp_path / "config")})
    assert result.returncode == 2
    assert "is empty (0 bytes)" in result.stderr and "Traceback" not in result.stderr
    assert (folder / "library.db").stat().st_size == 0
