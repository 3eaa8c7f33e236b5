"""Softmax cross-entropy with optional class weights (multiclass)."""

from __future__ import annotations

import torch
from torch import nn

from emotune.config import LossConfig
from emotune.losses.base import LabelStats, as_tensor, register_loss
from emotune.losses.weights import class_weights


class WeightedCrossEntropy(nn.Module):
    """Cross-entropy on ``labels`` as class probabilities (one-hot gold, or a teacher's soft targets);
    ``weight`` per class (``None``: unweighted). The mean is weighted like PyTorch's for class indices, so
    one-hot labels give exactly ``cross_entropy(logits, labels.argmax(-1), weight)``."""

    def __init__(self, weight: torch.Tensor | None) -> None:
        super().__init__()
        self.register_buffer("weight", weight)
        self.weight: torch.Tensor | None

    def forward(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        weighted = labels if self.weight is None else labels * self.weight
        log_p = nn.functional.log_softmax(logits, dim=-1)
        return -(weighted * log_p).sum() / weighted.sum().clamp(min=1e-12)


@register_loss("ce", ("multiclass",), "cross-entropy; train.loss.class_weight none|balanced|effective_number|[...]")
def build(cfg: LossConfig, stats: LabelStats) -> nn.Module:
    return WeightedCrossEntropy(as_tensor(class_weights(cfg.class_weight, stats, cfg.beta)))
