"""Focal loss (Lin et al. 2017) for multilabel (sigmoid) and multiclass (softmax) data.

``alpha`` weighs the positive class: a scalar, one value per label, or ``class_weights`` (the weights that
``train.loss.class_weight`` describes); ``gamma`` down-weighs examples that are already well classified.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from emotune.config import LossConfig
from emotune.losses.base import ElementwiseLoss, LabelStats, as_tensor, register_loss
from emotune.losses.weights import class_weights, pos_weight


class FocalLoss(ElementwiseLoss):
    def __init__(self, alpha: torch.Tensor | None, gamma: float, multiclass: bool) -> None:
        super().__init__()
        self.register_buffer("alpha", alpha)
        self.alpha: torch.Tensor | None
        self.gamma = gamma
        self.multiclass = multiclass

    def forward(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        if not self.multiclass:
            return super().forward(logits, labels)
        target = labels.argmax(dim=-1)
        log_p = nn.functional.log_softmax(logits.float(), dim=-1).gather(1, target[:, None]).squeeze(1)
        loss = -((1 - log_p.exp()) ** self.gamma) * log_p
        if self.alpha is not None:
            loss = loss * self.alpha[target]
        return loss.mean()

    def elementwise(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        logits = logits.float()
        bce = nn.functional.binary_cross_entropy_with_logits(logits, labels, reduction="none")
        p = torch.sigmoid(logits)
        p_t = p * labels + (1 - p) * (1 - labels)
        loss = (1 - p_t) ** self.gamma * bce
        if self.alpha is not None:
            loss = loss * (self.alpha * labels + (1 - self.alpha) * (1 - labels))
        return loss


def _alpha(cfg: LossConfig, stats: LabelStats) -> torch.Tensor | None:
    """Per-label alpha. Derived weights (mean 1) are squashed into (0, 1) for multilabel, where alpha weighs
    positives and 1 - alpha negatives."""
    if cfg.alpha is None:
        return None
    if isinstance(cfg.alpha, float):
        return as_tensor(np.full(len(stats.positives), cfg.alpha))
    if isinstance(cfg.alpha, list):
        return as_tensor(pos_weight(cfg.alpha, stats))  # validates the length, returns the values as given
    mode: str | list[float] = cfg.alpha
    if mode == "class_weights":
        mode = cfg.class_weight if cfg.class_weight != "none" else "balanced"
    weights = class_weights(mode, stats, cfg.beta)
    assert weights is not None
    return as_tensor(weights if stats.task == "multiclass" else weights / (1 + weights))


@register_loss("focal", ("multilabel", "multiclass"), "focal loss; train.loss.gamma, train.loss.alpha")
def build(cfg: LossConfig, stats: LabelStats) -> nn.Module:
    return FocalLoss(_alpha(cfg, stats), cfg.gamma, stats.task == "multiclass")
