"""Classification heads on top of a pooled encoder output, and classifier-bias initialisation.

Heads are looked up by name in :data:`HEADS`: ``linear`` or ``mlp`` (``layers`` hidden layers of
``hidden`` units with GELU and dropout between them).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn


def linear_head(in_features: int, n_labels: int, dropout: float, hidden: int, layers: int) -> nn.Sequential:
    return nn.Sequential(nn.Dropout(dropout), nn.Linear(in_features, n_labels))


def mlp_head(in_features: int, n_labels: int, dropout: float, hidden: int, layers: int) -> nn.Sequential:
    blocks: list[nn.Module] = [nn.Dropout(dropout)]
    width = in_features
    for _ in range(max(layers, 1)):
        blocks += [nn.Linear(width, hidden), nn.GELU(), nn.Dropout(dropout)]
        width = hidden
    blocks.append(nn.Linear(width, n_labels))
    return nn.Sequential(*blocks)


HEADS: dict[str, Callable[[int, int, float, int, int], nn.Sequential]] = {"linear": linear_head, "mlp": mlp_head}


class PerLabelHead(nn.Module):
    """Label-aware scoring: one head shared by every label maps that label's state to a score, plus a bias per
    label. ``forward((batch, n_labels, hidden)) -> (batch, n_labels)``."""

    def __init__(self, kind: str, in_features: int, n_labels: int, dropout: float, hidden: int, layers: int) -> None:
        super().__init__()
        self.score = HEADS[kind](in_features, 1, dropout, hidden, layers)
        self.label_bias = nn.Parameter(torch.zeros(n_labels))
        with torch.no_grad():
            output_layer(self.score).bias.zero_()  # the per-label bias is the bias

    def forward(self, states: torch.Tensor) -> torch.Tensor:
        return self.score(states).squeeze(-1) + self.label_bias


def prevalence_bias(positives: np.ndarray, n: int | np.ndarray, task: str, eps: float = 1e-4) -> torch.Tensor:
    """The bias that makes an untrained head predict the label prevalence.

    Multilabel: logit of each label's prevalence. Multiclass: log prior of each class. ``n``: the rows, or per
    label the rows annotated for it.

    >>> prevalence_bias(np.array([50.0, 10.0]), 100, "multilabel").round(decimals=3).tolist()
    [0.0, -2.197]
    """
    prior = np.clip(positives / np.maximum(n, 1), eps, 1 - eps)
    values = np.log(prior) if task == "multiclass" else np.log(prior / (1 - prior))
    return torch.as_tensor(values, dtype=torch.float32)


def output_layer(head: nn.Module) -> nn.Linear:
    """The head's last ``nn.Linear``."""
    return [m for m in head.modules() if isinstance(m, nn.Linear)][-1]


def init_bias(head: nn.Module, bias: torch.Tensor) -> None:
    """Set the head's bias per label: a :class:`PerLabelHead`'s ``label_bias``, else its output layer's bias."""
    target = head.label_bias if isinstance(head, PerLabelHead) else output_layer(head).bias
    assert target is not None
    with torch.no_grad():
        target.copy_(bias)
