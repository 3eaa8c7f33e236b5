"""Dialogues: the model inputs and targets of ``dialogue.task`` (utterance / next_turn) with K turns of context.

An :class:`~emotune.data.dataset.EmotionDataset` of utterances carries ``groups`` (dialogue ids), ``turns``
and ``speakers``. :func:`dialogue_view` turns it into the rows a model sees: one per turn whose input is the
current turn preceded by up to K earlier turns (``"A: hi [SEP] B: hello"``), labelled with the emotion of
that turn (``utterance``) or of the next one (``next_turn``, which drops each dialogue's last turn).

Reading: :func:`dialogue_frame` reads a user's dialogues (one utterance per row, or one dialogue per row with
lists) into one row per utterance; :func:`dialogue_dataset` makes the dataset of such a frame.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from emotune.config import ColumnSpec, DataConfig, DialogueConfig
from emotune.data.dataset import EmotionDataset
from emotune.data.readers import Table, read_table
from emotune.data.tables import dataset_from_table
from emotune.errors import DataError

log = logging.getLogger("emotune")

# Names of the no-emotion class, for micro-F1 without it when the data does not say.
NEUTRAL_NAMES = ("no emotion", "neutral", "none", "no_emotion", "noemotion")


def alternating_speakers(n: int) -> list[str]:
    """``A``, ``B``, ``A``, ... for a dialogue of ``n`` turns whose speakers are not given (as in DailyDialog)."""
    return ["AB"[i % 2] for i in range(n)]


def turn_order(dataset: EmotionDataset) -> list[np.ndarray]:
    """Row indices of each dialogue in turn order, dialogues in order of first appearance."""
    if dataset.groups is None:
        raise DataError(
            f"{dataset.source}: dialogue.task needs dialogues (a dialogue id per row); use --preset dailydialog "
            "or --preset dialogues (columns dialog_id, turn, speaker, text, label)"
        )
    turns = dataset.turns if dataset.turns is not None else np.arange(len(dataset))
    frame = pd.DataFrame({"group": dataset.groups, "turn": turns, "row": np.arange(len(dataset))})
    frame["first"] = frame.groupby("group", sort=False)["row"].transform("min")
    frame = frame.sort_values(["first", "turn", "row"], kind="stable")
    return [group["row"].to_numpy() for _, group in frame.groupby("first", sort=True)]


def compose(texts: list[str], speakers: list[str] | None, position: int, cfg: DialogueConfig) -> str:
    """The input for turn ``position`` of one dialogue: up to ``cfg.context`` earlier turns, then this one."""
    start = max(0, position - cfg.context_turns)
    parts = []
    for i in range(start, position + 1):
        marker = f"{speakers[i]}: " if cfg.speakers and speakers is not None and speakers[i] else ""
        parts.append(marker + texts[i])
    return cfg.separator.join(parts)


def trim_context(text: str, turns: int, cfg: DialogueConfig) -> str:
    """An input composed with more earlier turns (by :func:`compose`) cut back to its last ``turns`` of them.
    The turns are found by ``cfg.separator``, so a turn whose own text holds the separator counts as two.

    >>> trim_context("A: hi [SEP] B: hello [SEP] A: how are you?", 1, DialogueConfig(task="next_turn"))
    'B: hello [SEP] A: how are you?'
    """
    return cfg.separator.join(text.split(cfg.separator)[-(turns + 1) :])


def turn_inputs(dataset: EmotionDataset, cfg: DialogueConfig) -> tuple[list[int], list[str]]:
    """``(rows, inputs)``: every turn of every dialogue in turn order, with its input (context + turn)."""
    rows: list[int] = []
    inputs: list[str] = []
    for order in turn_order(dataset):
        texts = [dataset.texts[i] for i in order]
        speakers = [dataset.speakers[i] for i in order] if dataset.speakers is not None else None
        for position, row in enumerate(order):
            rows.append(int(row))
            inputs.append(compose(texts, speakers, position, cfg))
    return rows, inputs


def dialogue_view(dataset: EmotionDataset, cfg: DialogueConfig) -> EmotionDataset:
    """The rows a model trains on / is scored on for ``cfg.task`` (see the module docstring)."""
    if cfg.task == "none":
        return dataset
    rows, inputs = turn_inputs(dataset, cfg)
    targets = list(rows)
    if cfg.task == "next_turn":  # the target is the next row of the same dialogue; last turns have none
        groups = dataset.groups
        assert groups is not None
        has_next = [i + 1 < len(rows) and groups[rows[i + 1]] == groups[rows[i]] for i in range(len(rows))]
        targets = [rows[i + 1] for i in range(len(rows)) if has_next[i]]
        inputs = [text for text, keep in zip(inputs, has_next, strict=True) if keep]
        rows = [row for row, keep in zip(rows, has_next, strict=True) if keep]
    view = dataset.subset(rows)
    return replace(view, texts=inputs, y=dataset.y[targets], problems=dict(dataset.problems))


def dialogue_keys(dataset: EmotionDataset) -> set[str]:
    """One string per dialogue: its utterances in turn order (for duplicate checks across splits)."""
    if dataset.groups is None:
        return set(dataset.texts)
    return {" \x1f ".join(dataset.texts[i].strip().lower() for i in order) for order in turn_order(dataset)}


def cross_split_duplicates(train: EmotionDataset, dev: EmotionDataset) -> int:
    """How many dev dialogues (or texts, without dialogues) also occur in train, word for word."""
    return len(dialogue_keys(dev) & dialogue_keys(train))


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
        out["speaker"] = np.where(out["turn"] % 2 == 0, "A", "B")  # as alternating_speakers
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
            list(speakers) if isinstance(speakers, list | tuple | np.ndarray) else alternating_speakers(len(utterances))
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


def dialogue_dataset(table: Table, spec: ColumnSpec, strict: bool) -> EmotionDataset:
    """A dataset from a frame with ``text``, ``label``, ``dialog``, ``turn`` and ``speaker`` columns."""
    columns = {"text_column": "text", "label_column": "label", "group_column": "dialog", "turn_column": "turn",
               "speaker_column": "speaker"}  # fmt: skip
    spec = spec.model_copy(update=columns)
    return dataset_from_table(table, spec, strict=strict)
