"""Asymmetric loss (Ridnik et al. 2021) for multilabel data: focusing that is stronger on negatives
(``gamma_neg``) than positives (``gamma_pos``), and probability shifting (``clip``) that discards easy
negatives."""

from __future__ import annotations

import torch
from torch import nn

from emotune.config import LossConfig
from emotune.losses.base import ElementwiseLoss, LabelStats, register_loss


class AsymmetricLoss(ElementwiseLoss):
    def __init__(self, gamma_pos: float, gamma_neg: float, clip: float, eps: float = 1e-8) -> None:
        super().__init__()
        self.gamma_pos, self.gamma_neg, self.clip, self.eps = gamma_pos, gamma_neg, clip, eps

    def elementwise(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        p = torch.sigmoid(logits.float())
        p_neg = (p - self.clip).clamp(min=0) if self.clip > 0 else p
        positive = labels * (1 - p) ** self.gamma_pos * torch.log(p.clamp(min=self.eps))
        negative = (1 - labels) * p_neg**self.gamma_neg * torch.log((1 - p_neg).clamp(min=self.eps))
        return -(positive + negative)


@register_loss("asl", ("multilabel",), "asymmetric loss; train.loss.gamma_pos, gamma_neg, clip")
def build(cfg: LossConfig, stats: LabelStats) -> nn.Module:
    return AsymmetricLoss(cfg.gamma_pos, cfg.gamma_neg, cfg.clip)
