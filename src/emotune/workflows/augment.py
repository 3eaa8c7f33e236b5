"""``emotune data augment``: the training rows with what the config's ``augment`` steps add, as one file.

The same rows a model would be fitted on (after sampling), with ``source`` naming the step that made each new
row (``semeval2018-ec+swap``); dev is never augmented.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from emotune.classifier import augment_rows
from emotune.config import RunConfig
from emotune.data.loading import load_splits
from emotune.data.sampling import rebalance
from emotune.data.writing import write_dataset
from emotune.errors import DataError


def run(cfg: RunConfig, output: str | Path) -> dict[str, int]:
    """Write the augmented training rows of ``cfg`` to ``output``; returns the rows per source and step."""
    if not cfg.augment:
        raise DataError("data augment needs augment steps, e.g. 'augment=[{name: swap, p: 0.1}]' or a config with "
                        "an augment: list")  # fmt: skip
    train, _, _ = load_splits(cfg.data, cfg.train.seed)
    if train.origin is None:
        train.origin = np.array([cfg.data.preset] * len(train))
    rows = augment_rows(rebalance(train, cfg.sampling, cfg.train.seed), cfg)
    write_dataset(rows, output)
    return rows.rows_per_origin()
