"""Metrics by name in :data:`METRICS`: macro-F1, micro-F1 and Jaccard are the functions thresholds are fitted
with (:mod:`emotune.decisions.scores`, one definition each), the rest thin wrappers over ``sklearn.metrics``.

All functions take indicator matrices ``y_true`` and ``y_pred`` of shape ``(n, n_labels)`` and the
:class:`~emotune.data.labels.LabelSchema`; multiclass metrics use the class index of each one-hot row.

>>> import numpy as np
>>> from emotune.data.labels import LabelSchema
>>> schema = LabelSchema(("anger", "joy"), "multilabel")
>>> y = np.array([[1, 0], [0, 1], [1, 1]])
>>> compute_metrics(y, y, schema)["macro_f1"]
1.0
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn import metrics as skm

from emotune.data.labels import LabelSchema
from emotune.decisions.scores import jaccard, macro_f1, micro_f1

MetricFn = Callable[[np.ndarray, np.ndarray, LabelSchema], float]


@dataclass(frozen=True)
class Metric:
    """A named score. ``tasks`` says where it applies; ``needs_neutral``: only with a neutral label."""

    fn: MetricFn
    tasks: tuple[str, ...] = ("multilabel", "multiclass")
    needs_neutral: bool = False
    greater_is_better: bool = True


def _ids(y: np.ndarray, schema: LabelSchema) -> np.ndarray:
    return schema.class_ids(y) if schema.task == "multiclass" else y


def _f1(average: str, zero_division: float = 0.0) -> MetricFn:
    def fn(y_true: np.ndarray, y_pred: np.ndarray, schema: LabelSchema) -> float:
        labels = list(range(schema.n_labels)) if schema.task == "multiclass" else None
        return float(
            skm.f1_score(
                _ids(y_true, schema), _ids(y_pred, schema), average=average, labels=labels, zero_division=zero_division
            )
        )

    return fn


def _micro_f1_without_neutral(y_true: np.ndarray, y_pred: np.ndarray, schema: LabelSchema) -> float:
    """Micro-F1 over every label but the neutral one (the DailyDialog convention)."""
    others = [i for i, name in enumerate(schema.names) if name != schema.neutral]
    if schema.task == "multiclass":
        return float(skm.f1_score(_ids(y_true, schema), _ids(y_pred, schema), labels=others, average="micro",
                                  zero_division=0))  # fmt: skip
    return float(skm.f1_score(y_true[:, others], y_pred[:, others], average="micro", zero_division=0))


def _indicators(score: Callable[[np.ndarray, np.ndarray], float]) -> MetricFn:
    """``score(pred, gold)`` of :mod:`emotune.decisions.scores` on 0/1 matrices; for one-hot single-label rows
    macro-F1 is sklearn's over every class and micro-F1 is accuracy, as ``f1_score`` on class ids gives."""
    return lambda y_true, y_pred, schema: score(np.asarray(y_pred) > 0, np.asarray(y_true) > 0)


def _nonzero_f1_labels(y_true: np.ndarray, y_pred: np.ndarray, schema: LabelSchema) -> float:
    labels = list(range(schema.n_labels))
    per_label = skm.f1_score(_ids(y_true, schema), _ids(y_pred, schema), average=None, labels=labels,
                             zero_division=0)  # fmt: skip
    return float(np.count_nonzero(per_label))


METRICS: dict[str, Metric] = {
    "macro_f1": Metric(_indicators(macro_f1)),
    "micro_f1": Metric(_indicators(micro_f1)),
    "weighted_f1": Metric(_f1("weighted")),
    # a text with no gold label and no predicted label is a correct answer, as in `jaccard`
    "samples_f1": Metric(_f1("samples", zero_division=1.0), tasks=("multilabel",)),
    # SemEval-2018 E-c's official score; a text with no gold and no predicted label scores 1
    "jaccard": Metric(_indicators(jaccard), tasks=("multilabel",)),
    "hamming_loss": Metric(
        lambda t, p, s: float(skm.hamming_loss(t, p)), tasks=("multilabel",), greater_is_better=False
    ),
    "subset_accuracy": Metric(lambda t, p, s: float(skm.accuracy_score(t, p)), tasks=("multilabel",)),
    "accuracy": Metric(lambda t, p, s: float(skm.accuracy_score(_ids(t, s), _ids(p, s))), tasks=("multiclass",)),
    "balanced_accuracy": Metric(
        lambda t, p, s: float(skm.balanced_accuracy_score(_ids(t, s), _ids(p, s))), tasks=("multiclass",)
    ),
    "micro_f1_without_neutral": Metric(_micro_f1_without_neutral, needs_neutral=True),
    "n_labels_nonzero_f1": Metric(_nonzero_f1_labels),
}


def applicable(schema: LabelSchema) -> list[str]:
    """Names of the metrics that apply to this schema's task."""
    return [
        name
        for name, metric in METRICS.items()
        if schema.task in metric.tasks and (schema.neutral is not None or not metric.needs_neutral)
    ]


def compute_metrics(y_true: np.ndarray, y_pred: np.ndarray, schema: LabelSchema) -> dict[str, float]:
    """Every applicable metric in :data:`METRICS`, by name."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.shape[1:] != (schema.n_labels,):
        raise ValueError(f"expected two arrays of shape (n, {schema.n_labels}), got {y_true.shape}, {y_pred.shape}")
    return {name: METRICS[name].fn(y_true, y_pred, schema) for name in applicable(schema)}


def per_label_report(y_true: np.ndarray, y_pred: np.ndarray, schema: LabelSchema) -> list[dict[str, Any]]:
    """Precision, recall, F1 and support of each label, in schema order."""
    labels = list(range(schema.n_labels))
    p, r, f, s = skm.precision_recall_fscore_support(
        _ids(y_true, schema), _ids(y_pred, schema), labels=labels, zero_division=0
    )
    return [
        {
            "label": name,
            "precision": float(p[i]),
            "recall": float(r[i]),
            "f1": float(f[i]),
            "support": int(s[i]),
        }
        for i, name in enumerate(schema.names)
    ]


def confusion(y_true: np.ndarray, y_pred: np.ndarray, schema: LabelSchema) -> np.ndarray:
    """Multiclass confusion matrix ``(n_labels, n_labels)``: rows are gold, columns predicted."""
    return skm.confusion_matrix(_ids(y_true, schema), _ids(y_pred, schema), labels=list(range(schema.n_labels)))
