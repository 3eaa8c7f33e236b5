"""Invariants every registered loss must satisfy, plus the weighting each one promises."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from emotune.config import LossConfig
from emotune.errors import ConfigError
from emotune.losses import LOSSES, LabelStats, build_loss
from emotune.losses.weights import class_weights, pos_weight

N_LABELS = 4


def _labels(task: str, n: int = 64, seed: int = 0) -> torch.Tensor:
    rng = np.random.default_rng(seed)
    if task == "multiclass":
        ids = rng.choice(N_LABELS, size=n, p=[0.6, 0.25, 0.1, 0.05])
        return torch.nn.functional.one_hot(torch.as_tensor(ids), N_LABELS).float()
    return torch.as_tensor(rng.random((n, N_LABELS)) < np.array([0.5, 0.2, 0.1, 0.05])).float()


CASES = [(name, task) for name, spec in sorted(LOSSES.items()) for task in spec.tasks]
WEIGHTED = [
    LossConfig(name="bce", pos_weight="linear"),
    LossConfig(name="bce", pos_weight="sqrt"),
    LossConfig(name="ce", class_weight="balanced"),
    LossConfig(name="focal", alpha="class_weights"),
    LossConfig(name="focal", alpha="balanced"),
    LossConfig(name="focal", alpha="effective_number", beta=0.99),
]


@pytest.mark.parametrize(("name", "task"), CASES)
def test_finite_nonnegative_and_differentiable(name: str, task: str) -> None:
    labels = _labels(task)
    loss_fn = build_loss(LossConfig(name=name), LabelStats.from_y(labels.numpy(), task))
    logits = torch.randn(labels.shape, requires_grad=True)
    loss = loss_fn(logits, labels)
    assert loss.ndim == 0 and torch.isfinite(loss) and loss.item() >= 0
    loss.backward()
    assert logits.grad is not None and torch.isfinite(logits.grad).all() and logits.grad.abs().sum() > 0


@pytest.mark.parametrize(("name", "task"), CASES)
def test_near_zero_on_perfect_predictions(name: str, task: str) -> None:
    labels = _labels(task)
    loss_fn = build_loss(LossConfig(name=name), LabelStats.from_y(labels.numpy(), task))
    perfect = (labels * 2 - 1) * 30.0  # confident and right
    wrong = -perfect
    assert loss_fn(perfect, labels).item() < 1e-3
    assert loss_fn(wrong, labels).item() > 1.0 if name != "asl" else loss_fn(wrong, labels).item() > 0.1


@pytest.mark.parametrize("cfg", WEIGHTED, ids=lambda c: f"{c.name}-{c.pos_weight}-{c.class_weight}-{c.alpha}")
def test_weights_shift_the_gradient_towards_rare_labels(cfg: LossConfig) -> None:
    """In one batch with a missed rare positive and a missed common positive, weighting must raise the rare
    row's share of the gradient compared with the same loss unweighted."""
    task = "multiclass" if cfg.name == "ce" else "multilabel"
    stats = LabelStats.from_y(_labels(task, n=400).numpy(), task)
    rare, common = int(np.argmin(stats.positives)), int(np.argmax(stats.positives))
    target = torch.zeros(2, N_LABELS)
    target[0, rare] = target[1, common] = 1

    def rare_share(loss_cfg: LossConfig) -> float:
        logits = torch.full((2, N_LABELS), 0.0 if task == "multiclass" else -3.0, requires_grad=True)
        build_loss(loss_cfg, stats)(logits, target).backward()
        assert logits.grad is not None
        norms = logits.grad.norm(dim=1)
        return float(norms[0] / norms.sum())

    assert rare_share(cfg) > rare_share(LossConfig(name=cfg.name, pos_weight="none")) + 0.01


@pytest.mark.parametrize("alpha", [0.25, "balanced", "class_weights", "effective_number"])
def test_multilabel_focal_alpha_stays_a_probability(alpha: object) -> None:
    labels = _labels("multilabel", n=400)
    loss_fn = build_loss(LossConfig(name="focal", alpha=alpha), LabelStats.from_y(labels.numpy(), "multilabel"))
    assert loss_fn.alpha is not None and bool(((loss_fn.alpha > 0) & (loss_fn.alpha < 1)).all())


def test_weight_formulas() -> None:
    stats = LabelStats(np.array([50.0, 10.0]), 100, "multilabel")
    assert pos_weight("linear", stats).tolist() == [1.0, 9.0]
    assert pos_weight("sqrt", stats).tolist() == [1.0, 3.0]
    balanced = class_weights("balanced", stats)
    assert balanced is not None and balanced.mean() == pytest.approx(1) and balanced[1] > balanced[0]
    effective = class_weights("effective_number", stats, beta=0.9)
    assert effective is not None and effective[1] > effective[0]
    assert pos_weight([2.0, 3.0], stats).tolist() == [2.0, 3.0]
    with pytest.raises(ConfigError, match="expected 2 values"):
        pos_weight([1.0], stats)


def test_registry_errors() -> None:
    stats = LabelStats(np.array([5.0, 5.0]), 10, "multiclass")
    with pytest.raises(ConfigError, match="unknown loss 'hinge'"):
        build_loss(LossConfig(name="hinge"), stats)
    with pytest.raises(ConfigError, match="loss 'bce' is for multilabel data, this data is multiclass"):
        build_loss(LossConfig(name="bce"), stats)
    assert type(build_loss(LossConfig(), stats)).__name__ == "WeightedCrossEntropy"  # auto
