"""``goemotions``: GoEmotions Reddit comments (28 labels), and its Ekman and sentiment groupings."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from emotune.config import ColumnSpec, DataConfig
from emotune.data.dataset import EmotionDataset
from emotune.data.labels import LabelSchema
from emotune.data.presets.base import Loader, Preset, read_label_names
from emotune.data.readers import read_table, read_text
from emotune.data.tables import dataset_from_table
from emotune.errors import DataError

GOEMOTIONS_LABELS = (
    "admiration", "amusement", "anger", "annoyance", "approval", "caring", "confusion", "curiosity",
    "desire", "disappointment", "disapproval", "disgust", "embarrassment", "excitement", "fear",
    "gratitude", "grief", "joy", "love", "nervousness", "optimism", "pride", "realization", "relief",
    "remorse", "sadness", "surprise", "neutral",
)  # fmt: skip
# The official goemotions/data/ekman_mapping.json and sentiment_dict.json; "neutral" stays itself.
GOEMOTIONS_GROUPINGS: dict[str, dict[str, list[str]]] = {
    "ekman": {
        "anger": ["anger", "annoyance", "disapproval"],
        "disgust": ["disgust"],
        "fear": ["fear", "nervousness"],
        "joy": ["joy", "amusement", "approval", "excitement", "gratitude", "love", "optimism", "relief",
                "pride", "admiration", "desire", "caring"],
        "sadness": ["sadness", "disappointment", "embarrassment", "grief", "remorse"],
        "surprise": ["surprise", "realization", "confusion", "curiosity"],
    },
    "sentiment": {
        "positive": ["amusement", "excitement", "joy", "love", "desire", "optimism", "caring", "pride",
                     "admiration", "gratitude", "relief", "approval"],
        "negative": ["fear", "nervousness", "remorse", "embarrassment", "disappointment", "sadness", "grief",
                     "disgust", "anger", "annoyance", "disapproval"],
        "ambiguous": ["realization", "surprise", "curiosity", "confusion"],
    },
}  # fmt: skip
_GROUPING_FILES = {"ekman": "ekman_mapping.json", "sentiment": "sentiment_dict.json"}


def load(path: Path, cfg: DataConfig, strict: bool) -> EmotionDataset:
    names_file = path.parent / "emotions.txt"
    names = read_label_names(names_file) if names_file.is_file() else list(GOEMOTIONS_LABELS)
    table = read_table(path, "tsv", header=False, names=["text", "labels", "id"])
    spec = ColumnSpec(label_column="labels", label_format="ids", label_names=names, id_column="id",
                      task="multilabel", neutral_label="neutral")  # fmt: skip
    return dataset_from_table(table, spec, strict=strict)


def _grouping(path: Path, name: str) -> dict[str, list[str]]:
    mapping_file = path.parent / _GROUPING_FILES[name]
    if mapping_file.is_file():
        try:
            loaded: dict[str, list[str]] = json.loads(read_text(mapping_file))
        except json.JSONDecodeError as exc:
            raise DataError(f"{mapping_file}: not valid JSON ({exc.msg})") from None
        return loaded
    return GOEMOTIONS_GROUPINGS[name]


def group_labels(dataset: EmotionDataset, groups: dict[str, list[str]]) -> EmotionDataset:
    """Merge fine labels into coarse ones: a row has a group when it has any of the group's members.

    Labels that belong to no group (``neutral``) are kept as they are.
    """
    fine = dataset.schema
    grouped = {g: list(members) for g, members in groups.items()}
    for name in fine.names:
        if not any(name in members for members in grouped.values()):
            grouped[name] = [name]
    unknown = sorted({m for members in grouped.values() for m in members} - set(fine.names))
    if unknown:
        raise DataError(f"label grouping names labels that the data does not have: {', '.join(unknown)}")
    y = np.stack([dataset.y[:, [fine.index(m) for m in members]].max(axis=1) for members in grouped.values()], 1)
    neutral = fine.neutral if fine.neutral in grouped else None
    schema = LabelSchema(tuple(grouped), fine.task, neutral)
    return EmotionDataset(dataset.texts, y.astype(np.int8), schema, dataset.ids, source=dataset.source)


def _grouped_loader(name: str) -> Loader:
    def load_grouped(path: Path, cfg: DataConfig, strict: bool) -> EmotionDataset:
        return group_labels(load(path, cfg, strict), _grouping(path, name))

    return load_grouped


EXAMPLE = {
    "train.tsv": "My favourite food is anything I didn't have to cook myself.\t27\teebbqej\n"
                 "Now if he does off himself, everyone will think hes having a laugh\t14,2\ted00q6i\n"
                 "WHY THE FUCK IS BAYLESS ISOING\t2\teezlygj\n",
    "dev.tsv": "To make her feel threatened\t14\ted7ypvh\nThank you so much!\t15\ted0bdzj\n",
}  # fmt: skip


def _preset(name: str, description: str, loader: Loader) -> Preset:
    # 3 epochs: 0.531 / 0.527 held-out macro-F1 (seeds 42 / 7) against 0.519 with 5 (seed 42)
    return Preset(name, description, loader, train_files=("train.tsv",), dev_files=("dev.tsv",), example=EXAMPLE,
                  epochs=3)  # fmt: skip


PRESETS = (
    _preset("goemotions", "GoEmotions Reddit comments, 28 labels, multilabel", load),
    _preset("goemotions-ekman", "GoEmotions grouped into 6 Ekman emotions + neutral", _grouped_loader("ekman")),
    _preset("goemotions-sentiment", "GoEmotions grouped into positive/negative/ambiguous + neutral",
            _grouped_loader("sentiment")),
)  # fmt: skip
