"""Find and load a run's train and dev data from a preset and a folder or explicit files."""

from __future__ import annotations

import logging
from pathlib import Path

from emotune.config import DataConfig
from emotune.data.dataset import EmotionDataset
from emotune.data.labels import LabelSchema
from emotune.data.presets import find_split_file, get_preset, load_file
from emotune.data.readers import preview
from emotune.data.splits import train_dev_split
from emotune.errors import DataError

log = logging.getLogger("emotune")


def load_like(preset: str, path: str | Path, cfg: DataConfig, schema: LabelSchema) -> EmotionDataset:
    """Load ``path`` so that its labels line up with ``schema`` (a model's or the train split's)."""
    aligned = cfg.model_copy(update={"label_names": list(schema.names), "task": schema.task,
                                     "neutral_label": schema.neutral})  # fmt: skip
    dataset = load_file(preset, path, aligned)
    if dataset.schema.names != schema.names:
        raise DataError(
            f"{path}: labels {list(dataset.schema.names)} differ from the model's {list(schema.names)}; "
            "use the preset the model was trained with"
        )
    return dataset


def check_learnable(train: EmotionDataset) -> None:
    """Refuse training data with a label that cannot be learned: a multilabel label never (or always) positive,
    a multiclass set with one class. A class of a multiclass preset with no rows is only a warning: the model
    can still rank the others."""
    schema, positives = train.schema, train.y.sum(axis=0)
    absent = [n for n, p in zip(schema.names, positives, strict=True) if p == 0]
    if schema.task == "multiclass":
        if int((positives > 0).sum()) < 2:
            only = schema.names[int(positives.argmax())]
            raise DataError(f"{train.source}: every training row has the label {only!r}; a classifier needs rows "
                            "of at least two labels")  # fmt: skip
        if absent:
            log.warning("%s: no training rows of %s; the model will never predict them", train.source, preview(absent))
        return
    always = [n for n, p in zip(schema.names, positives, strict=True) if p == len(train)]
    if always:
        raise DataError(f"{train.source}: label(s) {preview(always)} are positive in every training row; nothing "
                        "to learn: leave them out of data.label_columns or add rows without them")  # fmt: skip
    if absent:
        raise DataError(f"{train.source}: label(s) {preview(absent)} have no positive training rows; add examples, "
                        "or leave them out (data.label_columns / data.label_names)")  # fmt: skip


def load_train_and_dev(cfg: DataConfig) -> tuple[EmotionDataset, EmotionDataset | None]:
    """The train split and the dev split where there is a dev file (``cfg.dev`` or found in ``cfg.data_dir``)."""
    preset = get_preset(cfg.preset)
    if not cfg.train and not cfg.data_dir:
        raise DataError("no training data: pass --data-dir DIR or --train FILE (and --dev FILE)")
    train_path = cfg.train or find_split_file(preset, str(cfg.data_dir), "train")
    dev_path = cfg.dev or (find_split_file(preset, cfg.data_dir, "dev") if cfg.data_dir else None)
    train = load_file(cfg.preset, str(train_path), cfg)
    check_learnable(train)
    if dev_path is None:
        return train, None
    log.info("train: %s (%d rows), dev: %s", train_path, len(train), dev_path)
    return train, load_like(cfg.preset, dev_path, cfg, train.schema)


def load_splits(cfg: DataConfig, seed: int = 42) -> tuple[EmotionDataset, EmotionDataset, bool]:
    """``(train, dev, dev_was_split_off)`` for a run.

    Files come from ``cfg.train`` / ``cfg.dev`` or are found in ``cfg.data_dir`` by the preset. Without a
    dev file, ``cfg.dev_size`` of train is split off (stratified, grouped by dialogue where there is one).
    ``cfg.sources`` then add training rows from other datasets (:func:`emotune.data.combine.combine`); dev
    always comes from the run's own data.
    """
    train, dev = load_train_and_dev(cfg)
    split_off = dev is None
    if dev is None:
        train, dev = train_dev_split(train, cfg.dev_size, seed)
        log.info("train: %s, no dev file: split off %d of %d rows as dev", train.source, len(dev),
                 len(train) + len(dev))  # fmt: skip
    if cfg.sources:
        from emotune.data.combine import combine

        train = combine(train, dev, cfg)
    return train, dev, split_off


def load_dataset(path: str | Path, preset: str = "generic", **options: object) -> EmotionDataset:
    """Read one labelled file (or split folder) with a preset; ``options`` are ``DataConfig`` keys.

    >>> # ds = load_dataset("train.csv", text_column="tweet", label_column="emotions")
    >>> # ds = load_dataset("2018-E-c-En-dev.txt", preset="semeval2018-ec")
    """
    from emotune.config import build_config

    cfg = build_config({"data": {"preset": preset, **options}}, "load_dataset").data
    return load_file(preset, path, cfg)
