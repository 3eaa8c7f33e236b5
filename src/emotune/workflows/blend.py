"""``emotune blend``: one bundle that averages several (e.g. TF-IDF baseline + fine-tuned encoder).

The weights are chosen on a labelled dev file: every point of a simplex grid (step 0.05) is scored with
thresholds calibrated on the blended probabilities, and the best objective wins (ties: the most even
weights). That score is optimistic, since weights and thresholds were both tuned on the file, so the
metrics also hold a held-out estimate: weights and thresholds chosen on one half of the file, scored on the
other, both ways, averaged.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from emotune.calibration.thresholds import OBJECTIVES, ThresholdCalibrator
from emotune.classifier import EmotionClassifier
from emotune.data.dialogue import dialogue_view
from emotune.data.labels import LabelSchema
from emotune.data.loading import load_like
from emotune.data.splits import kfold
from emotune.errors import DataError
from emotune.evaluation.metrics import compute_metrics, per_label_report
from emotune.models.ensemble import EnsembleModel, ensemble_config
from emotune.workflows.predict import predict_proba_batched

STEP = 0.05


def weight_grid(n: int, step: float = STEP) -> np.ndarray:
    """Every weight vector of ``n`` non-negative multiples of ``step`` that sum to one, most even first."""
    ticks = round(1 / step)
    points = [c for c in itertools.product(range(ticks + 1), repeat=n - 1) if sum(c) <= ticks]
    grid = np.array([[*c, ticks - sum(c)] for c in points], dtype=float) / ticks
    return grid[np.argsort(np.abs(grid - 1 / n).sum(axis=1), kind="stable")]


def choose_weights(members: np.ndarray, y: np.ndarray, schema: LabelSchema, thresholds: dict[str, Any]
                   ) -> tuple[np.ndarray, ThresholdCalibrator]:  # fmt: skip
    """The grid weights (and their calibrated thresholds) with the best objective on ``(members, y)``."""
    objective = OBJECTIVES[thresholds["objective"]] if schema.task == "multilabel" else None
    best: tuple[float, np.ndarray, ThresholdCalibrator] | None = None
    for w in weight_grid(len(members)):
        probs = np.tensordot(w, members, axes=1)
        cal = ThresholdCalibrator(thresholds["strategy"], thresholds["objective"], thresholds["default"])
        cal.fit(probs, y, schema)
        pred = cal.predict(probs).astype(bool)
        score = objective(pred, y.astype(bool)) if objective else compute_metrics(y, pred, schema)["macro_f1"]
        if best is None or score > best[0] + 1e-12:
            best = (score, w, cal)
    assert best is not None
    return best[1], best[2]


def _held_out(members: np.ndarray, dev: Any, thresholds: dict[str, Any]) -> dict[str, float]:
    """Weights and thresholds fit on one half of dev, scored on the other half, both ways, averaged."""
    scores = []
    for fit_idx, score_idx in kfold(dev, k=2, seed=0):
        w, cal = choose_weights(members[:, fit_idx], dev.y[fit_idx], dev.schema, thresholds)
        pred = cal.predict(np.tensordot(w, members[:, score_idx], axes=1))
        scores.append(compute_metrics(dev.y[score_idx], pred, dev.schema))
    return {k: float(np.mean([s[k] for s in scores])) for k in scores[0]}


def run(bundles: Sequence[str | Path], data: str | Path, output: str | Path, preset: str | None = None,
        weights: Sequence[float] | None = None) -> tuple[Path, dict[str, Any]]:  # fmt: skip
    """Blend ``bundles`` with weights tuned on the labelled file ``data`` (or the given ``weights``)."""
    if len(bundles) < 2:
        raise DataError("blend needs at least two bundles (--models A B ...)")
    if weights is not None and len(weights) != len(bundles):
        raise DataError(f"--weights: {len(weights)} numbers for {len(bundles)} bundles; give one per bundle")
    clfs = [EmotionClassifier.load(b) for b in bundles]
    first = clfs[0]
    for path, clf in zip(bundles[1:], clfs[1:], strict=True):
        if clf.schema_.names != first.schema_.names or clf.schema_.task != first.schema_.task:
            mine, theirs = f"{list(clf.schema_.names)} ({clf.schema_.task})", f"{list(first.schema_.names)}"
            raise DataError(f"{path}: labels {mine} differ from {bundles[0]}'s {theirs} ({first.schema_.task}); "
                            "blend models of one task")  # fmt: skip
        if clf.config.dialogue != first.config.dialogue:
            raise DataError(f"{path}: dialogue settings differ from {bundles[0]}'s; blend models of one task")
    preset = preset or first.config.data.preset
    dev = load_like(preset, data, first.config.data.model_copy(update={"preset": preset}), first.schema_)
    dev = dialogue_view(dev, first.config.dialogue)
    members = np.stack([predict_proba_batched(clf, dev.texts) for clf in clfs])
    thresholds = first.calibrator_.to_dict()
    if weights is None:
        w, cal = choose_weights(members, dev.y, first.schema_, thresholds)
    else:
        w = np.asarray(weights, dtype=float) / float(np.sum(weights))
        cal = ThresholdCalibrator(thresholds["strategy"], thresholds["objective"], thresholds["default"])
        cal.fit(np.tensordot(w, members, axes=1), dev.y, first.schema_)
    blend = EmotionClassifier(config=ensemble_config(first.config))
    blend.schema_, blend.calibrator_ = first.schema_, cal
    blend.model_ = EnsembleModel(clfs, w.tolist())
    each = []
    for path, probs in zip(bundles, members, strict=True):
        own = ThresholdCalibrator(thresholds["strategy"], thresholds["objective"], thresholds["default"])
        pred = own.fit(probs, dev.y, first.schema_).predict(probs)
        each.append({"bundle": str(path), **compute_metrics(dev.y, pred, first.schema_),
                     "two_fold": _held_out(probs[None], dev, thresholds)})  # fmt: skip
    predicted = cal.predict(np.tensordot(w, members, axes=1))
    metrics = {
        "weights": {str(b): float(x) for b, x in zip(bundles, w, strict=True)},
        "dev_file": str(data),
        "dev_rows": len(dev),
        "dev": compute_metrics(dev.y, predicted, first.schema_),
        "per_label": per_label_report(dev.y, predicted, first.schema_),
        "members_dev": each,
    }
    if weights is None:
        metrics["dev_two_fold"] = _held_out(members, dev, thresholds)
    return blend.save(output, metrics), metrics
