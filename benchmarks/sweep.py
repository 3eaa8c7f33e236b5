"""A short Optuna sweep end to end from the CLI, then its best config re-trained from the exported YAML.

    python benchmarks/sweep.py            # about 20 minutes on 2 cores

MiniLM on the first 1,500 rows of SemEval-2018 E-c train (2 epochs, max length 64: a tiny budget per
trial), scored on the official dev set (the sweep tunes on dev; nothing here touches a test set).
8 trials of ``configs/sweeps/minilm_tiny_budget.yaml`` (lr, batch size, warmup, pos_weight), TPE with a
fixed seed, median pruning after 2 startup trials. Then ``emotune train --config RUN/best.yaml``.
Writes ``benchmarks/results/sweep.json`` with every trial, the pruning lines of the sweep log, and the
re-trained score next to the best trial's.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd
from common import DATA_ROOT, add_result, run_cli

SEMEVAL = DATA_ROOT / "semeval2018_ec"
ROWS = 1500
SETTINGS = ["trials=8", "epochs=2", "max_length=64", "sweep.seed=0", "train.early_stopping=null"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", default="runs/bench-sweep")
    args = parser.parse_args()
    root = Path(args.runs)
    root.mkdir(parents=True, exist_ok=True)
    subset = root / f"train-first-{ROWS}.txt"
    lines = (SEMEVAL / "2018-E-c-En-train.txt").read_text(encoding="utf-8").splitlines(keepends=True)
    subset.write_text("".join(lines[: ROWS + 1]), encoding="utf-8")  # header + ROWS rows

    sweep_dir, best_dir = root / "sweep", root / "best"
    sweep_args = ["sweep", "--config", "configs/minilm_semeval.yaml", "--train", str(subset), "--dev",
                  str(SEMEVAL / "2018-E-c-En-dev.txt"), "--output", str(sweep_dir), "--space",
                  "configs/sweeps/minilm_tiny_budget.yaml", *SETTINGS]  # fmt: skip
    sweep_wall = run_cli(sweep_args)
    summary = json.loads((sweep_dir / "sweep.json").read_text())
    trials = pd.read_csv(sweep_dir / "trials.csv")
    log_lines = (sweep_dir / "sweep.log").read_text().splitlines()
    pruned_lines = [line.split(" ", 3)[-1] for line in log_lines if "pruned" in line]

    train_args = ["train", "--config", str(sweep_dir / "best.yaml"), "--output", str(best_dir)]
    train_wall = run_cli(train_args)
    retrained = json.loads((best_dir / "metrics.json").read_text())["dev"]
    params = [k for k in trials.columns if k.startswith("params_")]
    rows = [{"number": int(r["number"]), "state": r["state"], "value": None if pd.isna(r["value"]) else r["value"],
             **{k.removeprefix("params_"): r[k] for k in params}} for _, r in trials.iterrows()]  # fmt: skip
    result = {
        "sweep_wall_seconds": round(sweep_wall, 1),
        "summary": summary,
        "trials": rows,
        "pruning_log": pruned_lines,
        "retrained_dev_macro_f1": retrained["macro_f1"],
        "retrain_wall_seconds": round(train_wall, 1),
        "commands": ["emotune " + " ".join(sweep_args), "emotune " + " ".join(train_args)],
    }
    report = add_result("sweep.json", "semeval-minilm-8-trials", result)
    print(json.dumps(report["results"]["semeval-minilm-8-trials"], indent=2, default=str)[:3000])


if __name__ == "__main__":
    main()
