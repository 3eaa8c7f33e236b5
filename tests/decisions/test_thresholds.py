from __future__ import annotations

import numpy as np
import pytest

from emotune.data.labels import LabelSchema
from emotune.decisions.scores import OBJECTIVES
from emotune.decisions.thresholds import ThresholdCalibrator
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
@pytest.mark.parametrize("strategy", ["global", "per_label", "shrunk"])
def test_tuning_never_does_worse_than_default_on_its_own_data(strategy: str, objective: str) -> None:
    probs, y = _skewed(seed=4)
    score = OBJECTIVES[objective]
    tuned = ThresholdCalibrator(strategy, objective).fit(probs, y, SCHEMA)
    baseline = score(probs >= 0.5, y.astype(bool))
    if strategy != "shrunk":  # shrinkage gives up some fit on these rows on purpose
        assert tuned.score_ >= baseline - 1e-12
    if strategy == "global":
        assert tuned.thresholds_ is not None and len(set(tuned.thresholds_)) == 1


def test_objective_functions_match_sklearn() -> None:
    probs, y = _skewed(seed=2)
    pred = (probs >= 0.3).astype(int)
    ours = {name: fn(pred.astype(bool), y.astype(bool)) for name, fn in OBJECTIVES.items()}
    theirs = compute_metrics(y, pred, SCHEMA)
    theirs["macro_f1+jaccard"] = theirs["macro_f1"] + theirs["jaccard"]
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


@pytest.mark.parametrize("strategy", ["bootstrap", "shrunk"])
def test_robust_thresholds_lie_between_the_label_and_global_choice(strategy: str) -> None:
    probs, y = _skewed(n=300, seed=5)
    own = ThresholdCalibrator("per_label").fit(probs, y, SCHEMA).thresholds_
    one = ThresholdCalibrator("global").fit(probs, y, SCHEMA).thresholds_
    robust = ThresholdCalibrator(strategy).fit(probs, y, SCHEMA).thresholds_
    assert own is not None and one is not None and robust is not None
    assert robust[2] == 0.5  # no positives: the default, as for per_label
    if strategy == "shrunk":  # each label is pulled part of the way from its own threshold to the global one
        for j in (0, 1):
            assert min(own[j], one[j]) - 1e-9 <= robust[j] <= max(own[j], one[j]) + 1e-9
        assert (robust[0] != own[0]) == (own[0] != one[0])
    else:  # the median of resampled choices stays in the range the labels' thresholds can take
        assert 0.02 <= robust[1] <= 0.98 and abs(robust[0] - own[0]) < 0.15


def test_robust_thresholds_overfit_less_on_small_noisy_data() -> None:
    """Fitted on 120 rows, scored on 4000 fresh rows of the same distribution: the robust strategies do at
    least as well as per-label thresholds on average over several draws."""
    held_out = {s: [] for s in ("per_label", "bootstrap", "shrunk")}
    test_probs, test_y = _skewed(n=4000, seed=99)
    for seed in range(6):
        probs, y = _skewed(n=120, seed=seed)
        for strategy, scores in held_out.items():
            cal = ThresholdCalibrator(strategy).fit(probs, y, SCHEMA)
            scores.append(compute_metrics(test_y, cal.predict(test_probs), SCHEMA)["macro_f1"])
    mean = {s: float(np.mean(v)) for s, v in held_out.items()}
    assert mean["bootstrap"] >= mean["per_label"] - 0.005 and mean["shrunk"] >= mean["per_label"] - 0.005, mean


def test_decision_offsets_recover_a_known_prior_shift() -> None:
    """Probabilities from a model whose prior for class 2 is e^-1.5 too small: offsets fitted for accuracy
    put the lost log-odds back (about +1.5 for class 2 relative to class 0) and recover accuracy."""
    rng = np.random.default_rng(0)
    schema = LabelSchema(("a", "b", "c"), "multiclass")
    n = 3000
    true = rng.choice(3, size=n, p=[0.4, 0.3, 0.3])
    logits = rng.normal(0, 1.0, (n, 3))
    logits[np.arange(n), true] += 2.0
    shifted = logits + np.array([0.0, 0.0, -1.5])
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    y = schema.one_hot(true)
    plain = ThresholdCalibrator().fit(probs, y, schema)
    fitted = ThresholdCalibrator(decision="accuracy").fit(probs, y, schema)
    assert plain.offsets_ is not None and not plain.offsets_.any()  # argmax: nothing fitted
    assert fitted.offsets_ is not None and abs((fitted.offsets_[2] - fitted.offsets_[0]) - 1.5) < 0.4
    accuracy = {name: float((cal.predict(probs).argmax(1) == true).mean()) for name, cal in
                (("plain", plain), ("fitted", fitted))}  # fmt: skip
    assert accuracy["fitted"] > accuracy["plain"] + 0.02
    balanced = ThresholdCalibrator(decision="balanced_accuracy").fit(probs, y, schema)
    again = ThresholdCalibrator.from_dict(balanced.to_dict())
    assert np.array_equal(again.predict(probs), balanced.predict(probs))
    old_bundle = {k: v for k, v in plain.to_dict().items() if k not in ("decision", "offsets")}
    assert np.array_equal(ThresholdCalibrator.from_dict(old_bundle).predict(probs), plain.predict(probs))


def test_offsets_for_micro_f1_without_neutral_score_what_the_metric_reports() -> None:
    """A model that says "none" too often (its neutral log-odds 1.5 too high): offsets fitted for micro-F1
    over the emotion classes lower the neutral class, the fitted score is the reported metric's value, and
    without a neutral class in the schema the objective is refused."""
    rng = np.random.default_rng(1)
    schema = LabelSchema(("none", "joy", "anger"), "multiclass", neutral="none")
    n = 3000
    true = rng.choice(3, size=n, p=[0.7, 0.2, 0.1])
    logits = rng.normal(0, 1.0, (n, 3))
    logits[np.arange(n), true] += 2.0
    logits[:, 0] += 1.5
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y = schema.one_hot(true)
    plain = ThresholdCalibrator().fit(probs, y, schema)
    fitted = ThresholdCalibrator(decision="micro_f1_without_neutral").fit(probs, y, schema)
    assert fitted.offsets_ is not None and (fitted.offsets_[1:] > fitted.offsets_[0]).all()
    metric = {name: compute_metrics(y, cal.predict(probs), schema)["micro_f1_without_neutral"]
              for name, cal in (("plain", plain), ("fitted", fitted))}  # fmt: skip
    assert fitted.score_ == pytest.approx(metric["fitted"])
    assert metric["fitted"] > metric["plain"] + 0.02
    with pytest.raises(ValueError, match="needs a neutral class"):
        ThresholdCalibrator(decision="micro_f1_without_neutral").fit(probs, y, LabelSchema(schema.names, "multiclass"))


def test_min_labels_fills_empty_rows_with_the_label_nearest_its_threshold() -> None:
    schema = LabelSchema(("a", "b", "c"), "multilabel")
    probs = np.array([[0.1, 0.3, 0.2], [0.9, 0.1, 0.1], [0.2, 0.2, 0.45], [0.6, 0.7, 0.1]])
    y = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1], [1, 1, 0]])
    plain = ThresholdCalibrator("fixed").fit(probs, y, schema)
    one = ThresholdCalibrator("fixed", min_labels=1).fit(probs, y, schema)
    assert plain.predict(probs).sum(axis=1).tolist() == [0, 1, 0, 2]
    assert one.predict(probs).tolist() == y.tolist()  # rows 0 and 2 get their top label; rows 1 and 3 unchanged
    one.thresholds_ = np.array([0.5, 0.5, 0.05])  # "nearest" is measured from each label's own threshold
    assert one.predict(probs)[0].tolist() == [0, 0, 1]
    assert (ThresholdCalibrator("fixed", min_labels=2).fit(probs, y, schema).predict(probs).sum(axis=1) >= 2).all()
    again = ThresholdCalibrator.from_dict(one.to_dict())
    assert again.min_labels == 1 and np.array_equal(again.predict(probs), one.predict(probs))
    with pytest.raises(ValueError, match="only 3 labels"):
        ThresholdCalibrator(min_labels=4).fit(probs, y, schema)


@pytest.mark.parametrize("objective", ["macro_f1", "jaccard"])
def test_thresholds_are_fitted_with_min_labels_applied(objective: str) -> None:
    """Rows that always hold a label, with one label that rarely clears any sensible threshold on its own:
    fitted with the rule, the thresholds score better than those fitted without it and then given the rule."""
    probs, y = _skewed(seed=3)
    y[:, 2] = (y[:, :2].sum(axis=1) == 0).astype(int)  # every row has a label
    schema = LabelSchema(("common", "rare", "other"), "multilabel")
    score = OBJECTIVES[objective]
    aware = ThresholdCalibrator("per_label", objective, min_labels=1).fit(probs, y, schema)
    blind = ThresholdCalibrator("per_label", objective).fit(probs, y, schema)
    assert aware.predict(probs).sum(axis=1).min() == 1
    blind.min_labels_ = 1  # the same rule applied after fitting without it
    assert aware.score_ > score(blind.predict(probs).astype(bool), y.astype(bool)) + 0.005


def test_min_labels_auto_keeps_the_rule_only_where_it_scores_better() -> None:
    probs, y = _skewed(seed=3)
    labelled = y.copy()
    labelled[:, 2] = (y[:, :2].sum(axis=1) == 0).astype(int)  # every row has a label: the rule helps
    schema = LabelSchema(("common", "rare", "other"), "multilabel")
    cal = ThresholdCalibrator("per_label", "jaccard", min_labels="auto").fit(probs, labelled, schema)
    assert cal.min_labels_ == 1 and cal.predict(probs).sum(axis=1).min() == 1
    again = ThresholdCalibrator.from_dict(cal.to_dict())
    assert again.min_labels == "auto" and again.min_labels_ == 1
    assert np.array_equal(again.predict(probs), cal.predict(probs))
    empty = y.copy()
    empty[:, 2] = 0  # about half of the rows hold no label: the rule would add a wrong one to each
    cal = ThresholdCalibrator("per_label", "jaccard", min_labels="auto").fit(probs, empty, schema)
    assert cal.min_labels_ == 0 and cal.predict(probs).sum(axis=1).min() == 0
    with pytest.raises(ValueError, match="'auto'"):
        ThresholdCalibrator(min_labels="some")


def _right_at_half(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Scores whose F1-best threshold is 0.5 on the population: calibrated probabilities q (F1-best cut 0.37
    for labels drawn as Bernoulli(q)) mapped so that 0.37 lands on 0.5. Tuning can only fit noise here."""
    rng = np.random.default_rng(seed)
    q = rng.random((n, 3))
    return q ** (np.log(0.5) / np.log(0.37)), (rng.random((n, 3)) < q).astype(int)


def test_auto_tunes_where_tuning_wins_on_held_out_halves() -> None:
    probs, y = _skewed()  # the rare label never reaches 0.5: a tuned threshold wins on unseen rows
    cal = ThresholdCalibrator("auto").fit(probs, y, SCHEMA)
    assert cal.chosen_ != "fixed" and cal.held_out_[cal.chosen_] > cal.held_out_["fixed"]
    assert cal.thresholds_ is not None and cal.thresholds_[1] < 0.5
    again = ThresholdCalibrator.from_dict(cal.to_dict())  # the choice travels in the bundle
    assert again.chosen_ == cal.chosen_ and np.array_equal(again.predict(probs), cal.predict(probs))


def test_auto_keeps_the_default_where_tuning_only_fits_noise() -> None:
    """Where 0.5 is already the best threshold, per-label thresholds fitted on 120 rows lose to it on fresh
    rows; auto keeps 0.5 on most draws and does not lose to it."""
    test_probs, test_y = _right_at_half(4000, seed=99)
    held_out: dict[str, list[float]] = {s: [] for s in ("fixed", "per_label", "auto")}
    chosen = []
    for seed in range(6):
        probs, y = _right_at_half(120, seed)
        for strategy, scores in held_out.items():
            cal = ThresholdCalibrator(strategy).fit(probs, y, SCHEMA)
            scores.append(compute_metrics(test_y, cal.predict(test_probs), SCHEMA)["macro_f1"])
            chosen += [cal.chosen_] if strategy == "auto" else []
    mean = {s: float(np.mean(v)) for s, v in held_out.items()}
    assert mean["per_label"] < mean["fixed"] - 0.003, mean  # the trap is real on these rows
    assert mean["auto"] >= mean["fixed"] - 0.002, (mean, chosen)
    assert chosen.count("fixed") >= 4, chosen


def test_auto_with_too_few_rows_keeps_the_default() -> None:
    probs, y = _skewed(n=30)
    cal = ThresholdCalibrator("auto").fit(probs, y, SCHEMA)
    assert cal.chosen_ == "fixed" and cal.held_out_ == {} and cal.thresholds_ is not None
    assert (cal.thresholds_ == 0.5).all()
