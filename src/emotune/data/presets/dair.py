"""``dair-emotion``: dair-ai/emotion (CARER) ``text;label`` files, 6 classes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from emotune.config import ColumnSpec, DataConfig
from emotune.data.dataset import EmotionDataset
from emotune.data.presets.base import Preset
from emotune.data.readers import Table, read_text
from emotune.data.tables import dataset_from_table
from emotune.errors import DataError

DAIR_LABELS = ("sadness", "joy", "love", "anger", "fear", "surprise")


def load(path: Path, cfg: DataConfig, strict: bool) -> EmotionDataset:
    lines = read_text(path).splitlines()
    first_line = 1
    if lines and lines[0].rpartition(";")[2].strip() not in DAIR_LABELS and "label" in lines[0].lower():
        lines, first_line = lines[1:], 2  # some copies carry a `text;label_name` header
    texts, labels = [], []
    for number, line in enumerate(lines, start=first_line):
        text, sep, label = line.rpartition(";")
        if not sep:
            raise DataError(f"{path}: line {number} has no ';' separator; expected `text;label`")
        texts.append(text)
        labels.append(label.strip())
    table = Table(pd.DataFrame({"text": texts, "label": labels}), str(path), first_line=first_line)
    spec = ColumnSpec(label_column="label", label_format="names", label_names=list(DAIR_LABELS), task="multiclass")
    return dataset_from_table(table, spec, strict=strict)


PRESET = Preset(
    "dair-emotion",
    "dair-ai/emotion (CARER) `text;label` files, 6 classes, multiclass",
    load,
    dev_files=("val.txt", "validation.txt", "dev.txt"),
    example={
        "train.txt": "i didnt feel humiliated;sadness\ni am feeling grouchy;anger\ni feel so loved;love\n",
        "val.txt": "im feeling quite sad and sorry for myself;sadness\ni feel like i am still looking;joy\n",
    },
)
