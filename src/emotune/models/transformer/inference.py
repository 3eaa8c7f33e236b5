"""Prediction with a trained transformer module: batches of similar token counts (:func:`~emotune.models.
batches.by_length`), dynamic padding, inference mode and autocast. Imports no ``Trainer`` and builds no
optimizer."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from emotune.models.batches import by_length
from emotune.models.transformer.inputs import TextInputs
from emotune.models.transformer.precision import autocast


def predict_logits(
    module: nn.Module,
    inputs: TextInputs,
    texts: Sequence[str],
    n_labels: int,
    precision: str = "fp32",
    batch_size: int = 64,
) -> np.ndarray:
    """Logits ``(n, n_labels)`` in input order. Every text is tokenized first, so batches are formed by token
    count and pad to their own longest text."""
    texts = list(texts)
    logits = np.zeros((len(texts), n_labels), dtype=np.float32)
    if not texts:
        return logits
    encoded = inputs(texts)
    columns = list(encoded.keys())
    device = next(module.parameters()).device
    with torch.inference_mode(), autocast(device, precision):
        for idx in by_length([len(ids) for ids in encoded["input_ids"]], batch_size):
            rows = [{c: encoded[c][i] for c in columns} for i in idx]
            batch = inputs.tokenizer.pad(rows, return_tensors="pt")
            out = module(**{k: v.to(device) for k, v in batch.items()})["logits"]
            logits[idx] = out.float().cpu().numpy()
    return logits
