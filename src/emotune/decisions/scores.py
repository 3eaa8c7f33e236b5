"""The scores decisions are fitted for and evaluation reports, each defined once, on boolean indicator matrices.

``macro_f1``, ``micro_f1`` and ``jaccard`` take ``(pred, y)`` of shape ``(n, n_labels)``; threshold fitting calls
them thousands of times, and :mod:`emotune.evaluation.metrics` reports the same functions (a one-hot matrix per
row gives the single-label values). :func:`class_objective` scores class ids from one confusion matrix, for the
single-label offsets.

>>> import numpy as np
>>> y = np.array([[1, 0], [0, 1], [1, 1]], dtype=bool)
>>> macro_f1(y, y), jaccard(np.zeros_like(y), y)
(1.0, 0.0)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

GRID = np.round(np.arange(0.02, 0.99, 0.01), 2)  # the thresholds tried


def _counts(pred: np.ndarray, y: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    tp = (pred & y).sum(axis=axis)
    return tp, (pred & ~y).sum(axis=axis), (~pred & y).sum(axis=axis)


def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.divide(num, den, out=np.zeros(np.shape(num), dtype=float), where=den > 0)


def f1_by_threshold(probs: np.ndarray, y: np.ndarray, grid: np.ndarray = GRID) -> np.ndarray:
    """One label's F1 at each threshold of ``grid``: ``probs`` and 0/1 ``y`` are ``(n,)``; returns ``(len(grid),)``."""
    pred = probs[None, :] >= grid[:, None]  # (grid, n)
    tp, fp, fn = _counts(pred, np.asarray(y, dtype=bool)[None, :], axis=1)
    return _safe_div(2 * tp, 2 * tp + fp + fn)


def macro_f1(pred: np.ndarray, y: np.ndarray) -> float:
    """The mean over labels of each label's F1 (0 where a label is neither true nor predicted)."""
    tp, fp, fn = _counts(pred, y, axis=0)
    return float(_safe_div(2 * tp, 2 * tp + fp + fn).mean())


def micro_f1(pred: np.ndarray, y: np.ndarray) -> float:
    """F1 of all (text, label) decisions pooled."""
    tp, fp, fn = (c.sum() for c in _counts(pred, y, axis=0))
    return float(2 * tp / (2 * tp + fp + fn)) if (2 * tp + fp + fn) else 0.0


def jaccard(pred: np.ndarray, y: np.ndarray) -> float:
    """SemEval-2018 E-c's official score: the mean over texts of |gold & pred| / |gold | pred| (empty | empty = 1)."""
    inter = (pred & y).sum(axis=1)
    union = (pred | y).sum(axis=1)
    return float(np.where(union > 0, _safe_div(inter, union), 1.0).mean())


# Objectives that are sums of metrics, one operating point for each reported metric in the sum; the one
# definition that threshold fitting (here) and epoch selection (``training.trainer.DevMetrics``) share.
SUMS: dict[str, tuple[str, ...]] = {"macro_f1+jaccard": ("macro_f1", "jaccard")}


def objective_value(scores: dict[str, float], name: str) -> float:
    """The value of objective ``name`` in ``scores`` (metric name -> value): one metric, or a sum in SUMS."""
    return sum(scores[part] for part in SUMS.get(name, (name,)))


def _summed(parts: tuple[Callable[[np.ndarray, np.ndarray], float], ...]) -> Callable[[np.ndarray, np.ndarray], float]:
    return lambda pred, y: sum(part(pred, y) for part in parts)


SCORES: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "macro_f1": macro_f1,
    "micro_f1": micro_f1,
    "jaccard": jaccard,
}
OBJECTIVES = SCORES | {name: _summed(tuple(SCORES[p] for p in parts)) for name, parts in SUMS.items()}


def class_objective(pred: np.ndarray, true: np.ndarray, n: int, objective: str, neutral: int | None = None) -> float:
    """``accuracy``, ``balanced_accuracy``, ``macro_f1`` or ``micro_f1_without_neutral`` (class id ``neutral``
    left out) of class ids, from one confusion matrix."""
    cm = np.bincount(true * n + pred, minlength=n * n).reshape(n, n)
    tp, support, predicted = np.diag(cm), cm.sum(axis=1), cm.sum(axis=0)
    if objective == "accuracy":
        return float(tp.sum() / max(len(true), 1))
    if objective == "balanced_accuracy":
        return float(_safe_div(tp, support)[support > 0].mean())
    if objective == "micro_f1_without_neutral":
        kept = np.arange(n) != neutral
        both = support[kept].sum() + predicted[kept].sum()
        return float(2 * tp[kept].sum() / both) if both else 0.0
    seen = (support + predicted) > 0
    return float(_safe_div(2 * tp, support + predicted)[seen].mean())
