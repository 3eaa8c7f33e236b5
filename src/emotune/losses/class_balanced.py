"""Class-balanced loss (Cui et al. 2019): each label's (multilabel, sigmoid) or class's (multiclass,
softmax) loss term weighted by the inverse effective number of its samples, (1 - beta) / (1 - beta ** n)."""

from __future__ import annotations

import torch
from torch import nn

from emotune.config import LossConfig
from emotune.losses.base import ElementwiseLoss, LabelStats, as_tensor, register_loss
from emotune.losses.cross_entropy import WeightedCrossEntropy
from emotune.losses.weights import class_weights


class LabelWeightedBCE(ElementwiseLoss):
    def __init__(self, weight: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("weight", weight)
        self.weight: torch.Tensor

    def elementwise(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        bce = nn.functional.binary_cross_entropy_with_logits(logits.float(), labels, reduction="none")
        return bce * self.weight


@register_loss("class_balanced", ("multilabel", "multiclass"), "effective-number weights; train.loss.beta")
def build(cfg: LossConfig, stats: LabelStats) -> nn.Module:
    weights = as_tensor(class_weights("effective_number", stats, cfg.beta))
    assert weights is not None
    return WeightedCrossEntropy(weights) if stats.task == "multiclass" else LabelWeightedBCE(weights)
