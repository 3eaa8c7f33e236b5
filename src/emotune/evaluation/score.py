"""``score``: the one set of numbers every workflow reports for probabilities against gold labels.

Used by train (dev), cv (folds, out-of-fold, dev), blend, evaluate and the benchmarks, so that a metric
added to :data:`~emotune.evaluation.metrics.METRICS` shows up everywhere at once.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from emotune.data.labels import LabelSchema
from emotune.decisions.scores import objective_value
from emotune.decisions.thresholds import ThresholdCalibrator, halves
from emotune.evaluation.metrics import compute_metrics, confusion, per_label_report

MIN_HELD_OUT_ROWS = 20  # two halves of at least 10 rows


def two_fold(
    y: np.ndarray,
    probs: np.ndarray,
    calibrator: ThresholdCalibrator,
    schema: LabelSchema,
    groups: np.ndarray | None = None,
) -> dict[str, float]:
    """What ``calibrator``'s settings give on unseen rows: fitted on one half of ``(probs, y)`` (a stratified
    split; with ``groups``, dialogues are never cut in two), scored on the other, both ways, averaged. The
    honest counterpart of a score calibrated on the same rows it is reported on."""
    return two_fold_with_epoch_choice(y, [probs], calibrator, schema, groups=groups)


def choose_epoch(
    y: np.ndarray, history: list[np.ndarray], calibrator: ThresholdCalibrator, schema: LabelSchema, select: str
) -> tuple[int, ThresholdCalibrator]:
    """The epoch training keeps among ``history`` (each epoch's probabilities on the rows of ``y``): the best
    ``select`` score with ``calibrator``'s settings fitted on these rows, the first of equals. Returns its
    index and the thresholds fitted for it."""
    fitted = [ThresholdCalibrator.from_config(calibrator.to_dict()).fit(probs, y, schema) for probs in history]
    if len(history) == 1:  # nothing to choose
        return 0, fitted[0]
    scored = zip(fitted, history, strict=True)
    values = [objective_value(compute_metrics(y, c.predict(p), schema), select) for c, p in scored]
    best = int(np.argmax(values))
    return best, fitted[best]


def two_fold_with_epoch_choice(
    y: np.ndarray,
    history: list[np.ndarray],
    calibrator: ThresholdCalibrator,
    schema: LabelSchema,
    select: str = "macro_f1",
    groups: np.ndarray | None = None,
) -> dict[str, float]:
    """:func:`two_fold` with the choice of epoch held out as well. ``history`` holds the dev probabilities of
    each evaluated epoch; on each half the epoch is chosen as training chose it on all of dev
    (:func:`choose_epoch`), and that epoch with those thresholds is scored on the other half. :func:`two_fold`
    scores the epoch that all of dev chose, so it leaves the choice in."""
    scores = []
    for fit_idx, score_idx in halves(y, schema, groups):
        best, fitted = choose_epoch(y[fit_idx], [probs[fit_idx] for probs in history], calibrator, schema, select)
        scores.append(compute_metrics(y[score_idx], fitted.predict(history[best][score_idx]), schema))
    return {k: float(np.mean([s[k] for s in scores])) for k in scores[0]}


def tuned_and_default(
    y: np.ndarray, probs: np.ndarray, calibrator: ThresholdCalibrator, schema: LabelSchema
) -> tuple[dict[str, float], dict[str, float]]:
    """Every metric of ``probs`` with the fitted ``calibrator``'s decisions, and at its plain default threshold
    (argmax for single-label data): the pair every dev score reports, per epoch and at the end."""
    fixed = ThresholdCalibrator("fixed", default=calibrator.default).fit(probs, y, schema)
    return compute_metrics(y, calibrator.predict(probs), schema), compute_metrics(y, fixed.predict(probs), schema)


def score(
    y: np.ndarray,
    probs: np.ndarray,
    calibrator: ThresholdCalibrator,
    schema: LabelSchema,
    prefix: str = "dev",
    held_out: bool = False,
    groups: np.ndarray | None = None,
) -> dict[str, Any]:
    """Metrics of ``probs`` ``(n, n_labels)`` against indicator ``y`` of the same shape.

    Returns ``{prefix: metrics with the fitted calibrator's thresholds, prefix + "_at_default_threshold":
    metrics at its fixed default threshold, "per_label": [...], "thresholds": {...}}`` plus ``"confusion"``
    for a multiclass schema, and with ``held_out`` ``prefix + "_two_fold"`` (see :func:`two_fold`; from 20 rows;
    ``groups``, e.g. dialogue ids, keep a group in one half).

    >>> # clf.score(dev.y, probs)["dev"]["macro_f1"]
    """
    predicted = calibrator.predict(probs)
    tuned, at_default = tuned_and_default(y, probs, calibrator, schema)
    out: dict[str, Any] = {
        prefix: tuned,
        f"{prefix}_at_default_threshold": at_default,
        "per_label": per_label_report(y, predicted, schema),
        "thresholds": calibrator.to_dict(),
    }
    if held_out and len(y) >= MIN_HELD_OUT_ROWS:
        out[f"{prefix}_two_fold"] = two_fold(y, probs, calibrator, schema, groups)
    if schema.task == "multiclass":
        out["confusion"] = {"labels": list(schema.names),
                            "rows_true_columns_predicted": confusion(y, predicted, schema).tolist()}  # fmt: skip
    return out
