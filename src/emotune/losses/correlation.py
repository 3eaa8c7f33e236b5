"""SpanEmo's label-correlation term (Alhuzali & Ananiadou 2021), mixed into any multilabel loss.

For each text, every (present, absent) label pair costs ``exp(p_absent - p_present)`` (sigmoid
probabilities), averaged over the pairs: the term pushes each present label above each absent one. The
training loss is ``(1 - w) * loss + w * term`` with ``w = train.loss.label_correlation``.
"""

from __future__ import annotations

import torch


def label_correlation(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """The term averaged over the batch's texts that are annotated for some label; a text with no present or no
    absent label adds 0. ``NaN`` labels (not annotated) are neither present nor absent.

    >>> float(label_correlation(torch.tensor([[9.0, -9.0]]), torch.tensor([[1.0, 0.0]]))) < 0.4
    True
    """
    p = torch.sigmoid(logits.float())
    present, absent = labels > 0.5, labels <= 0.5
    pairs = absent.unsqueeze(2) & present.unsqueeze(1)  # (batch, absent q, present p)
    cost = torch.exp(p.unsqueeze(2) - p.unsqueeze(1)) * pairs
    per_text = cost.sum(dim=(1, 2)) / pairs.sum(dim=(1, 2)).clamp(min=1)
    annotated = (~torch.isnan(labels)).any(dim=1)
    return per_text[annotated].sum() / annotated.sum().clamp(min=1)
