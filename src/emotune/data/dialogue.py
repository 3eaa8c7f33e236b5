"""Dialogues: the model inputs and targets of ``dialogue.task`` (utterance / next_turn) with K turns of context.

An :class:`~emotune.data.dataset.EmotionDataset` of utterances carries ``groups`` (dialogue ids), ``turns``
and ``speakers``. :func:`dialogue_view` turns it into the rows a model sees: one per turn whose input is the
current turn preceded by up to K earlier turns (``"A: hi [SEP] B: hello"``), labelled with the emotion of
that turn (``utterance``) or of the next one (``next_turn``, which drops each dialogue's last turn).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from emotune.config import DialogueConfig
from emotune.data.dataset import EmotionDataset
from emotune.errors import DataError


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
    start = max(0, position - cfg.context)
    parts = []
    for i in range(start, position + 1):
        marker = f"{speakers[i]}: " if cfg.speakers and speakers is not None and speakers[i] else ""
        parts.append(marker + texts[i])
    return cfg.separator.join(parts)


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
