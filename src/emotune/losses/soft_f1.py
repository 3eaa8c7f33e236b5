"""A differentiable macro-F1 term (sigmoidF1, Bénédict et al. 2022), mixed into any multilabel loss.

Per label, over the batch, the counts of an F1 score are taken with sigmoid probabilities in place of 0/1
decisions: ``tp = sum(p * y)``, ``fp = sum(p * (1 - y))``, ``fn = sum((1 - p) * y)``. The term is
``1 - mean over labels of 2 tp / (2 tp + fp + fn)``, so it trains towards the metric the thresholds are tuned
for. The training loss is ``(1 - w) * loss + w * term`` with ``w = train.loss.soft_f1``.
"""

from __future__ import annotations

import torch


def soft_macro_f1_loss(logits: torch.Tensor, labels: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """``1 -`` the batch's soft macro-F1. ``NaN`` labels (not annotated) count in none of the sums, and a label
    annotated in no row of the batch is left out of the mean.

    >>> y = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    >>> float(soft_macro_f1_loss(20 * (2 * y - 1), y)) < 1e-6
    True
    """
    p = torch.sigmoid(logits.float())
    known = ~torch.isnan(labels)
    y = torch.where(known, labels, torch.zeros_like(labels)).float()
    p = p * known
    tp = (p * y).sum(dim=0)
    fp = (p * (1 - y)).sum(dim=0)  # p is 0 where the label is unknown
    fn = ((1 - p) * y).sum(dim=0)
    f1 = 2 * tp / (2 * tp + fp + fn + eps)
    annotated = known.any(dim=0)
    return 1 - f1[annotated].sum() / annotated.sum().clamp(min=1)
