"""``generic``: any CSV / TSV / JSONL / Parquet / HF dataset, described by the ``data.*`` column keys."""

from __future__ import annotations

from pathlib import Path

from emotune.config import DataConfig
from emotune.data.dataset import EmotionDataset
from emotune.data.presets.base import Preset, read_label_names
from emotune.data.readers import read_table
from emotune.data.tables import dataset_from_table


def load(path: Path, cfg: DataConfig, strict: bool) -> EmotionDataset:
    label_names = cfg.label_names or (read_label_names(cfg.label_names_file) if cfg.label_names_file else None)
    return dataset_from_table(read_table(path, cfg.format), cfg.model_copy(update={"label_names": label_names}),
                              strict=strict)  # fmt: skip


PRESET = Preset(
    "generic",
    "any CSV/TSV/JSONL/Parquet/HF dataset, described by data.* column keys",
    load,
    example={
        "train.csv": "id,text,anger,joy\n1,so angry right now,1,0\n2,what a lovely day,0,1\n3,fine,0,0\n",
        "dev.csv": "id,text,anger,joy\n4,this makes me furious,1,0\n5,happy to see you,0,1\n",
    },
)
