"""R-Drop: the symmetric KL between two dropout passes, the wrapper around registry losses, and the trainer
running each training batch twice for it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from emotune import EmotionClassifier
from emotune.config import LossConfig, RunConfig
from emotune.errors import ConfigError
from emotune.losses import LabelStats, build_loss
from emotune.losses.rdrop import WithRDrop, symmetric_kl
from emotune.models.base import build_model


def test_symmetric_kl_matches_the_distributions_by_hand() -> None:
    torch.manual_seed(0)
    a, b = torch.randn(5, 4), torch.randn(5, 4)
    bern = torch.distributions.Bernoulli
    by_hand = (torch.distributions.kl_divergence(bern(logits=a), bern(logits=b))
               + torch.distributions.kl_divergence(bern(logits=b), bern(logits=a))).mean() / 2  # fmt: skip
    assert float(symmetric_kl(a, b, "multilabel")) == pytest.approx(float(by_hand), rel=1e-5)
    cat = torch.distributions.Categorical
    by_hand = (torch.distributions.kl_divergence(cat(logits=a), cat(logits=b))
               + torch.distributions.kl_divergence(cat(logits=b), cat(logits=a))).mean() / 2  # fmt: skip
    assert float(symmetric_kl(a, b, "multiclass")) == pytest.approx(float(by_hand), rel=1e-5)
    assert float(symmetric_kl(a, a, "multiclass")) == pytest.approx(0.0, abs=1e-7)


@pytest.mark.parametrize(("name", "task"), [("bce", "multilabel"), ("focal", "multilabel"), ("ce", "multiclass")])
def test_rdrop_wraps_any_loss(name: str, task: str) -> None:
    y = np.eye(3)[[0, 1, 2, 0]] if task == "multiclass" else np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1]])
    stats = LabelStats.from_y(y, task)
    labels = torch.as_tensor(y, dtype=torch.float32)
    base = build_loss(LossConfig(name=name), stats)
    wrapped = build_loss(LossConfig(name=name, rdrop=2.0), stats)
    assert isinstance(wrapped, WithRDrop) and wrapped.passes == 2
    torch.manual_seed(1)
    first, second = torch.randn(4, 3), torch.randn(4, 3)
    expected = (base(first, labels) + base(second, labels)) / 2 + 2.0 * symmetric_kl(first, second, task)
    assert float(wrapped(torch.cat([first, second]), labels)) == pytest.approx(float(expected), rel=1e-5)
    assert float(wrapped(first, labels)) == pytest.approx(float(base(first, labels)), rel=1e-6)  # evaluation


def test_trainer_runs_each_training_batch_twice(tiny_bert: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["so angry", "very happy", "sad and low", "the bus", "furious", "love it", "tears", "tuesday"] * 2
    labels = [["anger"], ["joy"], ["sadness"], []] * 4
    train = {"epochs": 1, "batch_size": 4, "precision": "fp32", "loss": {"rdrop": 1.0}}
    cfg = RunConfig.model_validate({"model": {"name": str(tiny_bert)}, "train": train})
    rows: list[tuple[bool, int, int]] = []
    forward = WithRDrop.forward

    def spy(self: WithRDrop, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        rows.append((torch.is_grad_enabled(), logits.shape[0], labels.shape[0]))
        return forward(self, logits, labels)

    monkeypatch.setattr(WithRDrop, "forward", spy)
    clf = EmotionClassifier(config=cfg).fit(texts, labels)
    training = [(n_logits, n_labels) for grad, n_logits, n_labels in rows if grad]
    evaluation = [(n_logits, n_labels) for grad, n_logits, n_labels in rows if not grad]
    assert len(training) == 4 and all(n_logits == 2 * n_labels for n_logits, n_labels in training)
    assert evaluation and all(n_logits == n_labels for n_logits, n_labels in evaluation)  # dev: one pass
    assert np.isfinite(clf.predict_proba(texts)).all()


def test_kinds_without_the_loss_registry_refuse_loss_terms() -> None:
    for term in LossConfig.TERMS:
        with pytest.raises(ConfigError, match=rf"train\.loss\.{term}"):
            build_model(RunConfig.model_validate({"model": {"name": "tfidf"}, "train": {"loss": {term: 0.5}}}))


def test_the_refused_terms_are_exactly_the_ones_build_loss_adds() -> None:
    """``LossConfig.TERMS`` (what TF-IDF and generative models refuse) lists every knob that wraps the loss."""
    stats = LabelStats.from_y(np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1]]), "multilabel")
    plain = type(build_loss(LossConfig(name="bce"), stats))
    numeric = [key for key, field in LossConfig.model_fields.items() if field.annotation is float]
    wrapping = [key for key in numeric if type(build_loss(LossConfig(name="bce", **{key: 0.5}), stats)) is not plain]
    assert sorted(wrapping) == sorted(LossConfig.TERMS)
