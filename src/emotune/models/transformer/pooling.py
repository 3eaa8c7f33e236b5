"""Pooling of an encoder's token states into one vector per text, and the encoder + pooling + head modules.

Pooling methods are looked up by ``model.pooling`` in :data:`POOLING`: ``cls`` (the first token's state) or
``mean`` (the average over real tokens, padding masked out). Label-aware models
(:class:`LabelAwareClassifier`) instead pool one vector per label, from the tokens of its name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from emotune.config import ModelConfig
from emotune.models.transformer.heads import HEADS, PerLabelHead


def cls_pooling(states: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    return states[:, 0]


def mean_pooling(states: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    mask = attention_mask.unsqueeze(-1).to(states.dtype)
    return (states * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)


POOLING: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {"cls": cls_pooling, "mean": mean_pooling}


class EncoderClassifier(nn.Module):
    """Encoder + pooling + head. ``forward(input_ids, attention_mask, ...) -> {"logits": (batch, n_labels)}``."""

    encoder: Any  # a transformers PreTrainedModel (AutoModel)

    def __init__(self, encoder: Any, n_labels: int, cfg: ModelConfig) -> None:
        super().__init__()
        self.encoder = encoder
        self.pool = POOLING[cfg.pooling]
        hidden = int(encoder.config.hidden_size)
        self.head = HEADS[cfg.head](hidden, n_labels, cfg.dropout, cfg.head_hidden, cfg.head_layers)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,  # named so that Trainer finds the label column; unused here
    ) -> dict[str, torch.Tensor]:
        extra = {"token_type_ids": token_type_ids} if token_type_ids is not None else {}
        states = self.encoder(input_ids=input_ids, attention_mask=attention_mask, **extra).last_hidden_state
        return {"logits": self.head(self.pool(states, attention_mask))}


class LabelAwareClassifier(nn.Module):
    """Encoder + one state per label (the mean of its name's tokens, see :mod:`.inputs`) + a
    :class:`~.heads.PerLabelHead`. The label positions are rebuilt from the tokenizer, never saved."""

    encoder: Any

    def __init__(self, encoder: Any, spans: list[list[int]], cfg: ModelConfig) -> None:
        from emotune.models.transformer.inputs import span_index

        super().__init__()
        self.encoder = encoder
        index, weights = span_index(spans)
        self.register_buffer("label_index", torch.as_tensor(index), persistent=False)
        self.register_buffer("label_weights", torch.as_tensor(weights), persistent=False)
        hidden = int(encoder.config.hidden_size)
        self.label_index: torch.Tensor
        self.label_weights: torch.Tensor
        self.head = PerLabelHead(cfg.head, hidden, len(spans), cfg.dropout, cfg.head_hidden, cfg.head_layers)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
    ) -> dict[str, torch.Tensor]:
        extra = {"token_type_ids": token_type_ids} if token_type_ids is not None else {}
        states = self.encoder(input_ids=input_ids, attention_mask=attention_mask, **extra).last_hidden_state
        per_token = states[:, self.label_index]  # (batch, n_labels, longest name, hidden)
        weights = self.label_weights.to(states.dtype).unsqueeze(-1)
        return {"logits": self.head((per_token * weights).sum(dim=2))}
