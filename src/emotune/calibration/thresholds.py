"""Decision thresholds as a fitted object, like scikit-learn's ``TunedThresholdClassifierCV``.

Fit it on validation (or out-of-fold) probabilities, never on the data the model was trained on; its
``thresholds_`` travel in the model bundle and :meth:`ThresholdCalibrator.predict` applies them.

>>> import numpy as np
>>> from emotune.data.labels import LabelSchema
>>> schema = LabelSchema(("a", "b"), "multilabel")
>>> probs = np.array([[0.9, 0.2], [0.3, 0.35], [0.8, 0.4], [0.1, 0.1]])
>>> y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]])
>>> cal = ThresholdCalibrator().fit(probs, y, schema)
>>> cal.predict(probs).tolist() == y.tolist()
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from emotune.data.labels import LabelSchema

if TYPE_CHECKING:
    from emotune.config import ThresholdConfig

GRID = np.round(np.arange(0.02, 0.99, 0.01), 2)


def _counts(pred: np.ndarray, y: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    tp = (pred & y).sum(axis=axis)
    return tp, (pred & ~y).sum(axis=axis), (~pred & y).sum(axis=axis)


def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.divide(num, den, out=np.zeros(np.shape(num), dtype=float), where=den > 0)


def macro_f1(pred: np.ndarray, y: np.ndarray) -> float:
    tp, fp, fn = _counts(pred, y, axis=0)
    return float(_safe_div(2 * tp, 2 * tp + fp + fn).mean())


def micro_f1(pred: np.ndarray, y: np.ndarray) -> float:
    tp, fp, fn = (c.sum() for c in _counts(pred, y, axis=0))
    return float(2 * tp / (2 * tp + fp + fn)) if (2 * tp + fp + fn) else 0.0


def jaccard(pred: np.ndarray, y: np.ndarray) -> float:
    inter = (pred & y).sum(axis=1)
    union = (pred | y).sum(axis=1)
    return float(np.where(union > 0, _safe_div(inter, union), 1.0).mean())


# Fast boolean versions of the sklearn metrics of the same names, called thousands of times while fitting.
OBJECTIVES: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "macro_f1": macro_f1,
    "micro_f1": micro_f1,
    "jaccard": jaccard,
}
STRATEGIES = ("per_label", "global", "fixed")


class ThresholdCalibrator:
    """Per-label (or one global) thresholds that maximise an objective on validation probabilities.

    For a multiclass schema there is nothing to tune: :meth:`predict` takes the argmax.

    Args:
        strategy: ``per_label`` (one threshold per label), ``global`` (one for all) or ``fixed``
            (``default`` for all, no tuning).
        objective: ``macro_f1``, ``micro_f1`` or ``jaccard``, computed on the fitting data.
        default: threshold kept for labels with no positive example in the fitting data.

    Attributes:
        thresholds_: shape ``(n_labels,)``; ``None`` for multiclass.
        score_: the objective on the fitting data with ``thresholds_`` (optimistic: it was tuned there).
    """

    def __init__(self, strategy: str = "per_label", objective: str = "macro_f1", default: float = 0.5) -> None:
        if strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
        if objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {tuple(OBJECTIVES)}, got {objective!r}")
        self.strategy = strategy
        self.objective = objective
        self.default = default

    def fit(self, probs: np.ndarray, y_true: np.ndarray, schema: LabelSchema) -> ThresholdCalibrator:
        """Choose thresholds on ``probs`` ``(n, n_labels)`` against indicator ``y_true`` of the same shape."""
        probs, y = np.asarray(probs, dtype=float), np.asarray(y_true).astype(bool)
        if probs.shape != y.shape or probs.shape[1] != schema.n_labels:
            raise ValueError(f"expected probs and labels of shape (n, {schema.n_labels}), got {probs.shape}, {y.shape}")
        self.task_ = schema.task
        self.thresholds_: np.ndarray | None = None
        if schema.task == "multiclass":
            self.score_ = float((probs.argmax(1) == y.argmax(1)).mean()) if len(y) else 0.0
            return self
        score = OBJECTIVES[self.objective]
        thresholds = np.full(schema.n_labels, self.default)
        if self.strategy == "global":
            thresholds[:] = self._best(lambda t: score(probs >= t, y))
        elif self.strategy == "per_label" and self.objective == "macro_f1":
            thresholds = self._per_label_f1(probs, y)  # macro-F1 is a mean of per-label F1s: tune each alone
        elif self.strategy == "per_label":
            thresholds[:] = self._best(lambda t: score(probs >= t, y))
            for _ in range(2):  # coordinate ascent from the best global threshold
                for j in np.flatnonzero(y.any(axis=0)):

                    def with_j(t: float, j: int = int(j)) -> float:
                        trial = thresholds.copy()
                        trial[j] = t
                        return score(probs >= trial, y)

                    thresholds[j] = self._best(with_j, start=thresholds[j])
        self.thresholds_ = thresholds
        self.score_ = score(self.predict(probs).astype(bool), y)
        return self

    def _best(self, score: Callable[[float], float], start: float | None = None) -> float:
        """The grid value with the best score; ties go to the value nearest ``start`` (or ``default``)."""
        values = np.array([score(float(t)) for t in GRID])
        anchor = self.default if start is None else start
        ties = GRID[values >= values.max() - 1e-12]
        return float(ties[np.argmin(np.abs(ties - anchor))])

    def _per_label_f1(self, probs: np.ndarray, y: np.ndarray) -> np.ndarray:
        thresholds = np.full(y.shape[1], self.default)
        for j in np.flatnonzero(y.any(axis=0)):
            pred = probs[None, :, j] >= GRID[:, None]  # (grid, n)
            tp, fp, fn = _counts(pred, y[None, :, j], axis=1)
            f1 = _safe_div(2 * tp, 2 * tp + fp + fn)
            ties = GRID[f1 >= f1.max() - 1e-12]
            thresholds[j] = ties[np.argmin(np.abs(ties - self.default))]
        return thresholds

    def predict(self, probs: np.ndarray) -> np.ndarray:
        """Indicator predictions ``(n, n_labels)`` as ``int8``."""
        if not hasattr(self, "task_"):
            raise RuntimeError("ThresholdCalibrator is not fitted yet; call fit(probs, y, schema) first")
        probs = np.asarray(probs, dtype=float)
        if self.task_ == "multiclass":
            out = np.zeros(probs.shape, dtype=np.int8)
            out[np.arange(len(probs)), probs.argmax(axis=1)] = 1
            return out
        assert self.thresholds_ is not None
        return (probs >= self.thresholds_).astype(np.int8)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready state for the bundle."""
        return {
            "strategy": self.strategy,
            "objective": self.objective,
            "default": self.default,
            "task": getattr(self, "task_", None),
            "thresholds": None if getattr(self, "thresholds_", None) is None else self.thresholds_.tolist(),  # type: ignore[union-attr]
        }

    @classmethod
    def from_config(cls, cfg: ThresholdConfig | Mapping[str, Any]) -> ThresholdCalibrator:
        """An unfitted calibrator as ``cfg`` (a ``thresholds:`` config section, or a bundle's saved
        thresholds) describes it."""
        if isinstance(cfg, Mapping):
            return cls(cfg["strategy"], cfg["objective"], cfg["default"])
        return cls(cfg.strategy, cfg.objective, cfg.default)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ThresholdCalibrator:
        cal = cls.from_config(data)
        if data.get("task"):
            cal.task_ = data["task"]
            cal.thresholds_ = None if data["thresholds"] is None else np.asarray(data["thresholds"], dtype=float)
        return cal
