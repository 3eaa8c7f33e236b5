"""Prediction with a trained transformer module: length-sorted batches, dynamic padding, inference mode and
autocast. Imports no ``Trainer`` and builds no optimizer."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from emotune.models.transformer.inputs import TextInputs
from emotune.models.transformer.precision import autocast


def predict_logits(
    module: nn.Module,
    inputs: TextInputs,
    texts: Sequence[str],
    n_labels: int,
    precision: str = "fp32",
    batch_size: int = 128,
) -> np.ndarray:
    """Logits ``(n, n_labels)`` in input order; texts are batched by length so that padding stays small."""
    texts = list(texts)
    logits = np.zeros((len(texts), n_labels), dtype=np.float32)
    if not texts:
        return logits
    order = np.argsort([len(t) for t in texts], kind="stable")
    device = next(module.parameters()).device
    with torch.inference_mode(), autocast(device, precision):
        for start in range(0, len(texts), batch_size):
            idx = order[start : start + batch_size]
            batch = inputs([texts[i] for i in idx], padding=True, return_tensors="pt")
            out = module(**{k: v.to(device) for k, v in batch.items()})["logits"]
            logits[idx] = out.float().cpu().numpy()
    return logits
