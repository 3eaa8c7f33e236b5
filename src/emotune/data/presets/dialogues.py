"""``dialogues``: your own conversations, one utterance per row or one dialogue per row with lists (see
:func:`emotune.data.dialogue.dialogue_frame`)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from emotune.config import ColumnSpec, DataConfig
from emotune.data.dataset import EmotionDataset
from emotune.data.dialogue import NEUTRAL_NAMES, dialogue_dataset, dialogue_frame
from emotune.data.presets.base import Preset, read_label_names


def load(path: Path, cfg: DataConfig, strict: bool) -> EmotionDataset:
    table, skipped = dialogue_frame(path, cfg)
    label_names = cfg.label_names or (read_label_names(cfg.label_names_file) if cfg.label_names_file else None)
    spec = ColumnSpec(label_format=cfg.label_format, label_delimiter=cfg.label_delimiter, label_names=label_names,
                      task=cfg.task, neutral_label=cfg.neutral_label)  # fmt: skip
    dataset = dialogue_dataset(table, spec, strict)
    if dataset.schema.neutral is None:  # the no-emotion class, for micro-F1 without it
        found = [name for name in NEUTRAL_NAMES if name in dataset.schema.names]
        dataset.schema = replace(dataset.schema, neutral=found[0] if found else None)
    if skipped:
        dataset.problems["dialogue with mismatched label count (skipped)"] = len(skipped)
    return dataset


PRESET = Preset(
    "dialogues",
    "your dialogues: CSV/TSV/JSONL/Parquet, one utterance per row (dialog_id, turn, speaker, text, label) "
    "or one dialogue per row with lists",
    load,
    example={
        "train.csv": "dialog_id,turn,speaker,text,label\nd1,0,A,I got the job!,joy\nd1,1,B,That is great,joy\n"
        "d2,0,A,My cat is sick,sadness\nd2,1,B,Oh no,sadness\nd2,2,A,It will be ok,neutral\n",
        "dev.csv": "dialog_id,turn,speaker,text,label\nd3,0,A,Leave me alone,neutral\nd3,1,B,Sorry,sadness\n",
    },
)
