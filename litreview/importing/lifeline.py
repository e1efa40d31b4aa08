"""Helper processes die with the program that started them, even after a kill -9 that allows no cleanup.

The PDF readers run in worker processes forked from multiprocessing's fork server. A reader stuck inside
MuPDF holds Python's GIL for the whole call (minutes on a hostile file), so a watchdog *thread* in the reader
cannot run; only the kernel can stop it. The chain is therefore:

* the fork server (idle in ``select``, so a thread can run there) polls its parent and exits when the program
  that started it is gone (``exit_with_parent``); a poll is used rather than Linux's parent-death signal
  because that signal follows the parent *thread*, and the app starts the server from a pooled job thread
  that may end long before the app does;
* each reader asks the kernel for SIGKILL when its parent, the fork server, dies (``die_with_parent``);
* multiprocessing's resource tracker exits by itself once every process holding its pipe is gone.

Where the parent-death signal does not exist (macOS, Windows: readers are spawned there) a reader falls back
to the polling thread, which covers every case but a reader stuck inside MuPDF.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
POLL_S = 0.5


def die_with_parent() -> None:
    """Have the kernel kill this process when its parent dies (Linux); elsewhere, poll for it."""
    parent = os.getppid()
    if sys.platform.startswith("linux") and _prctl_pdeathsig(signal.SIGKILL):
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(1)
        return
    exit_with_parent()


def exit_with_parent() -> None:
    """Start a daemon thread that ends this process as soon as its parent is gone (it was re-parented)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(POLL_S)
        os._exit(0)

    threading.Thread(target=watch, name="litreview-parent-watch", daemon=True).start()


def _prctl_pdeathsig(sig: int) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False
