"""Write a dataset to one file to look at: ``text``, ``source`` (where each row came from) and one column per label
holding 1, 0, or nothing where the row is not annotated for the label (combined sources). CSV, TSV, JSONL or
Parquet by the suffix; written atomically."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from emotune.data.dataset import EmotionDataset
from emotune.errors import DataError
from emotune.io_utils import atomic_path

FORMATS = (".csv", ".tsv", ".jsonl", ".parquet")


def write_dataset(dataset: EmotionDataset, output: str | Path) -> Path:
    output = Path(output)
    suffix = output.suffix.lower()
    if suffix not in FORMATS:
        raise DataError(f"{output}: unknown output format; use one of {', '.join(FORMATS)}")
    mask = dataset.mask if dataset.mask is not None else np.ones_like(dataset.y, dtype=bool)
    labels = pd.DataFrame(np.where(mask, dataset.y, np.nan), columns=list(dataset.schema.names)).astype("Int8")
    origin = dataset.origin if dataset.origin is not None else [dataset.source] * len(dataset)
    frame = pd.concat([pd.DataFrame({"text": dataset.texts, "source": origin}), labels], axis=1)
    with atomic_path(output) as tmp:
        if suffix == ".parquet":
            frame.to_parquet(tmp, index=False)
        elif suffix == ".jsonl":
            frame.to_json(tmp, orient="records", lines=True, force_ascii=False)
        else:
            frame.to_csv(tmp, index=False, sep="\t" if suffix == ".tsv" else ",")
    return output
