"""What a real decoder adds as a blend member on SemEval-2018 E-c (issue 35 item 3).

    python benchmarks/decoder_blend.py --decoder RUN/model --others BUNDLE [BUNDLE ...] [--runs runs/bench-blend]

Two blends, each ``emotune blend --models ... --data DEV``: the ``--others`` alone, and the ``--others`` with the
decoder bundle. Weights and thresholds are tuned on dev, so the number to compare is the blend's held-out
estimate (``two_fold``: weights and thresholds chosen on one half of dev, scored on the other, both ways), beside
each member's own held-out score. Results: ``benchmarks/results/decoder_blend.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import DATA_ROOT, add_result, run_cli  # noqa: E402

KEPT = ("macro_f1", "jaccard", "micro_f1")
DEV = DATA_ROOT / "semeval2018_ec" / "2018-E-c-En-dev.txt"


def _kept(scores: dict[str, Any]) -> dict[str, float]:
    return {k: round(scores[k], 4) for k in KEPT if k in scores}


def blend(name: str, members: list[str], runs: Path) -> dict[str, Any]:
    out = runs / name
    args = ["blend", "--models", *members, "--data", str(DEV), "--output", str(out)]
    started = time.perf_counter()
    shutil.rmtree(out, ignore_errors=True)  # a blend's output is a bundle folder, replaced whole
    run_cli(args)
    metrics = json.loads((out / "emotune.json").read_text())["metrics"]
    return {
        "command": "emotune " + " ".join(args),
        "measured": time.strftime("%Y-%m-%d"),
        "wall_seconds": round(time.perf_counter() - started, 1),
        "weights": metrics["weights"],
        "blend_two_fold": _kept(metrics["two_fold"]),
        "members_two_fold": {m["bundle"]: _kept(m["two_fold"]) for m in metrics["members"]},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--decoder", required=True, help="the decoder's bundle (e.g. Gemma in generative mode)")
    parser.add_argument("--others", nargs="+", required=True, help="the bundles it joins")
    parser.add_argument("--runs", type=Path, default=Path("runs/bench-blend"))
    parser.add_argument("--tag", default="gemma-generative")
    args = parser.parse_args()
    without = blend(f"without-{args.tag}", args.others, args.runs)
    print("without", without["blend_two_fold"], flush=True)
    with_decoder = blend(f"with-{args.tag}", [*args.others, args.decoder], args.runs)
    print("with", with_decoder["blend_two_fold"], with_decoder["weights"], flush=True)
    add_result("decoder_blend.json", args.tag, {"without": without, "with": with_decoder})


if __name__ == "__main__":
    main()
