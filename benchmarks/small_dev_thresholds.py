"""Thresholds that never lose to plain 0.5 on a small dev set (issue 35 item 4).

Per-label thresholds tuned on a small dev set can score below plain 0.5 thresholds on new rows. The
``auto`` strategy (:mod:`emotune.decisions.thresholds`) fits ``fixed`` (0.5), ``global``, ``shrunk`` and
``per_label`` on one half of the fitting rows, scores each on the other half (both ways) and keeps the best,
``fixed`` on ties or below 40 rows. This script measures every rule on the saved dev probabilities of finished
runs (``RUN/dev_probabilities.csv``; nothing is retrained):

- **small dev**: ``--draws`` random draws of 100, 200 and 400 dev rows; each rule is fitted on the draw and
  scored on the rest of dev. Reported: the mean and the 10th percentile of macro-F1 and Jaccard over the draws,
  and how often the rule lost to ``fixed`` on the same draw.
- **full dev**: each rule fitted on one half of dev and scored on the other, both ways (the split of the
  toolkit's ``dev_two_fold`` estimate).

The objective is the config default (``thresholds.objective``, ``macro_f1+jaccard``). Results:
``benchmarks/results/small_dev_thresholds.json``.

    python benchmarks/small_dev_thresholds.py RUN [RUN ...] [--draws 30] [--sizes 100 200 400]
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

from emotune.config import ThresholdConfig  # noqa: E402
from emotune.data.labels import LabelSchema  # noqa: E402
from emotune.decisions.scores import jaccard, macro_f1  # noqa: E402
from emotune.decisions.thresholds import ThresholdCalibrator, halves  # noqa: E402

RULES = ("fixed", "global", "shrunk", "per_label", "auto")
OBJECTIVE = ThresholdConfig().objective


def read_dev(run: Path) -> tuple[LabelSchema, np.ndarray, np.ndarray]:
    """The label schema, gold indicators ``(n, n_labels)`` and probabilities of a run's dev rows."""
    saved = pd.read_csv(run / "dev_probabilities.csv")
    names = tuple(c.removeprefix("prob_") for c in saved.columns if c.startswith("prob_"))
    y = saved[[f"true_{n}" for n in names]].to_numpy(int)
    return LabelSchema(names, "multilabel"), y, saved[[f"prob_{n}" for n in names]].to_numpy(float)


def scored(rule: str, schema: LabelSchema, fit: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray],
           ) -> tuple[float, float, str]:  # fmt: skip
    """``(macro-F1, Jaccard, strategy used)`` of ``rule`` fitted on ``fit`` and scored on ``test``."""
    cal = ThresholdCalibrator(rule, OBJECTIVE).fit(fit[0], fit[1], schema)
    pred, y = cal.predict(test[0]).astype(bool), test[1].astype(bool)
    return macro_f1(pred, y), jaccard(pred, y), cal.chosen_


def _r(value: float) -> float:
    return round(float(value), 4)


def small_dev(schema: LabelSchema, y: np.ndarray, probs: np.ndarray, size: int, draws: int) -> dict[str, Any]:
    rng = np.random.default_rng(size)
    rows: dict[str, list[tuple[float, float, str]]] = {rule: [] for rule in RULES}
    for _ in range(draws):
        picked = np.zeros(len(y), dtype=bool)
        picked[rng.choice(len(y), size, replace=False)] = True
        for rule in RULES:
            rows[rule].append(scored(rule, schema, (probs[picked], y[picked]), (probs[~picked], y[~picked])))
    fixed = np.array([r[0] for r in rows["fixed"]])
    out: dict[str, Any] = {}
    for rule, results in rows.items():
        f1, jac = np.array([r[0] for r in results]), np.array([r[1] for r in results])
        out[rule] = {"macro_f1_mean": _r(f1.mean()), "macro_f1_p10": _r(np.percentile(f1, 10)),
                     "jaccard_mean": _r(jac.mean()), "jaccard_p10": _r(np.percentile(jac, 10)),
                     "lost_to_fixed": int((f1 < fixed - 1e-9).sum())}  # fmt: skip
        if rule == "auto":
            out[rule]["chose"] = {s: sum(r[2] == s for r in results) for s in RULES[:-1]}
    return out


def full_dev(schema: LabelSchema, y: np.ndarray, probs: np.ndarray) -> dict[str, Any]:
    out = {}
    for rule in RULES:
        results = [scored(rule, schema, (probs[a], y[a]), (probs[b], y[b])) for a, b in halves(y, schema)]
        out[rule] = {"macro_f1": round(float(np.mean([r[0] for r in results])), 4),
                     "jaccard": round(float(np.mean([r[1] for r in results])), 4),
                     "chose": [r[2] for r in results]}  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--draws", type=int, default=30)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 200, 400])
    args = parser.parse_args()
    for run in args.runs:
        started = time.perf_counter()
        schema, y, probs = read_dev(run)
        result: dict[str, Any] = {"dev_rows": len(y), "objective": OBJECTIVE, "draws": args.draws}
        result["full_dev_two_fold"] = full_dev(schema, y, probs)
        for size in args.sizes:
            result[f"dev_{size}"] = small_dev(schema, y, probs, size, args.draws)
        result["wall_seconds"] = round(time.perf_counter() - started, 1)
        add_result("small_dev_thresholds.json", run.name, result)
        print(f"== {run.name} ({len(y)} dev rows, {result['wall_seconds']} s)")
        print("| rule | full dev (2-fold) | " + " | ".join(f"{n} rows: mean / p10 / lost" for n in args.sizes) + " |")
        for rule in RULES:
            cells = [f"{result[f'dev_{n}'][rule]['macro_f1_mean']:.3f} / {result[f'dev_{n}'][rule]['macro_f1_p10']:.3f}"
                     f" / {result[f'dev_{n}'][rule]['lost_to_fixed']}" for n in args.sizes]  # fmt: skip
            print(f"| {rule} | {result['full_dev_two_fold'][rule]['macro_f1']:.3f} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
