"""Decision rules held out: threshold strategies and objectives (multilabel), decision offsets (single-label).

For a finished ``emotune train`` run, the bundle's dev probabilities are recomputed (a dev split off train
is read back from ``RUN/dev_probabilities.csv``) and every decision rule is fitted on one half of dev and
scored on the other half, both ways, averaged (the same stratified halves for every rule;
:func:`emotune.evaluation.score.two_fold`). Nothing is retrained, so every rule sees the same model.
``thresholds.min_labels`` 1 and ``auto`` are scored beside each tuned multilabel rule. Results:
``benchmarks/results/decisions.json``.

    python benchmarks/decisions.py RUN [RUN ...] [--objectives macro_f1+jaccard]  # RUN: runs/bench-quality/NAME
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from common import add_result  # noqa: E402

from emotune import EmotionClassifier, ThresholdCalibrator  # noqa: E402
from emotune.data.dialogue import dialogue_view  # noqa: E402
from emotune.data.loading import load_like  # noqa: E402
from emotune.data.presets import find_split_file, get_preset  # noqa: E402
from emotune.evaluation.score import two_fold  # noqa: E402

MULTILABEL_RULES: list[tuple[str, str, int | str]] = [
    (strategy, objective, min_labels)
    for min_labels in (0, 1, "auto")  # thresholds.min_labels: 1 gives every text a label; auto: 0 or 1, fitted
    for objective in ("macro_f1", "jaccard", "macro_f1+jaccard")
    for strategy in ("fixed", "global", "per_label", "bootstrap", "shrunk")
    if not (min_labels and strategy in ("fixed", "bootstrap"))  # bootstrap x coordinate ascent: minutes on 28 labels
]
SINGLE_LABEL_RULES = ["argmax", "accuracy", "balanced_accuracy", "macro_f1", "micro_f1_without_neutral"]
REPORTED = ("macro_f1", "jaccard", "micro_f1", "balanced_accuracy", "accuracy", "micro_f1_without_neutral")


def _dev_file(clf: EmotionClassifier) -> Any:
    """``--dev FILE`` or the preset's dev file in ``--data-dir``; ``None`` when dev was split off train."""
    data = clf.config.data
    return data.dev or find_split_file(get_preset(data.preset), str(data.data_dir), "dev")


def _dev(clf: EmotionClassifier, dev_file: Any = None) -> Any:
    """The dev rows the run was selected and calibrated on (``dev_file``, default :func:`_dev_file`), as the
    model sees them (dialogue bundles: one row per scored turn)."""
    data = clf.config.data
    dev_file = dev_file or _dev_file(clf)
    if dev_file is None:
        raise SystemExit(f"{data.data_dir}: no dev file; these rules are compared on a dev file")
    return dialogue_view(load_like(data.preset, str(dev_file), data, clf.schema), clf.config.dialogue)


def _dev_probabilities(run: Path, clf: EmotionClassifier) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Gold indicators, probabilities and groups (dialogue ids, kept in one half) of the run's dev rows:
    recomputed on its dev file, or, for a dev split off train (no dev file), read back from
    ``RUN/dev_probabilities.csv``."""
    dev_file = _dev_file(clf)
    if dev_file is not None:
        dev = _dev(clf, dev_file)
        return dev.y, clf.predict_proba(dev.texts), dev.groups
    saved = pd.read_csv(run / "dev_probabilities.csv")
    names = clf.label_names
    y = saved[[f"true_{n}" for n in names]].to_numpy(int)
    return y, saved[[f"prob_{n}" for n in names]].to_numpy(float), None


def evaluate_run(run: Path, objectives: list[str] | None = None) -> dict[str, Any]:
    clf = EmotionClassifier.load(run / "model")
    y, probs, groups = _dev_probabilities(run, clf)
    return {"run": str(run), **evaluate_probabilities(clf, y, probs, groups, objectives)}


def evaluate_probabilities(clf: EmotionClassifier, y: np.ndarray, probs: np.ndarray, groups: np.ndarray | None,
                           objectives: list[str] | None = None) -> dict[str, Any]:  # fmt: skip
    """Every decision rule (``clf``'s settings but the rule) held out on dev probabilities ``probs``."""
    default = clf.config.thresholds
    rows = []
    started = time.perf_counter()
    if clf.task == "multilabel":
        for strategy, objective, min_labels in MULTILABEL_RULES:
            if objectives and objective not in objectives:
                continue
            cal = ThresholdCalibrator(strategy, objective, default.default, min_labels=min_labels)
            held = two_fold(y, probs, cal, clf.schema, groups)
            rule = {"strategy": strategy, "objective": objective, "min_labels": min_labels}
            rows.append(rule | {k: held[k] for k in REPORTED if k in held})
    else:
        for decision in SINGLE_LABEL_RULES:
            if decision == "micro_f1_without_neutral" and clf.schema.neutral is None:
                continue
            cal = ThresholdCalibrator(default.strategy, default.objective, default.default, decision)
            held = two_fold(y, probs, cal, clf.schema, groups)
            rows.append({"decision": decision, **{k: held[k] for k in REPORTED if k in held}})
    return {"dev_rows": len(y), "task": clf.task, "rules": rows,
            "seconds": round(time.perf_counter() - started, 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--objectives", nargs="+", help="multilabel: only the rules for these objectives")
    args = parser.parse_args()
    for run in args.runs:
        result = evaluate_run(run, args.objectives)
        add_result("decisions.json", run.name, result)
        keys = [k for k in REPORTED if k in result["rules"][0]]
        print(f"\n{run} ({result['dev_rows']} dev rows, held out: 2-fold dev)")
        print("| rule | " + " | ".join(keys) + " |")
        print("|---|" + "---|" * len(keys))
        for row in result["rules"]:
            rule = row.get("decision") or f"{row['strategy']} / {row['objective']}" + (
                f" / min_labels {row['min_labels']}" if row.get("min_labels") else ""
            )
            print(f"| {rule} | " + " | ".join(f"{row[k]:.3f}" for k in keys) + " |")


if __name__ == "__main__":
    main()
