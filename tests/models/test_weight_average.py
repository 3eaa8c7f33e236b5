"""The exponential moving average of the weights (``train.ema``): the average by hand, the swap at epoch
ends, and a fit that ends on the averaged weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from emotune.config import RunConfig
from emotune.data.labels import LabelSchema
from emotune.models.base import build_model
from emotune.settling import settle
from emotune.training.averaging import WeightAverage


def test_average_follows_the_steps_and_is_swapped_in_for_each_epoch_end() -> None:
    model = nn.Linear(2, 1)
    model.bias.requires_grad_(False)  # frozen weights are neither averaged nor swapped
    callback = WeightAverage(decay=0.5)
    with torch.no_grad():
        model.weight.fill_(0.0)
        callback.on_train_begin(None, None, None, model=model)  # type: ignore[arg-type]
        expected = torch.zeros(1, 2)
        for step, value in enumerate([1.0, 2.0, 4.0], start=1):
            model.weight.fill_(value)
            callback.on_step_end(None, None, None, model=model)  # type: ignore[arg-type]
            decay = min(0.5, (1 + step) / (10 + step))
            expected = decay * expected + (1 - decay) * value
    assert set(callback.average) == {"weight"}
    torch.testing.assert_close(callback.average["weight"], expected)
    callback.on_epoch_end(None, None, None, model=model)  # type: ignore[arg-type]
    torch.testing.assert_close(model.weight.detach(), expected)  # scored and saved averaged
    callback.on_epoch_begin(None, None, None, model=model)  # type: ignore[arg-type]
    torch.testing.assert_close(model.weight.detach(), torch.full((1, 2), 4.0))  # trains on from its own weights


def test_fit_with_ema_ends_on_the_averaged_weights(tiny_bert: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[WeightAverage] = []
    init = WeightAverage.__init__

    def record(self: WeightAverage, decay: float) -> None:
        init(self, decay)
        made.append(self)

    monkeypatch.setattr(WeightAverage, "__init__", record)
    train = {"epochs": 2, "batch_size": 4, "precision": "fp32", "ema": 0.9}
    cfg = settle(RunConfig.model_validate({"model": {"name": str(tiny_bert), "max_length": 16}, "train": train}))
    texts = ["so angry", "very happy", "sad and low", "the bus is late"] * 4
    y = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0]] * 4)
    model = build_model(cfg)
    model.fit(texts, y, LabelSchema(("anger", "joy", "sadness"), "multilabel"))  # no dev: the last epoch is kept
    (callback,) = made
    assert callback.updates == 8  # 16 texts / batch 4 x 2 epochs
    trained = dict(model.module_.named_parameters())  # type: ignore[attr-defined]
    for name, average in callback.average.items():
        torch.testing.assert_close(trained[name].detach(), average)
    assert np.isfinite(model.predict_proba(texts)).all()
