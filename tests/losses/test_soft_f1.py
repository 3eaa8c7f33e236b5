"""The differentiable macro-F1 term (``train.loss.soft_f1``): its value by hand, label masks, mixing into the
registry's multilabel losses and the refusals."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from emotune.config import LossConfig, RunConfig
from emotune.errors import ConfigError, SettingError
from emotune.losses import LabelStats, build_loss
from emotune.losses.correlation import label_correlation
from emotune.losses.soft_f1 import soft_macro_f1_loss
from emotune.models.base import build_model

Y = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0], [0, 0, 1], [1, 0, 0]], dtype=np.float32)


def test_soft_f1_matches_the_counts_by_hand() -> None:
    torch.manual_seed(0)
    logits, labels = torch.randn(5, 3), torch.from_numpy(Y)
    p, y = torch.sigmoid(logits), labels
    tp, fp, fn = (p * y).sum(0), (p * (1 - y)).sum(0), ((1 - p) * y).sum(0)
    by_hand = 1 - (2 * tp / (2 * tp + fp + fn)).mean()
    assert float(soft_macro_f1_loss(logits, labels)) == pytest.approx(float(by_hand), rel=1e-5)
    confident = 30 * (2 * labels - 1)
    assert float(soft_macro_f1_loss(confident, labels)) < 1e-5  # every decision right: F1 1 for each label
    assert float(soft_macro_f1_loss(-confident, labels)) > 1 - 1e-5  # every decision wrong: F1 0


def test_soft_f1_leaves_out_labels_that_are_not_annotated() -> None:
    torch.manual_seed(0)
    logits, labels = torch.randn(5, 3), torch.from_numpy(Y).clone()
    masked = labels.clone()
    masked[:, 2] = float("nan")  # label 2 annotated in no row: the mean is over labels 0 and 1
    without = soft_macro_f1_loss(logits[:, :2], labels[:, :2])
    assert float(soft_macro_f1_loss(logits, masked)) == pytest.approx(float(without))
    masked = labels.clone()
    masked[:2, 0] = float("nan")  # rows 0 and 1 not annotated for label 0: they count in none of its sums
    kept = torch.tensor([2, 3, 4])
    p = torch.sigmoid(logits)
    f1 = [2 * (p[kept, 0] * labels[kept, 0]).sum() / (p[kept, 0].sum() + labels[kept, 0].sum())]
    f1 += [2 * (p[:, j] * labels[:, j]).sum() / (p[:, j].sum() + labels[:, j].sum()) for j in (1, 2)]
    assert float(soft_macro_f1_loss(logits, masked)) == pytest.approx(1 - float(sum(f1)) / 3, rel=1e-5)
    logits.requires_grad_(True)
    soft_macro_f1_loss(logits, masked).backward()
    assert logits.grad is not None and bool((logits.grad[:2, 0] == 0).all())


@pytest.mark.parametrize("name", ["bce", "focal", "asl"])
def test_soft_f1_mixes_into_any_multilabel_loss(name: str) -> None:
    stats = LabelStats.from_y(Y, "multilabel")
    base = build_loss(LossConfig(name=name), stats)
    mixed = build_loss(LossConfig(name=name, soft_f1=0.3, label_correlation=0.2), stats)
    logits, labels = torch.randn(5, 3), torch.from_numpy(Y)
    with_correlation = 0.8 * base(logits, labels) + 0.2 * label_correlation(logits, labels)
    expected = 0.7 * with_correlation + 0.3 * soft_macro_f1_loss(logits, labels)
    assert float(mixed(logits, labels)) == pytest.approx(float(expected), rel=1e-5)


def test_soft_f1_is_refused_where_it_has_no_meaning() -> None:
    with pytest.raises(SettingError, match=r"train\.loss\.soft_f1.*multilabel"):
        build_loss(LossConfig(soft_f1=0.5), LabelStats.from_y(np.eye(3), "multiclass"))
    with pytest.raises(ConfigError, match=r"train\.loss\.soft_f1"):
        build_model(RunConfig.model_validate({"model": {"name": "tfidf"}, "train": {"loss": {"soft_f1": 0.5}}}))
    with pytest.raises(ValueError, match="soft_f1"):
        LossConfig(soft_f1=1.0)  # the base loss would get no weight at all
