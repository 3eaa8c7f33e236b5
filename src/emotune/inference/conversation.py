"""Prediction for dialogue bundles (trained with ``dialogue.task``): every turn of a conversation is scored
with its context (up to ``dialogue.context`` earlier turns), as in training.

>>> # clf = emotune.EmotionClassifier.load("RUN/model")   # a bundle trained with dialogue.task=utterance
>>> # predict_conversation(clf, ["I got the job!", "That's great"])[1]["labels"]   -> ['joy']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from emotune.classifier import EmotionClassifier, probability_map
from emotune.data.dataset import EmotionDataset
from emotune.data.dialogue import alternating_speakers, turn_inputs
from emotune.errors import ConfigError, DataError
from emotune.inference.batching import predict_proba_batched


def predict_turns(
    clf: EmotionClassifier, turns: pd.DataFrame, progress: bool = False
) -> tuple[pd.DataFrame, np.ndarray, list[list[str]]]:
    """``turns`` (columns dialog, turn, speaker, text; any number of dialogues) in turn order with
    ``dialog_id, turn, speaker, text, task``, the probabilities and the labels of each turn."""
    if clf.config.dialogue.task == "none":
        raise ConfigError("dialogue.task", ["this bundle was trained on single texts, not conversations; "
                                            "use predict_labels / predict_proba"])  # fmt: skip
    dataset = EmotionDataset(
        texts=turns["text"].tolist(),
        y=np.zeros((len(turns), len(clf.label_names))),
        schema=clf.schema,
        groups=turns["dialog"].astype(str).to_numpy(),
        turns=turns["turn"].to_numpy(),
        speakers=turns["speaker"].astype(str).tolist(),
    )
    rows, inputs = turn_inputs(dataset, clf.config.dialogue)
    probs = predict_proba_batched(clf.predict_proba, inputs, len(clf.label_names), progress=progress)
    frame = turns.iloc[rows].rename(columns={"dialog": "dialog_id"}).reset_index(drop=True)
    frame["task"] = clf.config.dialogue.task
    frame = frame[["dialog_id", "turn", "speaker", "text", "task"]]
    return frame, probs, clf.labels_from_proba(probs)


def predict_conversation(
    clf: EmotionClassifier, texts: Sequence[str], speakers: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """One record per turn of one conversation (``texts`` in order; ``speakers`` default to A, B, A, ...):
    ``turn``, ``speaker``, ``text``, ``task``, ``labels`` and ``probabilities``. With ``dialogue.task:
    next_turn`` the labels of turn t forecast turn t+1 (the last turn's, a reply not yet written)."""
    texts = list(texts)
    speakers = list(speakers) if speakers is not None else alternating_speakers(len(texts))
    if len(speakers) != len(texts):
        raise DataError(f"predict_conversation: {len(texts)} texts but {len(speakers)} speakers; give one per turn")
    turns = pd.DataFrame({"dialog": "1", "turn": range(len(texts)), "text": texts, "speaker": speakers})
    frame, probs, labels = predict_turns(clf, turns)
    records: list[dict[str, Any]] = frame.drop(columns="dialog_id").to_dict("records")  # type: ignore[assignment]
    for record, lab, row in zip(records, labels, probs, strict=True):
        record.update(labels=lab, probabilities=probability_map(clf.label_names, row))
    return records
