"""``score``: the one set of numbers every workflow reports for probabilities against gold labels.

Used by train (dev), cv (folds, out-of-fold, dev), blend, evaluate and the benchmarks, so that a metric
added to :data:`~emotune.evaluation.metrics.METRICS` shows up everywhere at once.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from emotune.calibration.thresholds import ThresholdCalibrator
from emotune.data.labels import LabelSchema
from emotune.evaluation.metrics import compute_metrics, confusion, per_label_report


def score(
    y: np.ndarray, probs: np.ndarray, calibrator: ThresholdCalibrator, schema: LabelSchema, prefix: str = "dev"
) -> dict[str, Any]:
    """Metrics of ``probs`` ``(n, n_labels)`` against indicator ``y`` of the same shape.

    Returns ``{prefix: metrics with the fitted calibrator's thresholds, prefix + "_at_default_threshold":
    metrics at its fixed default threshold, "per_label": [...], "thresholds": {...}}`` plus ``"confusion"``
    for a multiclass schema.

    >>> # score(dev.y, probs, clf.calibrator_, clf.schema_)["dev"]["macro_f1"]
    """
    predicted = calibrator.predict(probs)
    fixed = ThresholdCalibrator("fixed", default=calibrator.default).fit(probs, y, schema)
    out: dict[str, Any] = {
        prefix: compute_metrics(y, predicted, schema),
        f"{prefix}_at_default_threshold": compute_metrics(y, fixed.predict(probs), schema),
        "per_label": per_label_report(y, predicted, schema),
        "thresholds": calibrator.to_dict(),
    }
    if schema.task == "multiclass":
        out["confusion"] = {"labels": list(schema.names),
                            "rows_true_columns_predicted": confusion(y, predicted, schema).tolist()}  # fmt: skip
    return out
