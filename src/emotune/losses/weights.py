"""Per-label weights computed from the training label counts: the knobs that fight class imbalance."""

from __future__ import annotations

import numpy as np

from emotune.errors import SettingError
from emotune.losses.base import LabelStats


def _check_length(values: list[float], stats: LabelStats, key: str) -> np.ndarray:
    if len(values) != len(stats.positives):
        raise SettingError(key, f"expected {len(stats.positives)} values (one per label), got {len(values)}")
    return np.asarray(values, dtype=float)


def pos_weight(mode: str | list[float], stats: LabelStats) -> np.ndarray | None:
    """BCE ``pos_weight`` per label: ``linear`` = negatives/positives, ``sqrt`` = its square root (negatives:
    the rows annotated for the label that do not have it)."""
    if isinstance(mode, list):
        return _check_length(mode, stats, "train.loss.pos_weight")
    if mode == "none":
        return None
    positives = np.maximum(stats.positives, 1.0)
    ratio = np.maximum(stats.counts - positives, 0.0) / positives
    return np.sqrt(ratio) if mode == "sqrt" else ratio


def class_weights(mode: str | list[float], stats: LabelStats, beta: float = 0.999) -> np.ndarray | None:
    """Per-class weights with mean 1: ``balanced`` (n / (k * count), as scikit-learn) or ``effective_number``
    (Cui et al. 2019: (1 - beta) / (1 - beta ** count))."""
    if isinstance(mode, list):
        return _check_length(mode, stats, "train.loss.class_weight")
    if mode == "none":
        return None
    counts = np.maximum(stats.positives, 1.0)
    raw = 1.0 / counts if mode == "balanced" else (1.0 - beta) / (1.0 - np.power(beta, counts))
    return raw / raw.mean()
