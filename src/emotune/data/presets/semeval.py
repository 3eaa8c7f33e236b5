"""``semeval2018-ec``: SemEval-2018 Task 1 E-c tweets (English, Spanish, Arabic files of the same shape)."""

from __future__ import annotations

import csv
from pathlib import Path

from emotune.config import ColumnSpec, DataConfig
from emotune.data.dataset import EmotionDataset
from emotune.data.presets.base import Preset
from emotune.data.readers import read_table
from emotune.data.tables import dataset_from_table

SEMEVAL_EC_LABELS = (
    "anger", "anticipation", "disgust", "fear", "joy", "love",
    "optimism", "pessimism", "sadness", "surprise", "trust",
)  # fmt: skip


def load(path: Path, cfg: DataConfig, strict: bool) -> EmotionDataset:
    # No quoting in these files: a tweet may start with a quote character that is not CSV quoting.
    table = read_table(path, "tsv", quoting=csv.QUOTE_NONE)
    spec = ColumnSpec(text_column="Tweet", id_column="ID", label_columns=list(SEMEVAL_EC_LABELS), task="multilabel")
    return dataset_from_table(table, spec, strict=strict)


def _example(rows: list[tuple[str, str, str]]) -> str:
    header = "\t".join(("ID", "Tweet", *SEMEVAL_EC_LABELS))
    return "\n".join([header, *("\t".join((i, text, *labels.split())) for i, text, labels in rows)]) + "\n"


PRESET = Preset(
    "semeval2018-ec",
    "SemEval-2018 Task 1 E-c tweets, 11 labels, multilabel (En/Es/Ar files of the same shape)",
    load,
    train_files=("2018-E-c-*-train.txt", "E-c-*-train.txt"),
    dev_files=("2018-E-c-*-dev.txt", "E-c-*-dev.txt"),
    example={
        "2018-E-c-En-train.txt": _example(
            [
                ("2018-En-1", '"so angry #fail', "1 0 1 0 0 0 0 0 0 0 0"),
                ("2018-En-2", "loving this sunny day", "0 0 0 0 1 1 1 0 0 0 0"),
            ]
        ),
        "2018-E-c-En-dev.txt": _example([("2018-En-3", "scared of tomorrow", "0 0 0 1 0 0 0 1 1 0 0")]),
    },
)
