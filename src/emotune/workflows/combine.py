"""``emotune data combine``: the training rows a config's ``data.sources`` make, as one file to look at.

Columns: ``text``, ``source`` and one column per target label holding 1, 0, or nothing where the row's
source does not annotate that label (masked). Dev rows are not included; see :mod:`emotune.data.combine`.
"""

from __future__ import annotations

from pathlib import Path

from emotune.config import RunConfig
from emotune.data.loading import load_splits
from emotune.data.writing import write_dataset
from emotune.errors import DataError


def run(cfg: RunConfig, output: str | Path) -> dict[str, int]:
    """Write the combined training rows of ``cfg`` to ``output``; returns the rows per source."""
    if not cfg.data.sources:
        raise DataError("data combine needs data.sources in the config (see configs/combine_semeval_goemotions.yaml)")
    train, _, _ = load_splits(cfg.data, cfg.train.seed)
    write_dataset(train, output)
    return train.rows_per_origin()
