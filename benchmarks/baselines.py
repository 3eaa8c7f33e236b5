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
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from emotune import EmotionClassifier, ThresholdCalibrator, compute_metrics, kfold
from emotune.config import DataConfig
from emotune.data.loading import load_like
from emotune.data.presets import find_split_file, get_preset

HERE = Path(__file__).resolve().parent
# (preset, folder under the data root, extra key=value overrides)
RUNS: list[tuple[str, str, list[str]]] = [
    ("semeval2018-ec", "semeval2018_ec", []),
    ("semeval2018-ec", "semeval2018_ec", ["thresholds.objective=jaccard"]),
    ("goemotions", "goemotions", []),
    ("goemotions-ekman", "goemotions", []),
    ("dair-emotion", "dair_emotion", []),
    ("dailydialog", "dailydialog", []),
]


def _two_fold_dev(clf: EmotionClassifier, probs: np.ndarray, dev_y: np.ndarray, dev: object) -> dict[str, float]:
    """Macro-F1 / Jaccard with thresholds fit on one half of dev and scored on the other, averaged."""
    thresholds = clf.config.thresholds
    scores: list[dict[str, float]] = []
    for fit_idx, score_idx in kfold(dev, k=2, seed=0):  # type: ignore[arg-type]
        cal = ThresholdCalibrator(thresholds.strategy, thresholds.objective, thresholds.default)
        cal.fit(probs[fit_idx], dev_y[fit_idx], clf.schema_)
        scores.append(compute_metrics(dev_y[score_idx], cal.predict(probs[score_idx]), clf.schema_))
    return {k: float(np.mean([s[k] for s in scores])) for k in scores[0]}


def run_one(preset: str, data_dir: Path, overrides: list[str], out_root: Path) -> dict[str, object]:
    run_dir = out_root / "-".join([preset, *(o.split("=")[1] for o in overrides)])
    command = [sys.executable, "-m", "emotune", "-q", "baseline", "--preset", preset,
               "--data-dir", str(data_dir), "--output", str(run_dir), *overrides]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    metrics = json.loads((run_dir / "metrics.json").read_text())

    clf = EmotionClassifier.load(run_dir / "model")
    dev_path = find_split_file(get_preset(preset), data_dir, "dev")
    dev = load_like(preset, str(dev_path), DataConfig(preset=preset), clf.schema_)
    probs = clf.predict_proba(dev.texts)
    return {
        "preset": " ".join([preset, *overrides]),
        "task": clf.schema_.task,
        "labels": clf.schema_.n_labels,
        "train_rows": metrics["train_rows"],
        "dev_rows": metrics["dev_rows"],
        "wall_seconds": round(wall, 1),
        "fit_seconds": metrics["train_seconds"],
        "dev_calibrated": metrics["dev"],
        "dev_at_0.5": metrics["dev_at_default_threshold"],
        "dev_two_fold": _two_fold_dev(clf, probs, dev.y, dev),
        "command": "emotune " + " ".join(command[4:]),
    }


def _row(result: dict[str, object]) -> str:
    cal, half, fold = (result[k] for k in ("dev_calibrated", "dev_at_0.5", "dev_two_fold"))
    assert isinstance(cal, dict) and isinstance(half, dict) and isinstance(fold, dict)
    extra = (f"jaccard {cal['jaccard']:.3f} / {half['jaccard']:.3f} / {fold['jaccard']:.3f}"
             if "jaccard" in cal else f"balanced acc {cal['balanced_accuracy']:.3f}"
             + (f", micro-F1 w/o neutral {cal['micro_f1_without_neutral']:.3f}"
                if "micro_f1_without_neutral" in cal else ""))  # fmt: skip
    return (f"| {result['preset']} | {result['labels']} {result['task']} | {cal['macro_f1']:.3f} | "
            f"{half['macro_f1']:.3f} | {fold['macro_f1']:.3f} | {extra} | {result['wall_seconds']} s |")  # fmt: skip


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    model = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), platform.machine())
    return f"{model}, {len(os.sched_getaffinity(0))} cores, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-root", default=str(HERE.parent.parent / "shared" / "data"))
    parser.add_argument("--only", nargs="*", choices=sorted({preset for preset, _, _ in RUNS}))
    parser.add_argument("--runs", default=str(HERE.parent / "runs" / "bench-baselines"))
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
    out = HERE / "results" / "baselines.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"{report['date']}, {report['machine']}")
    print("| preset | labels | dev macro-F1 calibrated | at 0.5 | 2-fold dev | calibrated / at 0.5 / 2-fold | wall |")
    print("|---|---|---|---|---|---|---|")
    for result in results:
        print(_row(result))


if __name__ == "__main__":
    main()
