"""Probabilities over many texts in batches, with a progress bar."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from tqdm.auto import tqdm

PredictProba = Callable[[list[str]], np.ndarray]


def predict_proba_batched(
    predict_proba: PredictProba, texts: Sequence[str], n_labels: int, batch_size: int = 512, progress: bool = True
) -> np.ndarray:
    """``predict_proba`` (e.g. ``EmotionClassifier.predict_proba``) over batches of ``texts``; returns
    ``(n_texts, n_labels)``.

    >>> predict_proba_batched(lambda b: np.ones((len(b), 2)), ["a", "b", "c"], 2, batch_size=2, progress=False).shape
    (3, 2)
    """
    if not texts:
        return np.zeros((0, n_labels), dtype=np.float32)
    parts = []
    with tqdm(total=len(texts), unit="text", desc="predict", disable=not progress or None, leave=False) as bar:
        for start in range(0, len(texts), batch_size):
            batch = list(texts[start : start + batch_size])
            parts.append(predict_proba(batch))
            bar.update(len(batch))
    return np.concatenate(parts)
