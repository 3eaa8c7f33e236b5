from __future__ import annotations

import numpy as np
import pytest

from emotune.data.labels import LabelSchema
from emotune.decisions.thresholds import ThresholdCalibrator
from emotune.evaluation import score as score_module
from emotune.evaluation.metrics import compute_metrics


@pytest.mark.parametrize("grouped", [True, False])
def test_held_out_halves_keep_each_dialogue_whole(grouped: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``groups`` (dialogue ids) the rows a decision rule is fitted on and the rows it is scored on
    never share a dialogue; without them, turns of one dialogue land in both halves."""
    rng = np.random.default_rng(0)
    schema = LabelSchema(("none", "joy", "anger"), "multiclass", neutral="none")
    groups = np.repeat(np.arange(60), 5)  # 60 dialogues of 5 turns
    y = schema.one_hot(rng.choice(3, size=len(groups), p=[0.6, 0.3, 0.1]))
    probs = rng.dirichlet(np.ones(3), size=len(groups))
    probs[:, 0] = groups + 0.5  # the dialogue id travels in column 0, so the calibrator's calls reveal it
    fitted: list[tuple[int, set[int]]] = []
    scored: list[tuple[int, set[int]]] = []
    real_fit, real_predict = ThresholdCalibrator.fit, ThresholdCalibrator.predict

    def fit(self: ThresholdCalibrator, p: np.ndarray, *args: object) -> ThresholdCalibrator:
        fitted.append((len(p), set(p[:, 0].astype(int).tolist())))
        self.fitting = True
        out = real_fit(self, p, *args)  # type: ignore[arg-type]
        self.fitting = False
        return out

    def predict(self: ThresholdCalibrator, p: np.ndarray) -> np.ndarray:
        if not getattr(self, "fitting", False):  # fit scores its own rows: not a held-out prediction
            scored.append((len(p), set(p[:, 0].astype(int).tolist())))
        return real_predict(self, p)

    monkeypatch.setattr(ThresholdCalibrator, "fit", fit)
    monkeypatch.setattr(ThresholdCalibrator, "predict", predict)
    calibrator = real_fit(ThresholdCalibrator(decision="macro_f1"), probs, y, schema)
    out = score_module.score(y, probs, calibrator, schema, held_out=True, groups=groups if grouped else None)
    assert 0 <= out["dev_two_fold"]["micro_f1_without_neutral"] <= 1
    halves = [[ids for n, ids in calls if n < len(y)] for calls in (fitted, scored)]  # not the all-rows calls
    assert len(halves[0]) == len(halves[1]) == 2  # fitted on one half, scored on the other, both ways
    shared = [f & s for f, s in zip(*halves, strict=True)]
    assert all(not s for s in shared) if grouped else any(shared)


def test_epoch_choice_is_made_on_the_fitting_half_and_scored_on_the_other() -> None:
    """Two epochs, each right on one half of dev and wrong on the other: choosing on all of dev hides that,
    choosing on the fitting half picks the epoch that is wrong where it is scored."""
    rng = np.random.default_rng(1)
    schema = LabelSchema(("a", "b", "c"), "multilabel")
    y = (rng.random((200, 3)) < 0.4).astype(np.int8)
    (fit0, score0), (fit1, score1) = score_module.halves(y, schema)
    right, wrong = 0.1 + 0.8 * y, 0.9 - 0.8 * y
    first, second = right.copy(), right.copy()
    first[score0], second[score1] = wrong[score0], wrong[score1]  # first is right on fit0, second on fit1
    calibrator = ThresholdCalibrator("per_label", "macro_f1")
    chosen = score_module.two_fold_with_epoch_choice(y, [first, second], calibrator, schema, "macro_f1")
    by_hand = []
    for epoch, fit_idx, score_idx in ((first, fit0, score0), (second, fit1, score1)):
        half = ThresholdCalibrator("per_label", "macro_f1").fit(epoch[fit_idx], y[fit_idx], schema)
        by_hand.append(compute_metrics(y[score_idx], half.predict(epoch[score_idx]), schema)["macro_f1"])
    assert chosen["macro_f1"] == pytest.approx(np.mean(by_hand)) and chosen["macro_f1"] < 0.5
    for epoch in (first, second):  # the plain estimate of either epoch
        assert score_module.two_fold(y, epoch, calibrator, schema)["macro_f1"] > chosen["macro_f1"] + 0.2


def test_epoch_choice_of_one_epoch_is_the_plain_estimate() -> None:
    rng = np.random.default_rng(2)
    schema = LabelSchema(("a", "b", "c"), "multilabel")
    y = (rng.random((120, 3)) < 0.4).astype(np.int8)
    probs = np.clip(0.5 * y + rng.random(y.shape) * 0.6, 0, 1)
    calibrator = ThresholdCalibrator("per_label", "macro_f1+jaccard")
    plain = score_module.two_fold(y, probs, calibrator, schema)
    # the same epoch twice: the first of equals is kept, which is the same epoch
    for history in ([probs], [probs, probs]):
        assert score_module.two_fold_with_epoch_choice(y, history, calibrator, schema, "macro_f1+jaccard") == plain
