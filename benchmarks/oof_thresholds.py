"""Thresholds of a single model fitted on out-of-fold train probabilities instead of (or beside) half of dev.

Issue 12 item 4: dev has 886 SemEval rows, so per-label thresholds tuned on half of it are noisy. An
``emotune cv`` run gives out-of-fold probabilities for every train row (6,838 on SemEval). For each finished
single-model run, every rule below is scored on the same two halves of dev as the toolkit's held-out estimate
(:func:`emotune.evaluation.score.halves`), averaged:

- ``dev half``: thresholds fitted on the other half of dev (the toolkit's ``dev_two_fold``);
- ``oof``: thresholds fitted on the cv run's out-of-fold probabilities only (nothing tuned on dev);
- ``oof + dev half``: fitted on both, pooled.

First, for the first run only, a learning curve of the thresholds: ``per_label / macro_f1`` fitted on random
10, 20, 40 and 80 % of dev and scored on another random 20 % (40 draws each), to see whether more fitting rows
help at all.

The out-of-fold probabilities come from the fold models (each trained on (k-1)/k of train), applied to a model
trained on all of train: the point is whether their larger sample outweighs that mismatch. Results:
``benchmarks/results/oof_thresholds.json``.

    python benchmarks/oof_thresholds.py --cv runs/q/semeval-cv3 RUN [RUN ...]
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
from common import add_result  # noqa: E402

from decisions import _dev_probabilities  # noqa: E402
from emotune import EmotionClassifier, ThresholdCalibrator  # noqa: E402
from emotune.data.labels import LabelSchema  # noqa: E402
from emotune.evaluation.metrics import compute_metrics  # noqa: E402
from emotune.evaluation.score import halves  # noqa: E402
from emotune.runs.folder import read_oof  # noqa: E402

RULES = [("per_label", "macro_f1+jaccard"), ("shrunk", "macro_f1+jaccard"), ("per_label", "macro_f1")]
SOURCES = ("dev half", "oof", "oof + dev half")
REPORTED = ("macro_f1", "jaccard", "micro_f1")


Dev = tuple[LabelSchema, np.ndarray, np.ndarray, "np.ndarray | None"]


def dev_of(run: Path) -> Dev:
    """The schema, gold indicators, probabilities and groups of a run's dev rows (computed once per run)."""
    clf = EmotionClassifier.load(run / "model")
    return (clf.schema, *_dev_probabilities(run, clf))


def threshold_curve(dev: Dev, fractions: tuple[float, ...] = (0.1, 0.2, 0.4, 0.8), draws: int = 40) -> list[dict]:
    """Held-out macro-F1 / Jaccard of per-label thresholds fitted on growing random parts of dev."""
    schema, y, probs, _ = dev
    rng, points = np.random.default_rng(0), []
    for fraction in fractions:
        scores = []
        for _ in range(draws):
            order = rng.permutation(len(y))
            score_idx, fit_idx = order[: len(y) // 5], order[len(y) // 5 :][: int(fraction * len(y))]
            cal = ThresholdCalibrator("per_label", "macro_f1").fit(probs[fit_idx], y[fit_idx], schema)
            scores.append(compute_metrics(y[score_idx], cal.predict(probs[score_idx]), schema))
        mean = {k: round(float(np.mean([s[k] for s in scores])), 4) for k in ("macro_f1", "jaccard")}
        points.append({"fit_rows": int(fraction * len(y)), **mean})
    return points


def evaluate(run: Path, dev: Dev, oof_y: np.ndarray, oof_p: np.ndarray) -> dict[str, Any]:
    schema, y, probs, groups = dev
    rows = []
    for strategy, objective in RULES:
        for source in SOURCES:
            scores = []
            for fit_idx, score_idx in halves(y, schema, groups):
                parts = [(oof_p, oof_y)] if "oof" in source else []
                parts += [(probs[fit_idx], y[fit_idx])] if "dev half" in source else []
                fit_p, fit_y = np.vstack([p for p, _ in parts]), np.vstack([t for _, t in parts])
                cal = ThresholdCalibrator(strategy, objective).fit(fit_p, fit_y, schema)
                scores.append(compute_metrics(y[score_idx], cal.predict(probs[score_idx]), schema))
            mean = {k: round(float(np.mean([s[k] for s in scores])), 4) for k in REPORTED}
            rows.append({"strategy": strategy, "objective": objective, "fitted_on": source, **mean})
    return {"run": str(run), "dev_rows": len(y), "rules": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cv", type=Path, required=True, help="an emotune cv run (its oof_probabilities.csv)")
    parser.add_argument("runs", nargs="+", type=Path, help="single-model emotune train runs on the same data")
    args = parser.parse_args()
    started = time.perf_counter()
    devs = {run: dev_of(run) for run in args.runs}
    _, _, oof_y, oof_p = read_oof(args.cv / "oof_probabilities.csv", devs[args.runs[0]][0])
    curve = threshold_curve(devs[args.runs[0]])
    print(f"{args.runs[0].name}, per_label / macro_f1 fitted on part of dev, scored on another 20 %:")
    for point in curve:
        print(f"  {point['fit_rows']} fitting rows: macro-F1 {point['macro_f1']:.3f}, Jaccard {point['jaccard']:.3f}")
    results = [evaluate(run, dev, oof_y, oof_p) for run, dev in devs.items()]
    header = [f"{strategy} / {objective}: {source}" for strategy, objective in RULES for source in SOURCES]
    print(f"{len(oof_y)} out-of-fold rows from {args.cv}; held out: the two halves of dev, averaged")
    print("| run | " + " | ".join(header) + " |")
    print("|---|" + "---|" * len(header))
    for result in results:
        cells = [f"{r['macro_f1']:.3f} / {r['jaccard']:.3f}" for r in result["rules"]]
        print(f"| {Path(result['run']).name} | " + " | ".join(cells) + " |")
    means = [
        f"{np.mean([res['rules'][i]['macro_f1'] for res in results]):.3f} / "
        f"{np.mean([res['rules'][i]['jaccard'] for res in results]):.3f}"
        for i in range(len(header))
    ]
    print(f"| mean of {len(results)} | " + " | ".join(means) + " |")
    entry = {"cv": str(args.cv), "oof_rows": len(oof_y), "curve": curve, "runs": results,
             "seconds": round(time.perf_counter() - started, 1)}  # fmt: skip
    add_result("oof_thresholds.json", args.cv.name, entry)


if __name__ == "__main__":
    main()
