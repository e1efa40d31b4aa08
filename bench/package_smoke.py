"""Start the PyInstaller bundle offscreen once and compare it with the app started from source.

    make package && .venv/bin/python bench/package_smoke.py [--quick]

Prints the bundle's size on disk, whether ``dist/litreview/litreview-gui --smoke`` painted its window, loaded
every core module and exited 0, and its start-up time against the same start from source
(``python -m ui.app --smoke``) measured in the same
run (median of 3; 1 with --quick). The last bundle run also imports the demo corpus (``--smoke-demo``), so the
frozen PDF reader processes are exercised, not just the window.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "dist" / "litreview"
EXE = BUNDLE / "litreview-gui"


def folder_mb(folder: Path) -> float:
    """Bytes of the regular files (the bundle links some libraries to each other: those are counted once)."""
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def first_paint(line: str) -> float:
    return float(re.search(r"first paint after ([0-9.]+) s", line).group(1))


def start(command: list[str], library: Path, config: Path, *extra: str) -> tuple[float, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LITREVIEW_CONFIG": str(config)}
    started = time.perf_counter()
    result = subprocess.run([*command, "--smoke", "--library", str(library), *extra], env=env, capture_output=True,
                            text=True, timeout=600, cwd=ROOT)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{command[0]} failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr[-3000:]}")
    return seconds, result.stdout.strip().splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if not EXE.exists():
        print(f"no bundle at {EXE}: run `make package` first", file=sys.stderr)
        return 2
    repeats = 1 if args.quick else 3
    print(f"bundle: {BUNDLE} ({folder_mb(BUNDLE):.0f} MB on disk)")
    with tempfile.TemporaryDirectory(prefix="litreview-package-") as tmp:
        tmp_path = Path(tmp)
        bundle_runs, source_runs, bundle_paint, source_paint = [], [], [], []
        for i in range(repeats):
            seconds, line = start([str(EXE)], tmp_path / f"b{i}", tmp_path / "config")
            bundle_runs.append(seconds)
            bundle_paint.append(first_paint(line))
            seconds, source_line = start([sys.executable, "-m", "ui.app"], tmp_path / f"s{i}", tmp_path / "config")
            source_runs.append(seconds)
            source_paint.append(first_paint(source_line))
        print(f"bundle says: {line}")
        seconds, line = start([str(EXE)], tmp_path / "demo", tmp_path / "config", "--smoke-demo")
        print(f"bundle with the demo corpus imported ({seconds:.1f} s): {line}")
        b, s = statistics.median(bundle_paint), statistics.median(source_paint)
        print(f"first paint: bundle {b:.2f} s, from source {s:.2f} s (ratio {b / s:.2f}; median of {repeats})")
        b, s = statistics.median(bundle_runs), statistics.median(source_runs)
        print(f"whole smoke run (start, paint, load every core module, exit): bundle {b:.2f} s, from source "
              f"{s:.2f} s (ratio {b / s:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
