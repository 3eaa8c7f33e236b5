"""FGM adversarial training (``train.adversarial``): the embedding shift, the trainer's second pass, and the
settings it cannot work with."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from emotune import EmotionClassifier
from emotune.config import RunConfig
from emotune.errors import ConfigError
from emotune.models.base import build_model
from emotune.training import trainer as trainer_module
from emotune.training.trainer import fgm_shift

TEXTS = ["so angry", "very happy", "sad and low", "the bus", "furious", "love it", "tears", "tuesday"] * 2
LABELS = [["anger"], ["joy"], ["sadness"], []] * 4


def test_the_shift_follows_the_gradient_at_the_given_norm_and_is_undone() -> None:
    table = nn.Embedding(5, 3)
    before = table.weight.detach().clone()
    with fgm_shift(table, 0.5) as shifted:
        assert not shifted and torch.equal(table.weight, before)  # no gradient yet: nothing to follow
    grad = torch.zeros(5, 3)
    grad[1] = torch.tensor([3.0, 0.0, 4.0])  # norm 5
    table.weight.grad = grad
    with fgm_shift(table, 0.5) as shifted:
        assert shifted
        moved = table.weight.detach() - before
        assert torch.allclose(moved[1], torch.tensor([0.3, 0.0, 0.4]), atol=1e-6)
        assert torch.equal(moved[[0, 2, 3, 4]], torch.zeros(4, 3))
    assert torch.equal(table.weight, before)


def _fit(tiny_bert: Path, **train: object) -> EmotionClassifier:
    settings = {"epochs": 1, "batch_size": 4, "precision": "fp32", **train}
    cfg = RunConfig.model_validate({"model": {"name": str(tiny_bert)}, "train": settings})
    return EmotionClassifier(config=cfg).fit(TEXTS, LABELS)


def test_each_training_batch_is_run_again_on_shifted_embeddings(
    tiny_bert: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shifts: list[bool] = []
    real = trainer_module.fgm_shift

    def spy(table: nn.Embedding, epsilon: float):  # type: ignore[no-untyped-def]
        assert epsilon == 1.0 and table.weight.requires_grad
        context = real(table, epsilon)
        shifts.append(True)
        return context

    monkeypatch.setattr(trainer_module, "fgm_shift", spy)
    adversarial = _fit(tiny_bert, adversarial=1.0)
    assert len(shifts) == 4  # 16 texts, batches of 4, one epoch
    plain = _fit(tiny_bert)
    assert len(shifts) == 4  # off by default
    assert not np.allclose(adversarial.predict_proba(TEXTS), plain.predict_proba(TEXTS), atol=1e-6)


@pytest.mark.parametrize(
    ("settings", "frozen"),
    [
        ({"model": {"name": "minilm", "peft": {"method": "lora"}}}, "model.peft.method"),
        ({"model": {"name": "minilm", "freeze_embeddings": True}}, "model.freeze_embeddings"),
        ({"model": {"name": "tfidf"}}, "transformer classifiers"),
    ],
)
def test_adversarial_training_needs_trained_embeddings(settings: dict[str, object], frozen: str) -> None:
    with pytest.raises(ConfigError, match=rf"train\.adversarial.*{frozen}"):
        build_model(RunConfig.model_validate({**settings, "train": {"adversarial": 1.0}}))
