"""``dailydialog``: DailyDialog conversations, one multiclass emotion per utterance (a split folder holding
``dialogues_<split>.txt`` and ``dialogues_emotion_<split>.txt``)."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from emotune.config import ColumnSpec, DataConfig
from emotune.data.dataset import EmotionDataset
from emotune.data.dialogue import alternating_speakers, dialogue_dataset
from emotune.data.presets.base import Preset
from emotune.data.readers import Table, read_text
from emotune.errors import DataError

log = logging.getLogger("emotune")

DAILYDIALOG_LABELS = ("no emotion", "anger", "disgust", "fear", "happiness", "sadness", "surprise")


def _files(path: Path) -> tuple[Path, Path]:
    if path.is_file():  # dialogues_train.txt: the emotion file sits beside it
        return path, path.with_name(path.name.replace("dialogues_", "dialogues_emotion_", 1))
    if not path.is_dir():
        raise DataError(f"{path}: not found; pass the split folder holding dialogues_*.txt")
    texts = [p for p in path.glob("dialogues_*.txt") if not p.name.startswith(("dialogues_act_", "dialogues_emo"))]
    if len(texts) != 1:
        raise DataError(f"{path}: expected one dialogues_<split>.txt in this folder, found {len(texts)}")
    return texts[0], texts[0].with_name(texts[0].name.replace("dialogues_", "dialogues_emotion_", 1))


def load(path: Path, cfg: DataConfig, strict: bool) -> EmotionDataset:
    text_file, emotion_file = _files(path)
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
        speakers = alternating_speakers(len(turns))
        for turn, (utterance, label) in enumerate(zip(turns, ids, strict=True)):
            rows.append({"text": utterance, "label": int(label), "dialog": f"{text_file.stem}-{number}",
                         "turn": turn, "speaker": speakers[turn]})  # fmt: skip
    if skipped:
        log.warning(
            "%s: skipped %d dialogue(s) whose label count differs from their utterance count (line %s)",
            text_file, len(skipped), ", ".join(map(str, skipped[:5])),
        )  # fmt: skip
    frame = pd.DataFrame(rows, columns=["text", "label", "dialog", "turn", "speaker"])
    spec = ColumnSpec(label_column="label", label_format="ids", label_names=list(DAILYDIALOG_LABELS),
                      task="multiclass", neutral_label="no emotion")  # fmt: skip
    dataset = dialogue_dataset(Table(frame, str(text_file)), spec, strict)
    if skipped:
        dataset.problems["dialogue with mismatched label count (skipped)"] = len(skipped)
    return dataset


PRESET = Preset(
    "dailydialog",
    "DailyDialog utterances, 7 classes incl. 'no emotion', multiclass, decisions fitted for micro-F1 without it; "
    "pass a split folder",
    load,
    train_files=("train",),
    dev_files=("validation", "dev"),
    decision="micro_f1_without_neutral",  # the DailyDialog score; argmax of the same models: -0.024 to -0.036
    epochs=1,  # the plain MiniLM command: 0.573 held out in 14 min (BENCHMARKS.md); 5 epochs: up to 5x the time
    example={
        "train/dialogues_train.txt": "Hi , how are you ? __eou__ Terrible , I lost my job . __eou__\n"
        "Guess what ? __eou__ What ? __eou__ I won ! __eou__\n",
        "train/dialogues_emotion_train.txt": "0 5\n0 0 4\n",
        "validation/dialogues_validation.txt": "Get out ! __eou__ Sorry ! __eou__\n",
        "validation/dialogues_emotion_validation.txt": "1 3\n",
    },
)
