from __future__ import annotations

import numpy as np
import pytest

from emotune.calibration.thresholds import OBJECTIVES, ThresholdCalibrator
from emotune.data.labels import LabelSchema
from emotune.evaluation.metrics import compute_metrics

SCHEMA = LabelSchema(("common", "rare", "never"), "multilabel")


def _skewed(n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities that rank well but are badly scaled: the rare label never reaches 0.5."""
    rng = np.random.default_rng(seed)
    y = np.stack([rng.random(n) < 0.5, rng.random(n) < 0.08, np.zeros(n, bool)], axis=1).astype(int)
    probs = np.stack(
        [np.clip(0.6 * y[:, 0] + rng.normal(0.2, 0.15, n), 0, 1),
         np.clip(0.25 * y[:, 1] + rng.normal(0.1, 0.05, n), 0, 1),
         rng.random(n) * 0.3],
        axis=1,
    )  # fmt: skip
    return probs, y


def test_per_label_thresholds_beat_a_fixed_half() -> None:
    probs, y = _skewed()
    fixed = ThresholdCalibrator("fixed").fit(probs, y, SCHEMA)
    tuned = ThresholdCalibrator("per_label").fit(probs, y, SCHEMA)
    assert tuned.thresholds_ is not None and tuned.thresholds_[1] < 0.5
    macro = compute_metrics(y, tuned.predict(probs), SCHEMA)["macro_f1"]
    assert macro > compute_metrics(y, fixed.predict(probs), SCHEMA)["macro_f1"] + 0.1
    assert tuned.score_ == pytest.approx(macro)


def test_label_without_positives_keeps_the_default() -> None:
    probs, y = _skewed()
    tuned = ThresholdCalibrator("per_label", default=0.5).fit(probs, y, SCHEMA)
    assert tuned.thresholds_ is not None and tuned.thresholds_[2] == 0.5


@pytest.mark.parametrize("objective", sorted(OBJECTIVES))
@pytest.mark.parametrize("strategy", ["global", "per_label"])
def test_tuning_never_does_worse_than_default_on_its_own_data(strategy: str, objective: str) -> None:
    probs, y = _skewed(seed=4)
    score = OBJECTIVES[objective]
    tuned = ThresholdCalibrator(strategy, objective).fit(probs, y, SCHEMA)
    baseline = score(probs >= 0.5, y.astype(bool))
    assert tuned.score_ >= baseline - 1e-12
    if strategy == "global":
        assert tuned.thresholds_ is not None and len(set(tuned.thresholds_)) == 1


def test_objective_functions_match_sklearn() -> None:
    probs, y = _skewed(seed=2)
    pred = (probs >= 0.3).astype(int)
    ours = {name: fn(pred.astype(bool), y.astype(bool)) for name, fn in OBJECTIVES.items()}
    theirs = compute_metrics(y, pred, SCHEMA)
    for name in OBJECTIVES:
        assert ours[name] == pytest.approx(theirs[name]), name


def test_multiclass_is_argmax() -> None:
    schema = LabelSchema(("a", "b", "c"), "multiclass")
    probs = np.array([[0.2, 0.5, 0.3], [0.9, 0.05, 0.05]])
    cal = ThresholdCalibrator().fit(probs, schema.one_hot(np.array([1, 0])), schema)
    assert cal.thresholds_ is None
    assert cal.predict(probs).tolist() == [[0, 1, 0], [1, 0, 0]]


def test_round_trip_and_unfitted() -> None:
    probs, y = _skewed()
    cal = ThresholdCalibrator("per_label", "jaccard").fit(probs, y, SCHEMA)
    again = ThresholdCalibrator.from_dict(cal.to_dict())
    assert np.array_equal(again.predict(probs), cal.predict(probs))
    with pytest.raises(RuntimeError, match="not fitted"):
        ThresholdCalibrator().predict(probs)
    with pytest.raises(ValueError, match="strategy"):
        ThresholdCalibrator("best")
