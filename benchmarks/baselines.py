"""TF-IDF + logistic-regression baselines on the real datasets, through the real CLI.

For each dataset: ``emotune baseline`` trains on train and calibrates thresholds on dev (timed, wall clock),
then the dev scores are reported three ways:

- ``calibrated``: thresholds tuned on dev and scored on the same dev rows (what ``emotune baseline`` prints;
  optimistic, because the thresholds saw the rows they are scored on);
- ``at 0.5``: one fixed threshold, nothing tuned on dev;
- ``2-fold dev``: thresholds tuned on one half of dev and scored on the other, both ways, averaged: an honest
  estimate of what the calibrated thresholds give on unseen data.

Multiclass datasets use argmax, so the three agree there.

    python benchmarks/baselines.py [--data-root ../shared/data] [--only semeval2018-ec]

Writes ``benchmarks/results/baselines.json`` and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from common import DATA_ROOT, machine, run_cli, score_run, write_report

# (preset, folder under the data root, extra key=value overrides)
RUNS: list[tuple[str, str, list[str]]] = [
    ("semeval2018-ec", "semeval2018_ec", []),
    ("semeval2018-ec", "semeval2018_ec", ["thresholds.objective=jaccard"]),
    ("goemotions", "goemotions", []),
    ("goemotions-ekman", "goemotions", []),
    ("dair-emotion", "dair_emotion", []),
    ("dailydialog", "dailydialog", []),
]


def run_one(preset: str, data_dir: Path, overrides: list[str], out_root: Path) -> dict[str, object]:
    run_dir = out_root / "-".join([preset, *(o.split("=")[1] for o in overrides)])
    args = ["baseline", "--preset", preset, "--data-dir", str(data_dir), "--output", str(run_dir), *overrides]
    wall = run_cli(args)
    scores = score_run(run_dir, preset, data_dir)
    return {"preset": " ".join([preset, *overrides]), "wall_seconds": round(wall, 1), **scores,
            "command": "emotune " + " ".join(args)}  # fmt: skip


def _row(result: dict[str, object]) -> str:
    cal, half, fold = (result[k] for k in ("dev_calibrated", "dev_at_0.5", "dev_two_fold"))
    assert isinstance(cal, dict) and isinstance(half, dict) and isinstance(fold, dict)
    extra = (f"jaccard {cal['jaccard']:.3f} / {half['jaccard']:.3f} / {fold['jaccard']:.3f}"
             if "jaccard" in cal else f"balanced acc {cal['balanced_accuracy']:.3f}"
             + (f", micro-F1 w/o neutral {cal['micro_f1_without_neutral']:.3f}"
                if "micro_f1_without_neutral" in cal else ""))  # fmt: skip
    return (f"| {result['preset']} | {result['labels']} {result['task']} | {cal['macro_f1']:.3f} | "
            f"{half['macro_f1']:.3f} | {fold['macro_f1']:.3f} | {extra} | {result['wall_seconds']} s |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-root", default=str(DATA_ROOT))
    parser.add_argument("--only", nargs="*", choices=sorted({preset for preset, _, _ in RUNS}))
    parser.add_argument("--runs", default="runs/bench-baselines")
    args = parser.parse_args()

    results = []
    for preset, folder, overrides in RUNS:
        data_dir = Path(args.data_root) / folder
        if args.only and preset not in args.only:
            continue
        if not data_dir.is_dir():
            print(f"skip {preset}: {data_dir} not found", file=sys.stderr)
            continue
        print(f"running {preset} {' '.join(overrides)} ...", file=sys.stderr)
        results.append(run_one(preset, data_dir, overrides, Path(args.runs)))

    report = {"date": datetime.now(UTC).strftime("%Y-%m-%d"), "machine": machine(), "results": results}
    write_report("baselines.json", report)
    print(f"{report['date']}, {report['machine']}")
    print("| preset | labels | dev macro-F1 calibrated | at 0.5 | 2-fold dev | calibrated / at 0.5 / 2-fold | wall |")
    print("|---|---|---|---|---|---|---|")
    for result in results:
        print(_row(result))


if __name__ == "__main__":
    main()
