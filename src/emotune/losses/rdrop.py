"""R-Drop (Liang et al. 2021): two passes through the model with different dropout, and a term that makes
their predictions agree, on top of any registry loss.

The trainer runs a batch twice (in one forward pass over the doubled batch) when the loss asks for it with
``passes = 2``; the loss then gets ``2 * batch`` rows of logits for ``batch`` rows of labels and returns
``mean(base(first), base(second)) + weight * symmetric KL(first, second)``. The symmetric KL is per label for
multilabel logits (two Bernoulli distributions: ``(p - q) * (a - b)`` for sigmoid probabilities ``p, q`` of
logits ``a, b``), averaged over labels like BCE, and over the classes' softmax for multiclass, summed over
classes like cross-entropy; each half-weighted as in the paper. With as many rows as labels (evaluation),
the loss is the base loss.
"""

from __future__ import annotations

import torch
from torch import nn


def symmetric_kl(first: torch.Tensor, second: torch.Tensor, task: str) -> torch.Tensor:
    """``(KL(p||q) + KL(q||p)) / 2`` between the predictions of two logit tensors, averaged over the batch.

    >>> float(symmetric_kl(torch.tensor([[1.0, -2.0]]), torch.tensor([[1.0, -2.0]]), "multilabel"))
    0.0
    """
    if task == "multilabel":
        return ((torch.sigmoid(first) - torch.sigmoid(second)) * (first - second)).mean() / 2
    log_p, log_q = torch.log_softmax(first, dim=-1), torch.log_softmax(second, dim=-1)
    return ((log_p.exp() - log_q.exp()) * (log_p - log_q)).sum(dim=-1).mean() / 2


class WithRDrop(nn.Module):
    """``base`` on each of two dropout passes, averaged, plus ``weight`` times their symmetric KL."""

    passes = 2

    def __init__(self, base: nn.Module, weight: float, task: str) -> None:
        super().__init__()
        self.base = base
        self.weight = weight
        self.task = task

    def forward(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        if logits.shape[0] != 2 * labels.shape[0]:  # one pass (evaluation): the plain loss
            return self.base(logits, labels)
        first, second = logits.chunk(2)
        loss = (self.base(first, labels) + self.base(second, labels)) / 2
        return loss + self.weight * symmetric_kl(first, second, self.task)
