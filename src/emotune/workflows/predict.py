"""``emotune predict``: label new texts with a saved bundle, from arguments or a file.

Input files: ``.txt`` (one text per line) or CSV / TSV / JSONL / Parquet with a text column. Output files:
``.csv`` (input columns + ``labels`` + one ``prob_<label>`` column per label) or ``.jsonl`` (input fields +
``labels`` list + ``probabilities`` mapping). The output is written to a temporary name and renamed.

Bundles trained with ``dialogue.task`` read conversations instead (the layouts of the ``dialogues`` preset;
texts given as arguments are one conversation, in order) and write one row per turn with ``dialog_id``,
``turn``, ``speaker``, ``text``, ``task`` and the labels: the turn's emotion (``utterance``) or the forecast
for the turn after it (``next_turn``; the last turn's forecast is for a reply not yet written).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from emotune.classifier import EmotionClassifier
from emotune.config import with_values
from emotune.data.dialogue import dialogue_frame
from emotune.data.readers import check_texts, read_texts
from emotune.errors import DataError
from emotune.inference import predict_conversation, predict_proba_batched, predict_turns
from emotune.inference.conversation import probability_map
from emotune.io_utils import atomic_path

OUTPUT_SUFFIXES = (".csv", ".jsonl")


def predict_texts(clf: EmotionClassifier, texts: Sequence[str]) -> list[dict[str, Any]]:
    """One record per text: ``{"text", "labels", "probabilities"}`` (dialogue bundles: one conversation)."""
    if clf.config.dialogue.task != "none":
        return predict_conversation(clf, texts)
    probs = clf.predict_proba(list(texts))
    labels = clf.schema_.decode(clf.calibrator_.predict(probs))
    names = clf.schema_.names
    return [{"text": t, "labels": lab, "probabilities": probability_map(names, row)}
            for t, lab, row in zip(texts, labels, probs, strict=True)]  # fmt: skip


def predict_file(
    model: str | Path | EmotionClassifier,
    input_path: str | Path,
    output_path: str | Path,
    text_column: str | None = None,
    batch_size: int = 512,
    progress: bool = True,
    data_options: Mapping[str, Any] | None = None,
) -> int:
    """Predict every row of ``input_path`` into ``output_path``; returns the number of rows written.

    ``data_options`` (dotted ``data.*`` keys) change how the input is read; ``text_column`` defaults to
    ``data.text_column``. The output never replaces the input, and appears whole or not at all.
    """
    output_path = Path(output_path)
    if output_path.suffix.lower() not in OUTPUT_SUFFIXES:
        raise DataError(f"{output_path}: output must end in {' or '.join(OUTPUT_SUFFIXES)}")
    if output_path.exists() and output_path.resolve() == Path(input_path).resolve():
        raise DataError(f"{output_path}: is also the input; write the predictions to another file")
    if output_path.is_dir():
        raise DataError(f"{output_path}: is a folder; --output takes a .csv or .jsonl file name")
    clf = model if isinstance(model, EmotionClassifier) else EmotionClassifier.load(model)
    data_cfg = with_values(clf.config, {"data.format": "auto", **(data_options or {})}, "command line").data
    text_column = text_column or data_cfg.text_column
    if clf.config.dialogue.task != "none":
        data_cfg = data_cfg.model_copy(update={"text_column": text_column})
        table, _ = dialogue_frame(Path(input_path), data_cfg, labelled=False)
        check_texts(table, table.frame["text"].tolist(), input_path)
        frame, probs, labels = predict_turns(clf, table.frame, progress)
    else:
        table = read_texts(Path(input_path), text_column, data_cfg.format)
        texts = table.frame[text_column].tolist()
        check_texts(table, texts, input_path)
        probs = predict_proba_batched(clf.predict_proba, texts, clf.schema_.n_labels, batch_size, progress)
        labels = clf.schema_.decode(clf.calibrator_.predict(probs))
        frame = table.frame.copy()
    names = clf.schema_.names
    with atomic_path(output_path) as tmp:
        if output_path.suffix.lower() == ".csv":
            frame["labels"] = [",".join(lab) for lab in labels]
            for j, name in enumerate(names):
                frame[f"prob_{name}"] = np.round(probs[:, j], 4)
            frame.to_csv(tmp, index=False)
        else:
            with tmp.open("w", encoding="utf-8") as out:
                for record, lab, row in zip(frame.to_dict("records"), labels, probs, strict=True):
                    record["labels"] = lab
                    record["probabilities"] = probability_map(names, row)
                    out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
    return len(frame)
