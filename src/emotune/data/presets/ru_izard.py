"""``ru-izard-emotions``: Russian texts with 10 labels after Izard's model, one 0/1 column each (Djacon 2023)."""

from __future__ import annotations

from pathlib import Path

from emotune.config import ColumnSpec, DataConfig
from emotune.data.dataset import EmotionDataset
from emotune.data.presets.base import Preset
from emotune.data.readers import read_table
from emotune.data.tables import dataset_from_table

IZARD_LABELS = ("neutral", "joy", "sadness", "anger", "enthusiasm", "surprise", "disgust", "fear", "guilt", "shame")


def load(path: Path, cfg: DataConfig, strict: bool) -> EmotionDataset:
    table = read_table(path, cfg.format)
    spec = ColumnSpec(label_columns=list(IZARD_LABELS), task="multilabel")
    return dataset_from_table(table, spec, strict=strict)


PRESET = Preset(
    "ru-izard-emotions",
    "ru-izard-emotions (Russian, Izard's 10 emotions incl. neutral): text + one 0/1 column per label, multilabel",
    load,
    language="ru",
    example={
        "train.csv": "text," + ",".join(IZARD_LABELS) + "\nЯ так рада!,0,1,0,0,1,0,0,0,0,0\n"
        "Как же стыдно,0,0,0,0,0,0,0,0,1,1\nОбычный день,1,0,0,0,0,0,0,0,0,0\n",
        "val.csv": "text," + ",".join(IZARD_LABELS) + "\nЭто ужасно!,0,0,0,1,0,0,1,0,0,0\n",
    },
)
