"""An exponential moving average (EMA) of the trainable weights, as a ``transformers`` callback.

The average is updated after every optimizer step. At the end of each epoch the model takes the averaged
weights, so the dev evaluation, checkpoint selection and the saved checkpoint all see them; at the start of
the next epoch it gets its own weights back and training goes on from those. The model that ends training is
therefore an average (the best epoch's, when a dev set selects one). Early steps use the usual warm-up of the
decay, ``min(decay, (1 + t) / (10 + t))``, so the random head does not linger in the average. Resuming starts
the average again from the checkpoint's (averaged) weights.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from transformers import TrainerCallback, TrainerControl, TrainerState, TrainingArguments


def _trainable(model: nn.Module) -> dict[str, nn.Parameter]:
    return {name: p for name, p in model.named_parameters() if p.requires_grad}


class WeightAverage(TrainerCallback):
    """EMA of the trainable weights with ``decay`` (``train.ema``), swapped in for evaluation and saving."""

    def __init__(self, decay: float) -> None:
        self.decay = decay
        self.updates = 0
        self.average: dict[str, torch.Tensor] = {}
        self.own: dict[str, torch.Tensor] = {}

    def on_train_begin(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, model: Any = None, **kw: Any
    ) -> None:
        self.average = {name: p.detach().clone() for name, p in _trainable(model).items()}
        self.updates = 0

    @torch.no_grad()
    def on_step_end(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, model: Any = None, **kw: Any
    ) -> None:
        self.updates += 1
        decay = min(self.decay, (1 + self.updates) / (10 + self.updates))
        for name, p in _trainable(model).items():
            self.average[name].lerp_(p.detach(), 1 - decay)

    @torch.no_grad()
    def on_epoch_end(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, model: Any = None, **kw: Any
    ) -> None:
        params = _trainable(model)
        self.own = {name: p.detach().clone() for name, p in params.items()}
        for name, p in params.items():
            p.copy_(self.average[name])

    @torch.no_grad()
    def on_epoch_begin(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, model: Any = None, **kw: Any
    ) -> None:
        for name, p in _trainable(model).items():
            if name in self.own:
                p.copy_(self.own[name])
        self.own = {}
