"""Rebalance the training rows: downsample a majority label (or label-less rows) and oversample rare labels.

Only ever applied to train; dev and test keep their natural distribution so that scores stay honest.
"""

from __future__ import annotations

import logging

import numpy as np

from emotune.config import SamplingConfig
from emotune.data.dataset import EmotionDataset
from emotune.errors import SettingError

log = logging.getLogger("emotune")

MAX_REPEAT = 10


def _majority_rows(dataset: EmotionDataset, label: str) -> np.ndarray:
    """Rows whose only label is ``label``; ``empty``: rows with no label at all."""
    if label == "empty":
        return np.flatnonzero(dataset.y.sum(axis=1) == 0)
    if label not in dataset.schema.names:
        known = ", ".join(dataset.schema.names)
        raise SettingError("sampling.downsample", f"unknown label {label!r} (labels: {known}, or 'empty')")
    j = dataset.schema.index(label)
    only = (dataset.y[:, j] == 1) & (dataset.y.sum(axis=1) == 1)
    return np.flatnonzero(only)


def rebalance(dataset: EmotionDataset, cfg: SamplingConfig, seed: int = 42) -> EmotionDataset:
    """A new training set with ``cfg`` applied; the input is left untouched.

    >>> # rebalance(train, SamplingConfig(downsample="no emotion", keep_ratio=0.3))
    """
    rng = np.random.default_rng(seed)
    keep = np.arange(len(dataset))
    if cfg.downsample is not None and cfg.keep_ratio < 1:
        majority = _majority_rows(dataset, cfg.downsample)
        dropped = rng.choice(majority, size=round(len(majority) * (1 - cfg.keep_ratio)), replace=False)
        keep = np.setdiff1d(keep, dropped)
        log.info("downsampled %r: kept %d of %d rows", cfg.downsample, len(majority) - len(dropped), len(majority))
    if cfg.oversample_below > 0:
        counts = dataset.y[keep].sum(axis=0)
        extra: list[np.ndarray] = []
        for j in np.flatnonzero((counts > 0) & (counts < cfg.oversample_below)):
            rows = keep[dataset.y[keep, j] == 1]
            repeats = min(int(np.ceil(cfg.oversample_below / counts[j])) - 1, MAX_REPEAT - 1)
            extra.append(np.tile(rows, repeats))
            log.info("oversampled %r: %d rows repeated %d more times", dataset.schema.names[j], len(rows), repeats)
        if extra:
            keep = np.concatenate([keep, *extra])
    if len(keep) == len(dataset) and np.array_equal(keep, np.arange(len(dataset))):
        return dataset
    return dataset.subset(rng.permutation(keep))
