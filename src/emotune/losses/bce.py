"""Binary cross-entropy on sigmoid outputs, optionally with a per-label ``pos_weight`` (multilabel)."""

from __future__ import annotations

import torch
from torch import nn

from emotune.config import LossConfig
from emotune.losses.base import ElementwiseLoss, LabelStats, as_tensor, register_loss
from emotune.losses.weights import pos_weight


class BCELoss(ElementwiseLoss):
    """``nn.BCEWithLogitsLoss`` per entry (the same numbers), so that unannotated entries can be left out."""

    def __init__(self, pos_weight: torch.Tensor | None) -> None:
        super().__init__()
        self.register_buffer("pos_weight", pos_weight)
        self.pos_weight: torch.Tensor | None

    def elementwise(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return nn.functional.binary_cross_entropy_with_logits(logits.float(), labels, pos_weight=self.pos_weight,
                                                              reduction="none")  # fmt: skip


@register_loss("bce", ("multilabel",), "binary cross-entropy; train.loss.pos_weight none|linear|sqrt|[...]")
def build(cfg: LossConfig, stats: LabelStats) -> nn.Module:
    return BCELoss(as_tensor(pos_weight(cfg.pos_weight, stats)))
