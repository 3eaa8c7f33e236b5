"""``emotune data combine``: the training rows a config's ``data.sources`` make, as one file to look at.

Columns: ``text``, ``source`` and one column per target label holding 1, 0, or nothing where the row's
source does not annotate that label (masked). Dev rows are not included; see :mod:`emotune.data.combine`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from emotune.config import RunConfig
from emotune.data.loading import load_splits
from emotune.errors import DataError
from emotune.io_utils import atomic_path

WRITERS = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".parquet": "parquet"}


def run(cfg: RunConfig, output: str | Path) -> dict[str, int]:
    """Write the combined training rows of ``cfg`` to ``output`` (CSV, TSV, JSONL or Parquet by suffix);
    returns the rows per source."""
    output = Path(output)
    kind = WRITERS.get(output.suffix.lower())
    if kind is None:
        raise DataError(f"{output}: unknown output format; use one of {', '.join(WRITERS)}")
    if not cfg.data.sources:
        raise DataError("data combine needs data.sources in the config (see configs/combine_semeval_goemotions.yaml)")
    train, _, _ = load_splits(cfg.data, cfg.train.seed)
    assert train.mask is not None and train.origin is not None
    labels = pd.DataFrame(np.where(train.mask, train.y, np.nan), columns=list(train.schema.names)).astype("Int8")
    frame = pd.concat([pd.DataFrame({"text": train.texts, "source": train.origin}), labels], axis=1)
    with atomic_path(output) as tmp:
        if kind == "parquet":
            frame.to_parquet(tmp, index=False)
        elif kind == "jsonl":
            frame.to_json(tmp, orient="records", lines=True, force_ascii=False)
        else:
            frame.to_csv(tmp, index=False, sep="\t" if kind == "tsv" else ",")
    names, counts = np.unique(train.origin, return_counts=True)
    return {str(n): int(c) for n, c in zip(names, counts, strict=True)}
