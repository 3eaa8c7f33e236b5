"""Binary cross-entropy on sigmoid outputs, optionally with a per-label ``pos_weight`` (multilabel)."""

from __future__ import annotations

from torch import nn

from emotune.config import LossConfig
from emotune.losses.base import LabelStats, as_tensor, register_loss
from emotune.losses.weights import pos_weight


@register_loss("bce", ("multilabel",), "binary cross-entropy; train.loss.pos_weight none|linear|sqrt|[...]")
def build(cfg: LossConfig, stats: LabelStats) -> nn.Module:
    return nn.BCEWithLogitsLoss(pos_weight=as_tensor(pos_weight(cfg.pos_weight, stats)))
