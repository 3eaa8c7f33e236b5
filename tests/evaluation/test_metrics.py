from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from emotune.data.labels import LabelSchema
from emotune.evaluation.metrics import METRICS, applicable, compute_metrics, confusion, per_label_report

ML = LabelSchema(("anger", "joy", "neutral"), "multilabel", neutral="neutral")
MC = LabelSchema(("no emotion", "joy", "anger"), "multiclass", neutral="no emotion")
LOWER_IS_BETTER = {"hamming_loss"}


def _random(schema: LabelSchema, n: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    if schema.task == "multiclass":
        return schema.one_hot(rng.integers(0, 3, n)), schema.one_hot(rng.integers(0, 3, n))
    return (rng.random((n, 3)) < 0.4).astype(int), (rng.random((n, 3)) < 0.4).astype(int)


@pytest.mark.parametrize("schema", [ML, MC], ids=["multilabel", "multiclass"])
def test_every_metric_is_best_on_perfect_predictions(schema: LabelSchema) -> None:
    y_true, y_pred = _random(schema)
    perfect = compute_metrics(y_true, y_true, schema)
    noisy = compute_metrics(y_true, y_pred, schema)
    assert set(perfect) == set(applicable(schema))
    for name in perfect:
        if name == "n_labels_nonzero_f1":
            assert perfect[name] == 3
        elif name in LOWER_IS_BETTER:
            assert perfect[name] == 0 and noisy[name] > 0
        else:
            assert perfect[name] == pytest.approx(1.0) and noisy[name] < 1.0, name
        assert np.isfinite(noisy[name])


def test_metrics_registry_covers_the_contract() -> None:
    assert {"macro_f1", "micro_f1", "weighted_f1", "jaccard"} <= set(applicable(ML))
    assert {"macro_f1", "micro_f1", "weighted_f1", "balanced_accuracy", "micro_f1_without_neutral"} <= set(
        applicable(MC)
    )
    assert all(m.tasks for m in METRICS.values())


def test_values_match_sklearn() -> None:
    y_true, y_pred = _random(ML, seed=3)
    got = compute_metrics(y_true, y_pred, ML)
    assert got["macro_f1"] == pytest.approx(skm.f1_score(y_true, y_pred, average="macro"))
    assert got["samples_f1"] == pytest.approx(skm.f1_score(y_true, y_pred, average="samples", zero_division=1))
    assert got["hamming_loss"] == pytest.approx(skm.hamming_loss(y_true, y_pred))


def test_jaccard_counts_empty_gold_and_empty_prediction_as_agreement() -> None:
    y_true = np.array([[0, 0, 0], [1, 1, 0]])
    y_pred = np.array([[0, 0, 0], [1, 0, 0]])
    assert compute_metrics(y_true, y_pred, ML)["jaccard"] == pytest.approx((1 + 0.5) / 2)


def test_micro_f1_without_neutral_ignores_the_neutral_class() -> None:
    y_true = MC.one_hot(np.array([0, 0, 1, 2]))
    y_pred = MC.one_hot(np.array([0, 1, 1, 0]))
    # non-neutral: tp=1 (joy), fp=1 (joy predicted for a neutral row), fn=1 (anger missed)
    assert compute_metrics(y_true, y_pred, MC)["micro_f1_without_neutral"] == pytest.approx(0.5)
    assert "micro_f1_without_neutral" not in applicable(LabelSchema(("a", "b"), "multiclass"))


def test_per_label_report_and_confusion() -> None:
    y_true = MC.one_hot(np.array([0, 0, 1, 2]))
    y_pred = MC.one_hot(np.array([0, 1, 1, 0]))
    report = per_label_report(y_true, y_pred, MC)
    assert [r["label"] for r in report] == list(MC.names)
    assert report[1] == {"label": "joy", "precision": 0.5, "recall": 1.0, "f1": pytest.approx(2 / 3), "support": 1}
    assert confusion(y_true, y_pred, MC).tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 0]]


def test_shape_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError, match="shape"):
        compute_metrics(np.zeros((2, 3)), np.zeros((2, 2)), ML)


@pytest.mark.parametrize("seed", range(5))
def test_the_shared_scores_equal_sklearn_in_both_tasks(seed: int) -> None:
    """macro-F1, micro-F1 and Jaccard are defined once (emotune.decisions.scores) for thresholds and reports; they
    must give sklearn's values, with a label that is never true and one never predicted, and one-hot class rows."""
    rng = np.random.default_rng(seed)
    y_true, y_pred = (rng.random((40, 3)) < 0.4).astype(np.int8), (rng.random((40, 3)) < 0.4).astype(np.int8)
    y_true[:, 2], y_pred[:, 1] = 0, 0
    got = compute_metrics(y_true, y_pred, ML)
    assert got["macro_f1"] == pytest.approx(skm.f1_score(y_true, y_pred, average="macro", zero_division=0))
    assert got["micro_f1"] == pytest.approx(skm.f1_score(y_true, y_pred, average="micro", zero_division=0))
    assert got["jaccard"] == pytest.approx(skm.jaccard_score(y_true, y_pred, average="samples", zero_division=1))
    gold, pred = rng.integers(0, 2, 30), rng.integers(0, 3, 30)  # class 2 is never gold
    got = compute_metrics(MC.one_hot(gold), MC.one_hot(pred), MC)
    labels = [0, 1, 2]
    assert got["macro_f1"] == pytest.approx(skm.f1_score(gold, pred, average="macro", labels=labels, zero_division=0))
    assert got["micro_f1"] == pytest.approx(skm.accuracy_score(gold, pred))
