"""How far can next-turn forecasting on DailyDialog validation go? Two reference points, no training.

    python benchmarks/dialogue_ceiling.py      # after benchmarks/dialogue.py (reads its run folders); ~1 min

1. *Persistence oracle*: forecast the next turn's emotion as the current turn's **gold** emotion. A model
   that only reads the current emotion perfectly can do no better than this.
2. *Per-class offsets*: ``argmax(log p + b)`` with one offset per class, fit by coordinate ascent on the
   validation probabilities of a finished run, for macro-F1, for balanced accuracy, or for their mean.
   Tuned on the scored file itself, so optimistic; the held-out column fits on one half of validation and
   scores the other (both ways, averaged), which is what a user would see on new data.

Writes the ``ceiling`` entry of ``benchmarks/results/dialogue.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from common import add_result

from emotune.config import RunConfig, read_yaml
from emotune.data.dialogue import dialogue_view, turn_order
from emotune.data.loading import load_splits
from emotune.evaluation.metrics import compute_metrics
from emotune.evaluation.score import halves

RUNS = ("next-k2", "tfidf-next-k1", "tfidf-next-k2")
GRID = np.linspace(-4, 4, 81)
OBJECTIVES = {"macro_f1": lambda m: m["macro_f1"], "balanced_accuracy": lambda m: m["balanced_accuracy"],
              "mean_of_both": lambda m: (m["macro_f1"] + m["balanced_accuracy"]) / 2}  # fmt: skip


def _scores(y: np.ndarray, pred_ids: np.ndarray) -> dict[str, float]:
    """Macro-F1 and balanced accuracy from the confusion matrix (fast: called ~10^5 times)."""
    k = y.shape[1]
    cm = np.bincount(y.argmax(1) * k + pred_ids, minlength=k * k).reshape(k, k)
    tp, gold, predicted = np.diag(cm), cm.sum(1), cm.sum(0)
    f1 = np.divide(2 * tp, gold + predicted, out=np.zeros(k), where=(gold + predicted) > 0)
    recall = tp[gold > 0] / gold[gold > 0]
    return {"macro_f1": float(f1.mean()), "balanced_accuracy": float(recall.mean())}


def _check_against_emotune(y: np.ndarray, pred_ids: np.ndarray) -> None:
    reference = compute_metrics(y, np.eye(y.shape[1], dtype=np.int8)[pred_ids], SCHEMA)
    for key, value in _scores(y, pred_ids).items():
        assert abs(reference[key] - value) < 1e-9, (key, reference[key], value)


def fit_offsets(logp: np.ndarray, y: np.ndarray, objective: str) -> np.ndarray:
    """Per-class offsets by coordinate ascent over GRID (3 sweeps)."""
    b = np.zeros(logp.shape[1])
    for _ in range(3):
        for j in range(len(b)):
            values = []
            for g in GRID:
                trial = b.copy()
                trial[j] = g
                values.append(OBJECTIVES[objective](_scores(y, (logp + trial).argmax(1))))
            b[j] = GRID[int(np.argmax(values))]
    return b


def main() -> None:
    global SCHEMA
    root = Path("runs/bench-dialogue")
    cfg = RunConfig.model_validate(read_yaml(root / RUNS[0] / "config.yaml"))
    _, validation, _ = load_splits(cfg.data, cfg.train.seed)
    SCHEMA = validation.schema
    pairs = [(order[i], order[i + 1]) for order in turn_order(validation) for i in range(len(order) - 1)]
    current, following = (np.array(side) for side in zip(*pairs, strict=True))
    oracle = _scores(validation.y[following], validation.y[current].argmax(1))
    result: dict = {"validation_rows": len(pairs), "persistence_oracle": oracle, "offsets": {}}
    for run in RUNS:
        frame = pd.read_csv(root / run / "dev_probabilities.csv", keep_default_na=False)
        logp = np.log(frame.drop(columns="text").to_numpy(dtype=float) + 1e-12)
        view = dialogue_view(validation, RunConfig.model_validate(read_yaml(root / run / "config.yaml")).dialogue)
        assert list(frame["text"]) == list(view.texts)
        y = view.y
        _check_against_emotune(y, logp.argmax(1))
        entry: dict = {"argmax": _scores(y, logp.argmax(1))}
        for objective in OBJECTIVES:
            b = fit_offsets(logp, y, objective)
            held = []
            for fit_idx, score_idx in halves(view.y, view.schema, view.groups):
                held.append(
                    _scores(
                        y[score_idx], (logp[score_idx] + fit_offsets(logp[fit_idx], y[fit_idx], objective)).argmax(1)
                    )
                )
            tuned = _scores(y, (logp + b).argmax(1))
            held_out = {k: float(np.mean([h[k] for h in held])) for k in held[0]}
            entry[objective] = {
                "tuned_on_validation": tuned,
                "offsets": b.round(2).tolist(),
                "held_out_2_fold": held_out,
            }
        result["offsets"][run] = entry
        print(run, json.dumps(entry, indent=1)[:1500])
    print("persistence oracle", oracle)
    add_result("dialogue.json", "ceiling", result)


if __name__ == "__main__":
    main()
