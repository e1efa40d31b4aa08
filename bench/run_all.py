"""Run every bench in its quick mode, one after another, and say which failed.

Each bench prints its own figures and its ratio against a baseline measured in the same run; this only
sequences them (they share 2 cores, so running them side by side would spoil each other's timings).
Full runs: call a bench without --quick (see README "Benchmarks").
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHES = ["metadata_eval", "import_bench", "search_bench", "llm_bench", "screening_bench",
           "claims_bench", "hierarchy_bench", "export_bench", "ui_bench"]


def main() -> int:
    here = Path(__file__).resolve().parent
    failed = []
    for name in BENCHES:
        print(f"\n=== bench/{name}.py --quick", flush=True)
        if subprocess.call([sys.executable, str(here / f"{name}.py"), "--quick"]) != 0:
            failed.append(name)
    print("\nfailed: " + (", ".join(failed) if failed else "none"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
