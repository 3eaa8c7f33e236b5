"""``emotune predict``: label new texts with a saved bundle, from arguments or a file.

Input files: ``.txt`` (one text per line) or CSV / TSV / JSONL / Parquet with a text column. Output files:
``.csv`` (input columns + ``labels`` + one ``prob_<label>`` column per label) or ``.jsonl`` (input fields +
``labels`` list + ``probabilities`` mapping). Files of any size are streamed in chunks (constant memory, input
order kept); the output is written to ``.NAME.partial`` and renamed when complete, and ``--resume`` continues
an interrupted run.

Bundles trained with ``dialogue.task`` read conversations instead (the layouts of the ``dialogues`` preset;
texts given as arguments are one conversation, in order) and write one row per turn with ``dialog_id``,
``turn``, ``speaker``, ``text``, ``task`` and the labels: the turn's emotion (``utterance``) or the forecast
for the turn after it (``next_turn``; the last turn's forecast is for a reply not yet written).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from emotune.bundle import read_settings
from emotune.classifier import EmotionClassifier, probability_map
from emotune.config import with_values
from emotune.data.dialogue import dialogue_frame
from emotune.data.readers import Table, check_texts
from emotune.data.streaming import CHUNK_ROWS, count_rows, text_chunks
from emotune.errors import DataError, EmotuneError
from emotune.inference import predict_conversation, predict_turns
from emotune.inference.backends import load_classifier
from emotune.inference.workers import WorkerPool, label_texts
from emotune.io_utils import write_text_atomic

log = logging.getLogger("emotune")

OUTPUT_SUFFIXES = (".csv", ".jsonl")


def predict_texts(clf: EmotionClassifier, texts: Sequence[str]) -> list[dict[str, Any]]:
    """One record per text: ``{"text", "labels", "probabilities"}`` (dialogue bundles: one conversation)."""
    if clf.config.dialogue.task != "none":
        return predict_conversation(clf, texts)
    return clf.records(list(texts))


def predict_file(
    model: str | Path | EmotionClassifier,
    input_path: str | Path,
    output_path: str | Path,
    text_column: str | None = None,
    batch_size: int = CHUNK_ROWS,
    progress: bool = True,
    data_options: Mapping[str, Any] | None = None,
    resume: bool = False,
    workers: int = 1,
    backend: str = "saved",
) -> int:
    """Predict every row of ``input_path`` into ``output_path``; returns the number of rows written.

    Rows are read, predicted and written ``batch_size`` at a time, so memory stays flat for any file size;
    the output is written to ``.NAME.partial`` beside it and renamed when complete. ``resume=True`` continues
    a partial output left by an interrupted run (every row is written exactly once). ``data_options``
    (dotted ``data.*`` keys) change how the input is read; ``text_column`` defaults to ``data.text_column``.
    ``workers > 1`` labels chunks in that many processes (:mod:`emotune.inference.workers`), each loading the
    bundle at ``model`` (a path) with ``backend``; a path with one worker is loaded with ``backend`` here.
    (Over 60 lines with this docstring and its ten arguments; the body is one read-predict-write loop.)
    """
    output_path, input_path = Path(output_path), Path(input_path)
    if output_path.suffix.lower() not in OUTPUT_SUFFIXES:
        raise DataError(f"{output_path}: output must end in {' or '.join(OUTPUT_SUFFIXES)}")
    if output_path.exists() and output_path.resolve() == input_path.resolve():
        raise DataError(f"{output_path}: is also the input; write the predictions to another file")
    if output_path.is_dir():
        raise DataError(f"{output_path}: is a folder; --output takes a .csv or .jsonl file name")
    if workers > 1:
        if isinstance(model, EmotionClassifier):
            raise EmotuneError("workers > 1 load the bundle in each process: pass the bundle's path, not a classifier")
        bundle = Path(model)
        config, schema = read_settings(bundle)
        names = schema.names
    else:
        clf = model if isinstance(model, EmotionClassifier) else load_classifier(model, backend)
        config, names = clf.config, clf.label_names
    data_cfg = with_values(config, {"data.format": "auto", **(data_options or {})}, "command line").data
    text_column = text_column or data_cfg.text_column
    if config.dialogue.task != "none":
        if workers > 1:
            raise EmotuneError("--workers: a dialogue bundle reads whole conversations in one process; leave it out")
        conversations = data_cfg.model_copy(update={"text_column": text_column})
        return _predict_conversations(clf, input_path, output_path, conversations, progress)
    writer = _Writer(output_path, names)
    done = writer.resume() if resume else writer.start()
    try:
        total = count_rows(input_path, data_cfg.format)
        frames = _unwritten(text_chunks(input_path, text_column, data_cfg.format, batch_size), done)
        with contextlib.ExitStack() as stack:
            if workers > 1:
                labelled = stack.enter_context(WorkerPool(bundle, backend, workers)).label(frames, text_column)
            else:
                labelled = ((frame, label_texts(clf, frame[text_column].tolist())) for frame in frames)
            bar = stack.enter_context(tqdm(total=total, initial=done, unit="text", desc="predict",
                                           disable=not progress or None))  # fmt: skip
            for frame, (probs, labels) in labelled:
                writer.append(frame, probs, labels)
                bar.update(len(frame))
    except EmotuneError:
        writer.discard()  # bad input: nothing worth resuming
        raise
    return writer.finish()


def _unwritten(tables: Iterable[Table], done: int) -> Iterator[pd.DataFrame]:
    """The frames of ``tables`` without their first ``done`` rows (written by an earlier run)."""
    seen = 0
    for table in tables:
        frame = table.frame.iloc[max(0, done - seen) :].reset_index(drop=True)
        seen += len(table.frame)
        if not frame.empty:
            yield frame


class _Writer:
    """Appends prediction rows to ``.NAME.partial`` and records after each chunk how many rows and bytes are
    complete (``.NAME.partial.json``), so that an interrupted run can continue exactly where it stopped."""

    def __init__(self, output: Path, names: Sequence[str]) -> None:
        self.output, self.names = output, list(names)
        self.partial = output.with_name(f".{output.name}.partial")
        self.state = output.with_name(f".{output.name}.partial.json")
        self.rows = 0

    def start(self) -> int:
        if self.partial.exists():
            log.info("%s: an interrupted run left a partial output; starting over (--resume continues it)",
                     self.output)  # fmt: skip
        self.output.parent.mkdir(parents=True, exist_ok=True)
        self.partial.write_bytes(b"")
        self._save(0)
        return 0

    def resume(self) -> int:
        if not (self.partial.is_file() and self.state.is_file()):
            log.info("%s: nothing to resume; predicting every row", self.output)
            return self.start()
        state = json.loads(self.state.read_text(encoding="utf-8"))
        with self.partial.open("r+b") as handle:
            handle.truncate(int(state["bytes"]))  # drop a chunk that was being written when the run stopped
        self.rows = int(state["rows"])
        log.info("%s: resuming after %d rows already written", self.output, self.rows)
        return self.rows

    def append(self, frame: pd.DataFrame, probs: np.ndarray, labels: list[list[str]]) -> None:
        with self.partial.open("a", encoding="utf-8", newline="") as out:
            if self.output.suffix.lower() == ".csv":
                table = frame.copy()
                table["labels"] = [",".join(lab) for lab in labels]
                for j, name in enumerate(self.names):
                    table[f"prob_{name}"] = np.round(probs[:, j], 4)
                table.to_csv(out, index=False, header=self.rows == 0)
            else:
                for record, lab, row in zip(frame.to_dict("records"), labels, probs, strict=True):
                    record["labels"] = lab
                    record["probabilities"] = probability_map(self.names, row)
                    out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            out.flush()
            os.fsync(out.fileno())
        self.rows += len(frame)
        self._save(self.rows)

    def _save(self, rows: int) -> None:
        write_text_atomic(self.state, json.dumps({"rows": rows, "bytes": self.partial.stat().st_size}))

    def discard(self) -> None:
        self.partial.unlink(missing_ok=True)
        self.state.unlink(missing_ok=True)

    def finish(self) -> int:
        self.partial.replace(self.output)
        self.state.unlink(missing_ok=True)
        return self.rows


def _predict_conversations(
    clf: EmotionClassifier, input_path: Path, output_path: Path, data_cfg: Any, progress: bool
) -> int:
    """Dialogue bundles read whole conversations (turns need their context), so the file is read at once."""
    table, _ = dialogue_frame(input_path, data_cfg, labelled=False)
    check_texts(table, table.frame["text"].tolist(), input_path)
    frame, probs, labels = predict_turns(clf, table.frame, progress)
    writer = _Writer(output_path, clf.label_names)
    writer.start()
    writer.append(frame, probs, labels)  # the whole file at once: nothing to resume
    return writer.finish()
