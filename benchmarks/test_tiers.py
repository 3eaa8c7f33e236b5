"""Wall time of each test tier, for the README's table (issue 36: a fast tier beside the full suite).

    python benchmarks/test_tiers.py [--only fast full]

``fast`` is ``pytest -q -m fast`` (what ``make test-fast`` runs after its setup check), ``full`` plain
``pytest -q`` (the selection ``make test`` runs after lint). Each tier runs once in a fresh process; the result
records its wall time, pytest's own summary line and the machine's cores. Run it on an idle machine.

Results: ``benchmarks/results/test_tiers.json``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import add_result  # noqa: E402

TIERS = {"fast": ["-m", "fast"], "full": []}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", choices=sorted(TIERS), default=sorted(TIERS))
    args = parser.parse_args()
    for name in args.only:
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *TIERS[name]]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=HERE.parent, capture_output=True, text=True)
        wall = round(time.perf_counter() - started, 1)
        summary = (done.stdout.strip().splitlines() or [""])[-1]
        print(f"{name}: {wall} s, {summary}", flush=True)
        add_result("test_tiers.json", name, {
            "command": " ".join(["pytest", "-q", *TIERS[name]]),
            "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "cores": len(os.sched_getaffinity(0)),
            "wall_seconds": wall,
            "exit_code": done.returncode,
            "pytest_summary": summary,
        })  # fmt: skip


if __name__ == "__main__":
    main()
