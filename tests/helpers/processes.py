"""Running the CLI as a real process for the tests that signal or kill it, and finding what it left behind."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers.paths import ROOT

# A safety net: a reader that escaped would otherwise spin on a hostile PDF for hours on a shared machine.
CPU_LIMIT_S = 300


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT_S, CPU_LIMIT_S + 10))


def start_cli(library: Path, *argv: str) -> subprocess.Popen:
    """``litreview --library LIBRARY ARGV...`` in a session of its own (its pid is the session id)."""
    command = [sys.executable, "-m", "litreview", "--library", str(library), *argv]
    return subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, preexec_fn=_limits)


def live_processes(session: int) -> list[tuple[int, int, str]]:
    """(pid, parent pid, command line) of every live process in ``session`` (zombies are dead: they only wait to
    be reaped by whoever adopted them)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        state, ppid, sid = fields[0], int(fields[1]), int(fields[3])
        if sid == session and state not in ("Z", "X"):
            found.append((int(entry.name), ppid, cmdline))
    return found


def readers(session: int) -> list[int]:
    """The PDF reader processes of a CLI session (children of its fork server)."""
    processes = live_processes(session)
    servers = {pid for pid, _, cmd in processes if "forkserver" in cmd and pid != session}
    return [pid for pid, ppid, _ in processes if ppid in servers]


def wait_until(condition, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def finish(process: subprocess.Popen) -> None:
    """Clean up after a test: kill what its CLI left running (by pid), reap it, close its pipes."""
    process.kill()
    for pid, _, _ in live_processes(process.pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait(timeout=30)
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            stream.close()
