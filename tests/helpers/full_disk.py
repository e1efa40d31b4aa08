"""The CLI run as if the disk were full: every file it writes is limited in size through RLIMIT_FSIZE (with SIGXFSZ
ignored), so a write past the limit fails with an error, as on a full disk, without a special filesystem or root."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

from tests.helpers.paths import ROOT


def litreview_on_a_full_disk(library: Path, limit: int, *argv: str, log: Path) -> subprocess.CompletedProcess:
    """``litreview --library LIBRARY ARGV...`` in its own process, no file it writes growing past ``limit`` bytes."""

    def full_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "PYTHONPATH": str(ROOT), "LITREVIEW_LOG": str(log)}
    return subprocess.run([sys.executable, "-m", "litreview", "--library", str(library), *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, preexec_fn=full_disk)


def one_clear_line(result: subprocess.CompletedProcess) -> str:
    """The single line a user error ends in (exit 2, no traceback)."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("litreview: "), result.stderr
    return errors[0]
