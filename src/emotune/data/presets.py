"""Dataset presets: each knows one dataset's file layout, label names and quirks.

A preset is looked up by name in :data:`PRESETS`. Adding one is a loader function and one
:func:`register` call. ``generic`` reads any CSV / TSV / JSONL / Parquet / HF dataset from the column names
in :class:`~emotune.config.DataConfig`.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from emotune.config import DataConfig
from emotune.data.dataset import EmotionDataset, TableSpec, dataset_from_table
from emotune.data.labels import LabelSchema
from emotune.data.readers import Table, read_table, read_text
from emotune.errors import DataError

log = logging.getLogger("emotune")

Loader = Callable[[Path, DataConfig, bool], EmotionDataset]


@dataclass(frozen=True)
class Preset:
    """How to find and read one dataset.

    Attributes:
        name: the ``--preset`` value.
        description: one line for ``emotune data presets``.
        load: ``(path, data_config, strict) -> EmotionDataset``.
        train_files, dev_files: glob patterns tried inside ``--data-dir``.
    """

    name: str
    description: str
    load: Loader
    train_files: tuple[str, ...] = ("train.*",)
    dev_files: tuple[str, ...] = ("dev.*", "validation.*", "val.*")


PRESETS: dict[str, Preset] = {}


def register(preset: Preset) -> Preset:
    PRESETS[preset.name] = preset
    return preset


def get_preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise DataError(f"unknown preset {name!r}; known presets: {', '.join(sorted(PRESETS))}") from None


def find_split_file(preset: Preset, data_dir: str | Path, split: str) -> Path | None:
    """The file (or folder) for ``split`` (``train`` / ``dev``) inside ``data_dir``; ``None`` if no dev."""
    folder = Path(data_dir)
    if folder.is_file():
        raise DataError(f"{folder}: is a file; --data-dir takes the folder holding the preset's files (for one "
                        "file: --train FILE --dev FILE)")  # fmt: skip
    if not folder.is_dir():
        raise DataError(f"{folder}: data folder not found; pass --data-dir DIR or --train FILE --dev FILE")
    patterns = preset.train_files if split == "train" else preset.dev_files
    for pattern in patterns:
        found = sorted(p for p in folder.glob(pattern) if not p.name.startswith("."))
        if len(found) > 1:
            names = ", ".join(p.name for p in found)
            raise DataError(f"{folder}: several {split} files match {pattern!r} ({names}); pass --{split} FILE")
        if found:
            return found[0]
    if split == "dev":
        return None
    raise DataError(
        f"{folder}: no {split} file for preset {preset.name!r} (looked for {', '.join(patterns)}); pass --{split} FILE"
    )


# --- generic -------------------------------------------------------------------------------------------


def _read_label_names(path: str) -> list[str]:
    names = [line.strip() for line in read_text(path).splitlines() if line.strip()]
    if not names:
        raise DataError(f"{path}: label-names file is empty; write one label name per line")
    return names


def _load_generic(path: Path, cfg: DataConfig, strict: bool) -> EmotionDataset:
    label_names = cfg.label_names or (_read_label_names(cfg.label_names_file) if cfg.label_names_file else None)
    spec = TableSpec(
        text_column=cfg.text_column,
        label_columns=cfg.label_columns,
        label_column=cfg.label_column,
        label_format=cfg.label_format,
        label_delimiter=cfg.label_delimiter,
        label_names=label_names,
        task=cfg.task,
        id_column=cfg.id_column,
        group_column=cfg.group_column,
        neutral=cfg.neutral_label,
    )
    return dataset_from_table(read_table(path, cfg.format), spec, strict=strict)


register(Preset("generic", "any CSV/TSV/JSONL/Parquet/HF dataset, described by data.* column keys", _load_generic))

# --- SemEval-2018 Task 1 E-c -----------------------------------------------------------------------------

SEMEVAL_EC_LABELS = (
    "anger", "anticipation", "disgust", "fear", "joy", "love",
    "optimism", "pessimism", "sadness", "surprise", "trust",
)  # fmt: skip


def _load_semeval(path: Path, cfg: DataConfig, strict: bool) -> EmotionDataset:
    # No quoting in these files: a tweet may start with a quote character that is not CSV quoting.
    table = read_table(path, "tsv", quoting=csv.QUOTE_NONE)
    spec = TableSpec(text_column="Tweet", id_column="ID", label_columns=SEMEVAL_EC_LABELS, task="multilabel")
    return dataset_from_table(table, spec, strict=strict)


register(
    Preset(
        "semeval2018-ec",
        "SemEval-2018 Task 1 E-c tweets, 11 labels, multilabel (En/Es/Ar files of the same shape)",
        _load_semeval,
        train_files=("2018-E-c-*-train.txt", "E-c-*-train.txt"),
        dev_files=("2018-E-c-*-dev.txt", "E-c-*-dev.txt"),
    )
)

# --- GoEmotions and its groupings ------------------------------------------------------------------------

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


def _load_goemotions(path: Path, cfg: DataConfig, strict: bool) -> EmotionDataset:
    names_file = path.parent / "emotions.txt"
    names = _read_label_names(str(names_file)) if names_file.is_file() else list(GOEMOTIONS_LABELS)
    table = read_table(path, "tsv", header=False, names=["text", "labels", "id"])
    spec = TableSpec(
        label_column="labels", label_format="ids", label_names=names, id_column="id", task="multilabel",
        neutral="neutral",
    )  # fmt: skip
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
    def load(path: Path, cfg: DataConfig, strict: bool) -> EmotionDataset:
        return group_labels(_load_goemotions(path, cfg, strict), _grouping(path, name))

    return load


_GOEMOTIONS_FILES = {"train_files": ("train.tsv",), "dev_files": ("dev.tsv",)}
register(Preset("goemotions", "GoEmotions Reddit comments, 28 labels, multilabel", _load_goemotions,
                **_GOEMOTIONS_FILES))  # fmt: skip
register(Preset("goemotions-ekman", "GoEmotions grouped into 6 Ekman emotions + neutral",
                _grouped_loader("ekman"), **_GOEMOTIONS_FILES))  # fmt: skip
register(Preset("goemotions-sentiment", "GoEmotions grouped into positive/negative/ambiguous + neutral",
                _grouped_loader("sentiment"), **_GOEMOTIONS_FILES))  # fmt: skip

# --- DailyDialog -----------------------------------------------------------------------------------------

DAILYDIALOG_LABELS = ("no emotion", "anger", "disgust", "fear", "happiness", "sadness", "surprise")


def _dailydialog_files(path: Path) -> tuple[Path, Path]:
    if path.is_file():  # dialogues_train.txt: the emotion file sits beside it
        return path, path.with_name(path.name.replace("dialogues_", "dialogues_emotion_", 1))
    if not path.is_dir():
        raise DataError(f"{path}: not found; pass the split folder holding dialogues_*.txt")
    texts = [p for p in path.glob("dialogues_*.txt") if not p.name.startswith(("dialogues_act_", "dialogues_emo"))]
    if len(texts) != 1:
        raise DataError(f"{path}: expected one dialogues_<split>.txt in this folder, found {len(texts)}")
    return texts[0], texts[0].with_name(texts[0].name.replace("dialogues_", "dialogues_emotion_", 1))


def _load_dailydialog(path: Path, cfg: DataConfig, strict: bool) -> EmotionDataset:
    text_file, emotion_file = _dailydialog_files(path)
    dialogues = read_text(text_file).splitlines()
    emotions = read_text(emotion_file).splitlines()
    if len(dialogues) != len(emotions):
        raise DataError(
            f"{emotion_file}: {len(emotions)} lines but {text_file.name} has {len(dialogues)}; "
            "the two files must be from the same split"
        )
    rows: list[dict[str, object]] = []
    skipped: list[int] = []
    for number, (line, labels) in enumerate(zip(dialogues, emotions, strict=True), start=1):
        turns = [u.strip() for u in line.split("__eou__") if u.strip()]
        ids = labels.split()
        if any(not i.isdigit() or int(i) >= len(DAILYDIALOG_LABELS) for i in ids):
            raise DataError(f"{emotion_file}: line {number} has a label outside 0..6 ({labels.strip()!r})")
        if len(turns) != len(ids):
            skipped.append(number)
            continue
        for turn, (utterance, label) in enumerate(zip(turns, ids, strict=True)):
            rows.append({"text": utterance, "label": int(label), "dialog": f"{text_file.stem}-{number}",
                         "turn": turn, "speaker": "AB"[turn % 2]})  # fmt: skip
    if skipped:
        log.warning(
            "%s: skipped %d dialogue(s) whose label count differs from their utterance count (line %s)",
            text_file, len(skipped), ", ".join(map(str, skipped[:5])),
        )  # fmt: skip
    frame = pd.DataFrame(rows, columns=["text", "label", "dialog", "turn", "speaker"])
    spec = TableSpec(label_column="label", label_format="ids", label_names=DAILYDIALOG_LABELS, task="multiclass",
                     neutral="no emotion")  # fmt: skip
    dataset = _dialogue_dataset(Table(frame, str(text_file)), spec, strict)
    if skipped:
        dataset.problems["dialogue with mismatched label count (skipped)"] = len(skipped)
    return dataset


def _dialogue_dataset(table: Table, spec: TableSpec, strict: bool) -> EmotionDataset:
    """A dataset from a frame with ``text``, ``label``, ``dialog``, ``turn`` and ``speaker`` columns."""
    spec = replace(spec, text_column="text", label_column="label", group_column="dialog", turn_column="turn",
                   speaker_column="speaker")  # fmt: skip
    return dataset_from_table(table, spec, strict=strict)


register(
    Preset(
        "dailydialog",
        "DailyDialog utterances, 7 classes incl. 'no emotion', multiclass; pass a split folder",
        _load_dailydialog,
        train_files=("train",),
        dev_files=("validation", "dev"),
    )
)

# --- your own dialogues -------------------------------------------------------------------------------


def dialogue_frame(path: Path, cfg: DataConfig, labelled: bool = True) -> tuple[Table, list[int]]:
    """Read dialogues into one row per utterance: ``dialog``, ``turn``, ``speaker``, ``text`` (+ ``label``).

    Two layouts: one utterance per row (columns ``dialog_id``, ``turn`` (else row order), ``speaker``
    (optional), ``text``, ``label``; names from ``data.group_column`` / ``turn_column`` / ``speaker_column`` /
    ``text_column`` / ``label_column``), or one dialogue per row whose ``text`` and ``label`` (and optional
    ``speaker``) cells are lists. Returns the table and the rows of dialogues skipped because their label
    count differs from their utterance count.
    """
    table = read_table(path, cfg.format)
    frame = table.frame
    text, label = cfg.text_column, cfg.label_column or "label"
    dialog, turn, speaker = cfg.group_column or "dialog_id", cfg.turn_column or "turn", cfg.speaker_column or "speaker"
    wanted = [text, label] if labelled else [text]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise DataError(f"{table.source}: no column {', '.join(map(repr, missing))} (columns: "
                        f"{', '.join(map(str, frame.columns))}); set data.text_column / data.label_column")  # fmt: skip
    cells = frame[text].dropna()
    if len(cells) and isinstance(cells.iloc[0], list | tuple | np.ndarray):
        return _explode_dialogues(table, text, label if labelled else None, dialog, speaker)
    if dialog not in frame.columns:
        raise DataError(f"{table.source}: no dialogue id column {dialog!r}; name it with data.group_column "
                        "(or give one dialogue per row with lists of utterances)")  # fmt: skip
    missing_ids = [int(i) for i in np.flatnonzero(frame[dialog].isna().to_numpy())]
    if missing_ids:
        raise DataError(f"{table.source}: no dialogue id at {table.rows(missing_ids)} (fill in {dialog!r})")
    out = pd.DataFrame({"dialog": frame[dialog].astype(str), "text": frame[text]})
    if turn in frame.columns:
        turns = pd.to_numeric(frame[turn], errors="coerce")
        bad = [int(i) for i in np.flatnonzero((turns.isna() | (turns % 1 != 0)).to_numpy())]
        if bad:
            raise DataError(f"{table.source}: {turn!r} is not a whole number at {table.rows(bad)} "
                            f"(fix it, or drop the column to use the row order)")  # fmt: skip
        out["turn"] = turns.astype(int)
    else:
        out["turn"] = out.groupby("dialog", sort=False).cumcount()
    if speaker in frame.columns:
        out["speaker"] = frame[speaker].astype(str)
    else:  # two speakers taking turns, as in DailyDialog
        out["speaker"] = np.where(out["turn"] % 2 == 0, "A", "B")
    if labelled:
        out["label"] = frame[label]
    return Table(out, table.source, table.first_line), []


def _explode_dialogues(
    table: Table, text: str, label: str | None, dialog: str, speaker: str
) -> tuple[Table, list[int]]:
    rows: list[dict[str, object]] = []
    skipped: list[int] = []
    for number, record in enumerate(table.frame.to_dict("records")):
        utterances = list(record[text])
        labels = list(record[label]) if label is not None else [None] * len(utterances)
        speakers = record.get(speaker)
        speakers = (
            list(speakers)
            if isinstance(speakers, list | tuple | np.ndarray)
            else ["AB"[i % 2] for i in range(len(utterances))]
        )
        if len(labels) != len(utterances) or len(speakers) != len(utterances):
            skipped.append(number)
            continue
        name = str(record.get(dialog, number + 1))
        for position, (utterance, tag, who) in enumerate(zip(utterances, labels, speakers, strict=True)):
            rows.append({"dialog": name, "turn": position, "speaker": str(who), "text": utterance, "label": tag})
    if skipped:
        log.warning("%s: skipped %d dialogue(s) whose label or speaker count differs from their utterance count "
                    "(%s)", table.source, len(skipped), table.rows(skipped))  # fmt: skip
    frame = pd.DataFrame(rows, columns=["dialog", "turn", "speaker", "text", "label"])
    return Table(frame if label is not None else frame.drop(columns="label"), table.source), skipped


def _load_dialogues(path: Path, cfg: DataConfig, strict: bool) -> EmotionDataset:
    table, skipped = dialogue_frame(path, cfg)
    label_names = cfg.label_names or (_read_label_names(cfg.label_names_file) if cfg.label_names_file else None)
    spec = TableSpec(label_format=cfg.label_format, label_delimiter=cfg.label_delimiter, label_names=label_names,
                     task=cfg.task, neutral=cfg.neutral_label)  # fmt: skip
    dataset = _dialogue_dataset(table, spec, strict)
    if dataset.schema.neutral is None:  # the no-emotion class, for micro-F1 without it
        found = [name for name in NEUTRAL_NAMES if name in dataset.schema.names]
        dataset.schema = replace(dataset.schema, neutral=found[0] if found else None)
    if skipped:
        dataset.problems["dialogue with mismatched label count (skipped)"] = len(skipped)
    return dataset


NEUTRAL_NAMES = ("no emotion", "neutral", "none", "no_emotion", "noemotion")

register(
    Preset(
        "dialogues",
        "your dialogues: CSV/TSV/JSONL/Parquet, one utterance per row (dialog_id, turn, speaker, text, label) "
        "or one dialogue per row with lists",
        _load_dialogues,
    )
)

# --- dair-ai emotion (CARER) -----------------------------------------------------------------------------

DAIR_LABELS = ("sadness", "joy", "love", "anger", "fear", "surprise")


def _load_dair(path: Path, cfg: DataConfig, strict: bool) -> EmotionDataset:
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
    spec = TableSpec(label_column="label", label_format="names", label_names=DAIR_LABELS, task="multiclass")
    return dataset_from_table(table, spec, strict=strict)


register(Preset("dair-emotion", "dair-ai/emotion (CARER) `text;label` files, 6 classes, multiclass",
                _load_dair, dev_files=("val.txt", "validation.txt", "dev.txt")))  # fmt: skip

# --- CEDR (Russian) -------------------------------------------------------------------------------------

CEDR_LABELS = ("joy", "sadness", "surprise", "fear", "anger")


def _load_cedr(path: Path, cfg: DataConfig, strict: bool) -> EmotionDataset:
    table = read_table(path, cfg.format)
    spec = TableSpec(label_column="labels", label_format="ids", label_names=CEDR_LABELS, task="multilabel")
    return dataset_from_table(table, spec, strict=strict)


register(Preset("cedr", "CEDR-style Russian sets: `text` + `labels` ids like [0 2], [] = no emotion", _load_cedr))


def load_file(preset_name: str, path: str | Path, cfg: DataConfig, *, strict: bool = True) -> EmotionDataset:
    """Read one file (or split folder) with a preset; duplicates are logged, bad rows raise."""
    dataset = get_preset(preset_name).load(Path(path), cfg, strict)
    if len(dataset) == 0:
        raise DataError(f"{path}: no usable rows; check the file and the --preset")
    return dataset


__all__ = ["PRESETS", "Preset", "find_split_file", "get_preset", "group_labels", "load_file"]
