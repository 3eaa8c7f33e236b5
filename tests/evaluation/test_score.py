from __future__ import annotations

import numpy as np
import pytest

from emotune.calibration.thresholds import ThresholdCalibrator
from emotune.data.labels import LabelSchema
from emotune.evaluation import score as score_module


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
