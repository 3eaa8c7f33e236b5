"""The loss registry. A loss is one module with a builder registered under a short name.

A builder takes the :class:`~emotune.config.LossConfig` and the training labels' :class:`LabelStats` and
returns a ``torch.nn.Module`` called as ``loss(logits, labels) -> scalar``, with ``logits`` of shape
``(batch, n_labels)`` and ``labels`` the float indicator matrix of the same shape (one-hot for multiclass).
``train.loss.label_correlation`` mixes SpanEmo's label-correlation term into any multilabel loss, and
``train.loss.soft_f1`` a differentiable macro-F1 term;
``train.loss.rdrop`` adds R-Drop's consistency term to any loss (the trainer then runs each batch twice).

Multilabel losses are :class:`ElementwiseLoss`: the mean of a per-entry loss. A ``NaN`` label marks an entry
the row is not annotated for (combined datasets, :mod:`emotune.data.combine`): it is left out of the mean
and its logit gets no gradient.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from emotune.config import LossConfig
from emotune.errors import SettingError
from emotune.losses.correlation import label_correlation
from emotune.losses.soft_f1 import soft_macro_f1_loss


@dataclass(frozen=True)
class LabelStats:
    """Per-label positive counts of the training labels, for weights that fight imbalance. ``annotated``: the
    rows each label is annotated for (``n`` for every label unless ``y`` had ``NaN``)."""

    positives: np.ndarray  # (n_labels,)
    n: int
    task: str
    annotated: np.ndarray | None = None  # (n_labels,)

    @classmethod
    def from_y(cls, y: np.ndarray, task: str) -> LabelStats:
        """From ``y`` ``(n, n_labels)``; ``NaN`` entries (not annotated) count as neither positive nor negative."""
        y = np.asarray(y, dtype=float)
        known = ~np.isnan(y)
        return cls(np.nansum(y, axis=0), len(y), task, known.sum(axis=0).astype(float))

    @property
    def counts(self) -> np.ndarray:
        """Rows per label that say present or absent."""
        return self.annotated if self.annotated is not None else np.full(len(self.positives), float(self.n))


class ElementwiseLoss(nn.Module):
    """A multilabel loss that is the mean over entries of :meth:`elementwise` ``(batch, n_labels)``; entries whose
    label is ``NaN`` are left out of the mean (and get no gradient)."""

    def elementwise(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def forward(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        annotated = ~torch.isnan(labels)
        if bool(annotated.all()):
            return self.elementwise(logits, labels).mean()
        values = self.elementwise(logits, torch.where(annotated, labels, torch.zeros_like(labels)))
        return torch.where(annotated, values, torch.zeros_like(values)).sum() / annotated.sum().clamp(min=1)


LossBuilder = Callable[[LossConfig, LabelStats], nn.Module]
Term = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

# ``train.loss.KEY`` -> the term ``(logits, labels) -> scalar`` it mixes into a multilabel loss, and what it does.
MULTILABEL_TERMS: dict[str, tuple[Term, str]] = {
    "label_correlation": (label_correlation, "ranks present above absent labels"),
    "soft_f1": (soft_macro_f1_loss, "scores each label's yes/no decisions"),
}


class WithTerm(nn.Module):
    """``(1 - weight) * base(logits, labels) + weight * term(logits, labels)``."""

    def __init__(self, base: nn.Module, term: Term, weight: float) -> None:
        super().__init__()
        self.base = base
        self.term = term
        self.weight = weight

    def forward(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return (1 - self.weight) * self.base(logits, labels) + self.weight * self.term(logits, labels)


@dataclass(frozen=True)
class LossSpec:
    build: LossBuilder
    tasks: tuple[str, ...]
    description: str


LOSSES: dict[str, LossSpec] = {}


def register_loss(name: str, tasks: tuple[str, ...], description: str) -> Callable[[LossBuilder], LossBuilder]:
    """Decorator: ``@register_loss("focal", ("multilabel", "multiclass"), "...")`` on a builder."""

    def wrap(build: LossBuilder) -> LossBuilder:
        LOSSES[name] = LossSpec(build, tasks, description)
        return build

    return wrap


def resolve_name(cfg: LossConfig, task: str) -> str:
    """``auto`` is BCE for multilabel and cross-entropy for multiclass."""
    if cfg.name == "auto":
        return "bce" if task == "multilabel" else "ce"
    return cfg.name


def build_loss(cfg: LossConfig, stats: LabelStats) -> nn.Module:
    """The loss module named by ``cfg.name`` for the task of ``stats``."""
    name = resolve_name(cfg, stats.task)
    if name not in LOSSES:
        raise SettingError("train.loss.name", f"unknown loss {name!r} (available: {', '.join(sorted(LOSSES))})")
    spec = LOSSES[name]
    if stats.task not in spec.tasks:
        raise SettingError("train.loss.name", f"loss {name!r} is for {' / '.join(spec.tasks)} data, "
                                              f"this data is {stats.task}")  # fmt: skip
    loss = spec.build(cfg, stats)
    for key, (term, why) in MULTILABEL_TERMS.items():
        weight = getattr(cfg, key)
        if not weight:
            continue
        if stats.task != "multilabel":
            raise SettingError(f"train.loss.{key}", f"{why}, so it is for multilabel data; set it to 0")
        loss = WithTerm(loss, term, weight)
    if cfg.rdrop:
        from emotune.losses.rdrop import WithRDrop

        loss = WithRDrop(loss, cfg.rdrop, stats.task)
    return loss


def as_tensor(values: np.ndarray | list[float] | None) -> torch.Tensor | None:
    return None if values is None else torch.as_tensor(np.asarray(values, dtype=np.float32))
