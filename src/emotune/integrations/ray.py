"""Prediction over a Ray Dataset on one machine or a cluster (extra ``[ray]``).

Every actor of a pool loads the bundle once and labels the batches Ray hands it; the output rows are the
input rows plus ``labels`` (comma-separated names) and one ``prob_<label>`` column per label, as
``emotune predict --output FILE.csv`` writes them. On a cluster the bundle folder must be readable at the same
path on every node (a shared file system or a copy on each).

>>> # import ray
>>> # ray.init()                                        # or ray.init(address="auto") on a cluster
>>> # ds = ray.data.read_parquet("s3://bucket/posts/")
>>> # out = predict_dataset(ds, "RUN/model", text_column="text", batch_size=256, workers=8)
>>> # out.write_parquet("s3://bucket/labelled/")

Training at scale stays with ``torchrun`` / ``accelerate`` (README, "Data-parallel training").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from emotune.errors import EmotuneError

EXTRA = "pip install 'emotune[ray]'"


class BundlePredictor:
    """A Ray Data callable class: loads the bundle in its constructor (once per actor), labels each batch."""

    def __init__(self, bundle: str, text_column: str = "text", backend: str = "saved") -> None:
        from emotune.inference.backends import load_classifier

        self.clf = load_classifier(bundle, backend)
        self.text_column = text_column

    def __call__(self, batch: pd.DataFrame) -> pd.DataFrame:
        if self.text_column not in batch.columns:
            raise EmotuneError(f"no column {self.text_column!r} in the dataset (columns: {', '.join(batch.columns)})")
        probs = self.clf.predict_proba(batch[self.text_column].astype(str).tolist())
        out = batch.copy()
        out["labels"] = [",".join(lab) for lab in self.clf.labels_from_proba(probs)]
        for j, name in enumerate(self.clf.label_names):
            out[f"prob_{name}"] = np.round(probs[:, j].astype(np.float64), 4)
        return out


def predict_dataset(
    dataset: Any,
    bundle: str | Path,
    text_column: str = "text",
    batch_size: int = 256,
    workers: int = 1,
    backend: str = "saved",
    cpus_per_worker: float = 1.0,
) -> Any:
    """``dataset`` (a ``ray.data.Dataset``) with the predictions of ``bundle`` added (see the module doc),
    computed by ``workers`` actors of ``cpus_per_worker`` CPUs each; leave Ray at least one CPU beyond them for
    reading the data, or the pipeline waits for resources. Lazy, as Ray Data is: nothing runs until the result
    is consumed or written."""
    try:
        import ray.data  # noqa: F401
    except ImportError:
        raise EmotuneError(f"predict_dataset needs Ray Data; {EXTRA}") from None
    from emotune.bundle import read_manifest

    read_manifest(Path(bundle))  # a clear error here rather than in every actor
    return dataset.map_batches(
        BundlePredictor,
        fn_constructor_kwargs={"bundle": str(Path(bundle).resolve()), "text_column": text_column, "backend": backend},
        batch_size=batch_size,
        batch_format="pandas",
        concurrency=workers,
        num_cpus=cpus_per_worker,
    )
