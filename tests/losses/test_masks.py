"""Label masks (combined datasets): every multilabel registry loss leaves ``NaN`` (unannotated) entries out."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from emotune.config import LossConfig
from emotune.losses import LOSSES, LabelStats, build_loss
from emotune.losses.weights import pos_weight

MULTILABEL = sorted(name for name, spec in LOSSES.items() if "multilabel" in spec.tasks)
CONFIGS = [LossConfig(name=n) for n in MULTILABEL] + [LossConfig(name="bce", label_correlation=0.3),
                                                     LossConfig(name="focal", alpha=0.25)]  # fmt: skip


def _batch(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    rng = np.random.default_rng(seed)
    labels = torch.as_tensor(rng.random((32, 5)) < np.array([0.5, 0.3, 0.2, 0.1, 0.4])).float()
    return torch.randn(labels.shape, generator=torch.Generator().manual_seed(seed)), labels


@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: f"{c.name}-corr{c.label_correlation}-a{c.alpha}")
def test_masked_rows_leave_the_loss_as_if_they_were_not_there(cfg: LossConfig) -> None:
    logits, labels = _batch()
    stats = LabelStats.from_y(labels.numpy(), "multilabel")
    loss_fn = build_loss(cfg, stats)
    keep = torch.arange(32) % 3 != 0
    masked = labels.clone()
    masked[~keep] = float("nan")  # every label of a third of the rows unannotated
    torch.testing.assert_close(loss_fn(logits, masked), loss_fn(logits[keep], labels[keep]))


@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: f"{c.name}-corr{c.label_correlation}-a{c.alpha}")
def test_masked_entries_get_no_gradient_and_others_do(cfg: LossConfig) -> None:
    logits, labels = _batch(1)
    loss_fn = build_loss(cfg, LabelStats.from_y(labels.numpy(), "multilabel"))
    masked = labels.clone()
    hidden = torch.rand(labels.shape, generator=torch.Generator().manual_seed(2)) < 0.3
    masked[hidden] = float("nan")
    logits.requires_grad_(True)
    loss = loss_fn(logits, masked)
    loss.backward()
    assert torch.isfinite(loss)
    assert logits.grad is not None
    assert torch.all(logits.grad[hidden] == 0)
    assert torch.count_nonzero(logits.grad[~hidden]) > 0.9 * int((~hidden).sum())


def test_masked_entry_mean_is_over_annotated_entries_only() -> None:
    logits, labels = _batch(3)
    loss_fn = build_loss(LossConfig(name="bce", pos_weight="none"), LabelStats.from_y(labels.numpy(), "multilabel"))
    hidden = torch.zeros_like(labels, dtype=torch.bool)
    hidden[:, 2] = True  # one label nobody annotated
    masked = torch.where(hidden, torch.full_like(labels, float("nan")), labels)
    expected = torch.nn.functional.binary_cross_entropy_with_logits(logits[:, [0, 1, 3, 4]], labels[:, [0, 1, 3, 4]])
    torch.testing.assert_close(loss_fn(logits, masked), expected)


def test_label_stats_count_only_annotated_rows() -> None:
    y = np.array([[1, 0], [0, np.nan], [0, np.nan], [1, 1]], dtype=float)
    stats = LabelStats.from_y(y, "multilabel")
    assert stats.positives.tolist() == [2, 1] and stats.counts.tolist() == [4, 2]
    np.testing.assert_allclose(pos_weight("linear", stats), [1.0, 1.0])  # negatives / positives among annotated
