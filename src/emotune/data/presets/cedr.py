"""``cedr``: CEDR-style Russian sets, ``text`` plus ``labels`` ids like ``[0 2]`` (``[]`` = no emotion)."""

from __future__ import annotations

from pathlib import Path

from emotune.config import ColumnSpec, DataConfig
from emotune.data.dataset import EmotionDataset
from emotune.data.presets.base import Preset
from emotune.data.readers import read_table
from emotune.data.tables import dataset_from_table

CEDR_LABELS = ("joy", "sadness", "surprise", "fear", "anger")


def load(path: Path, cfg: DataConfig, strict: bool) -> EmotionDataset:
    table = read_table(path, cfg.format)
    spec = ColumnSpec(label_column="labels", label_format="ids", label_names=list(CEDR_LABELS), task="multilabel")
    return dataset_from_table(table, spec, strict=strict)


PRESET = Preset(
    "cedr",
    "CEDR-style Russian sets: `text` + `labels` ids like [0 2], [] = no emotion",
    load,
    language="ru",
    train_files=("train.*", "*-train.csv"),  # the Hugging Face dump: cedr-main-train.csv
    example={
        "train.csv": "text,labels\nЯ так рада тебя видеть!,[0]\nМне страшно и грустно,[1 3]\nОбычный день,[]\n",
        "dev.csv": "text,labels\nНу надо же!,[2]\nЧто за безобразие!,[4]\n",
    },
)
