"""``emotune predict``: label new texts with a saved bundle, from arguments or a file.

Input files: ``.txt`` (one text per line) or CSV / TSV / JSONL / Parquet with a text column. Output files:
``.csv`` (input columns + ``labels`` + one ``prob_<label>`` column per label) or ``.jsonl`` (input fields +
``labels`` list + ``probabilities`` mapping). The output is written to a temporary name and renamed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from emotune.classifier import EmotionClassifier
from emotune.data.readers import Table, read_table, read_text
from emotune.errors import DataError
from emotune.io_utils import atomic_path

OUTPUT_SUFFIXES = (".csv", ".jsonl")


def predict_proba_batched(
    clf: EmotionClassifier, texts: Sequence[str], batch_size: int = 512, progress: bool = True
) -> np.ndarray:
    """``clf.predict_proba`` over batches with a progress bar; returns ``(n_texts, n_labels)``."""
    n_labels = clf.schema_.n_labels
    if not texts:
        return np.zeros((0, n_labels), dtype=np.float32)
    parts = []
    with tqdm(total=len(texts), unit="text", desc="predict", disable=not progress or None, leave=False) as bar:
        for start in range(0, len(texts), batch_size):
            batch = texts[start : start + batch_size]
            parts.append(clf.predict_proba(batch))
            bar.update(len(batch))
    return np.concatenate(parts)


def _probability_map(names: Sequence[str], row: np.ndarray) -> dict[str, float]:
    return {name: round(float(p), 4) for name, p in zip(names, row, strict=True)}


def predict_texts(clf: EmotionClassifier, texts: Sequence[str]) -> list[dict[str, Any]]:
    """One record per text: ``{"text", "labels", "probabilities"}``."""
    probs = clf.predict_proba(list(texts))
    labels = clf.schema_.decode(clf.calibrator_.predict(probs))
    names = clf.schema_.names
    return [
        {
            "text": t,
            "labels": lab,
            "probabilities": _probability_map(names, row),
        }
        for t, lab, row in zip(texts, labels, probs, strict=True)
    ]


def _read_input(path: Path, text_column: str) -> Table:
    if path.suffix.lower() == ".txt":
        lines = read_text(path).splitlines()
        return Table(pd.DataFrame({text_column: lines}), str(path), first_line=1)
    table = read_table(path)
    if text_column not in table.frame.columns:
        columns = ", ".join(map(str, table.frame.columns))
        raise DataError(f"{path}: no column {text_column!r} (columns: {columns}); pass --text-column NAME")
    return table


def predict_file(
    model: str | Path | EmotionClassifier,
    input_path: str | Path,
    output_path: str | Path,
    text_column: str = "text",
    batch_size: int = 512,
    progress: bool = True,
) -> int:
    """Predict every row of ``input_path`` into ``output_path``; returns the number of rows written."""
    output_path = Path(output_path)
    if output_path.suffix.lower() not in OUTPUT_SUFFIXES:
        raise DataError(f"{output_path}: output must end in {' or '.join(OUTPUT_SUFFIXES)}")
    table = _read_input(Path(input_path), text_column)
    texts = table.frame[text_column].tolist()
    bad = [i for i, t in enumerate(texts) if not isinstance(t, str) or not t.strip()]
    if bad:
        raise DataError(f"{input_path}: empty text at {table.rows(bad)}; remove those rows or fill them in")
    clf = model if isinstance(model, EmotionClassifier) else EmotionClassifier.load(model)
    probs = predict_proba_batched(clf, texts, batch_size, progress)
    labels = clf.schema_.decode(clf.calibrator_.predict(probs))
    names = clf.schema_.names
    frame = table.frame.copy()
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
                    record["probabilities"] = _probability_map(names, row)
                    out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
    return len(texts)
