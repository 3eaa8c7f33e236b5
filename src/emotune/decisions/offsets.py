"""Single-label decisions: argmax, or per-class additive offsets on the log-probabilities fitted for an objective
(``macro_f1``, ``balanced_accuracy``, ``accuracy`` or ``micro_f1_without_neutral``): the single-label counterpart
of thresholds, a prior correction (e.g. after class weights or downsampling)."""

from __future__ import annotations

import numpy as np

from emotune.data.labels import LabelSchema
from emotune.decisions.scores import class_objective

DECISIONS = ("argmax", "macro_f1", "balanced_accuracy", "accuracy", "micro_f1_without_neutral")
OFFSETS = np.round(np.arange(-3.0, 3.01, 0.1), 1)


def unfit_decision(decision: str, schema: LabelSchema) -> str | None:
    """Why ``decision`` cannot be fitted for ``schema``'s labels, or None when it can. Checked by the calibrator
    and, before training, by the classifier."""
    if schema.task == "multiclass" and decision == "micro_f1_without_neutral" and schema.neutral is None:
        fix = 'name it with data.neutral_label (e.g. "no emotion") or choose another decision'
        return f"micro_f1_without_neutral needs a neutral class; {fix}"
    return None


def fit_offsets(probs: np.ndarray, y: np.ndarray, schema: LabelSchema, decision: str) -> np.ndarray:
    """Per-class log-probability offsets for ``decision`` by coordinate ascent (all zero: plain argmax)."""
    n, true = probs.shape[1], y.argmax(axis=1)
    if why := unfit_decision(decision, schema):
        raise ValueError(f"thresholds.decision: {why}")
    offsets = np.zeros(n)
    if decision == "argmax" or not len(y):
        return offsets
    neutral = schema.names.index(schema.neutral) if schema.neutral is not None else None
    logp = np.log(np.clip(probs, 1e-12, None))

    def value(trial: np.ndarray) -> float:
        return class_objective((logp + trial).argmax(axis=1), true, n, decision, neutral)

    for _ in range(3):
        for j in range(1, n):  # class 0 is the reference: only differences between offsets matter
            values = []
            for o in OFFSETS:
                trial = offsets.copy()
                trial[j] = o
                values.append(value(trial))
            best = np.flatnonzero(np.asarray(values) >= max(values) - 1e-12)
            offsets[j] = OFFSETS[best[np.argmin(np.abs(OFFSETS[best] - offsets[j]))]]
    return offsets
