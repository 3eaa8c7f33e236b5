"""A table becomes an :class:`~emotune.data.dataset.EmotionDataset`, validated row by row, through a
:class:`~emotune.config.ColumnSpec` that says which columns hold the text and the labels. Four label layouts
are understood:

- ``label_columns``: one 0/1 column per label (SemEval E-c);
- ``label_column`` with label names, one or a delimited list per row (``"joy,love"``);
- ``label_column`` with label ids, one or a list per row (``"3,27"``, ``"[0 2]"``, ``[]`` for none), named
  by ``label_names``;
- ``label_column`` with exactly one label per row: a multiclass task.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from emotune.config import ColumnSpec
from emotune.data.dataset import EmotionDataset, warn_duplicates
from emotune.data.labels import LabelSchema, TaskType
from emotune.data.readers import Table, preview
from emotune.errors import DataError

log = logging.getLogger("emotune")

_MISSING_STRINGS = {"", "nan", "NaN", "NA", "N/A", "null", "None"}
_INT = re.compile(r"^-?\d+$")


class _Problems:
    """Row-level problems, collected so that one message can name them all (a few rows of each, and a count)."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.found: dict[str, list[int]] = {}
        self.described: dict[str, str] = {}
        self.fixes: dict[str, str] = {}

    def add(self, kind: str, row: int, fix: str, key: str | None = None) -> None:
        """Record ``kind`` at ``row``; problems with the same ``key`` (default: ``kind``) are reported together,
        described by the first one (``value 'x' in label column 'id'`` stands for every bad value there)."""
        key = key or kind
        self.found.setdefault(key, []).append(row)
        self.described.setdefault(key, kind)
        self.fixes[key] = fix

    def bad_rows(self) -> set[int]:
        return {r for rows in self.found.values() for r in rows}

    def counts(self) -> dict[str, int]:
        return {self.described[key]: len(rows) for key, rows in self.found.items()}

    def raise_if_any(self) -> None:
        if not self.found:
            return
        parts = [f"{self.described[key]} at {self.table.rows(rows)} ({self.fixes[key]})"
                 for key, rows in list(self.found.items())[:3]]  # fmt: skip
        more = f"; and {len(self.found) - 3} more kinds of problem" if len(self.found) > 3 else ""
        raise DataError(f"{self.table.source}: " + "; ".join(parts) + more)


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and value.strip() in _MISSING_STRINGS


def _check_columns(table: Table, spec: ColumnSpec) -> None:
    wanted = [spec.text_column, *(spec.label_columns or [])]
    wanted += [c for c in (spec.label_column, spec.id_column, spec.group_column) if c]
    columns = [str(c) for c in table.frame.columns]
    missing = [c for c in wanted if c not in columns]
    if missing:
        raise DataError(
            f"{table.source}: no column {preview([repr(c) for c in missing], limit=3)} (columns: {preview(columns)}); "
            "set data.text_column / data.label_column(s) or pick the right --preset"
        )


_ID_NAME = re.compile(r"^(id|.*[_ -]id)$", re.IGNORECASE)


def is_id_column(name: str, values: Sequence[Any]) -> bool:
    """``id``, ``ID``, ``tweet_id``, ... or a column of distinct values that are not all 0/1: an id, not a label."""
    if _ID_NAME.match(name):
        return True
    distinct = {str(v).strip() for v in values}
    return len(values) > 2 and len(distinct) == len(values) and not distinct <= {"0", "1", "0.0", "1.0"}


def _guess_label_layout(table: Table, spec: ColumnSpec) -> ColumnSpec:
    """Fill in ``label_column`` or ``label_columns`` (and an unnamed id column) when the spec names neither."""
    if spec.label_columns or spec.label_column:
        return spec
    columns = [str(c) for c in table.frame.columns]
    for name in ("labels", "label", "emotions", "emotion"):
        if name in columns:
            return spec.model_copy(update={"label_column": name})
    # Otherwise every remaining column but an id is a 0/1 label column; a non-0/1 value is then reported.
    others = [c for c in columns if c not in (spec.text_column, spec.id_column, spec.group_column)]
    ids = [c for c in others if is_id_column(c, table.frame[c].tolist())]
    if ids:
        log.info("%s: column %s holds ids, not labels", table.source, ", ".join(map(repr, ids)))
        others = [c for c in others if c not in ids]
        spec = spec.model_copy(update={"id_column": spec.id_column or ids[0]})
    if others:
        return spec.model_copy(update={"label_columns": others})
    raise DataError(
        f"{table.source}: no label column found (columns: {preview(columns)}); "
        "set data.label_column or data.label_columns"
    )


def _binary_value(value: Any) -> int | None:
    if isinstance(value, bool | np.bool_):
        return int(value)
    if isinstance(value, int | np.integer | float | np.floating):
        return int(value) if value in (0, 1) else None
    text = str(value).strip()
    return {"0": 0, "1": 1, "0.0": 0, "1.0": 1}.get(text)


def _labels_from_columns(table: Table, spec: ColumnSpec, problems: _Problems) -> tuple[np.ndarray, list[str]]:
    names = list(spec.label_columns or [])
    y = np.zeros((len(table.frame), len(names)), dtype=np.int8)
    for j, column in enumerate(names):
        for row, value in enumerate(table.frame[column].tolist()):
            if _is_missing(value):
                problems.add(f"missing label in column {column!r}", row, "every label column needs 0 or 1")
                continue
            parsed = _binary_value(value)
            if parsed is None:
                shown = preview([value], width=30)
                problems.add(f"value {shown!r} in label column {column!r}", row, "label columns may hold only 0 or 1",
                             key=f"value in {column}")  # fmt: skip
            else:
                y[row, j] = parsed
    return y, names


def _tokens(value: Any, delimiter: str) -> list[str]:
    """One label cell as a list of label tokens (names or ids as strings)."""
    if isinstance(value, list | tuple | np.ndarray):
        return [str(v).strip() for v in value]
    if isinstance(value, int | np.integer):
        return [str(value)]
    text = str(value).strip()
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1].replace(",", " ").replace("'", " ").replace('"', " ")
        return inner.split()
    return [t.strip() for t in text.split(delimiter) if t.strip()]


def _labels_from_column(
    table: Table, spec: ColumnSpec, problems: _Problems
) -> tuple[list[list[str] | None], list[str]]:
    """Label-name lists per row (``None`` for rows with a problem) and the label names in id order."""
    column = str(spec.label_column)
    cells: list[list[str] | None] = []
    for row, value in enumerate(table.frame[column].tolist()):
        is_list = isinstance(value, list | tuple | np.ndarray)
        if not is_list and _is_missing(value):
            problems.add(f"missing label in column {column!r}", row, "give every row a label, or drop the row")
            cells.append(None)
        else:
            cells.append(_tokens(value, spec.label_delimiter))
    all_tokens = [t for c in cells if c for t in c]
    use_ids = spec.label_format == "ids" or (
        spec.label_format == "auto" and bool(all_tokens) and all(_INT.match(t) for t in all_tokens)
    )
    if use_ids:
        max_id = max((int(t) for t in all_tokens if _INT.match(t)), default=-1)
        names = list(spec.label_names) if spec.label_names else [str(i) for i in range(max_id + 1)]
        named: list[list[str] | None] = []
        for row, cell in enumerate(cells):
            if cell is None:
                named.append(None)
                continue
            bad = [t for t in cell if not _INT.match(t) or not 0 <= int(t) < len(names)]
            if bad:
                problems.add(
                    f"label id {preview(bad[:1])!r} out of range in column {column!r}",
                    row,
                    f"ids must be 0..{len(names) - 1} indexing the label names",
                    key="label id out of range",
                )
                named.append(None)
            else:
                named.append([names[int(t)] for t in cell])
        return named, names
    names = list(spec.label_names) if spec.label_names else sorted(set(all_tokens))
    known = set(names)
    for row, cell in enumerate(cells):
        unknown = [t for t in (cell or []) if t not in known]
        if unknown:
            problems.add(f"unknown label {preview(unknown[:1])!r}", row, f"known labels: {preview(names, limit=30)}",
                         key="unknown label")  # fmt: skip
            cells[row] = None
    return cells, names


def _infer_task(spec: ColumnSpec, label_lists: list[list[str]] | None) -> TaskType:
    if spec.task == "multilabel":
        return "multilabel"
    if spec.task == "multiclass":
        return "multiclass"
    if label_lists is None:  # one 0/1 column per label
        return "multilabel"
    return "multiclass" if all(len(labels) == 1 for labels in label_lists) else "multilabel"


def dataset_from_table(table: Table, spec: ColumnSpec, *, strict: bool = True) -> EmotionDataset:
    """Validate a table and turn it into an :class:`EmotionDataset`.

    Args:
        table: rows read by :func:`emotune.data.readers.read_table`.
        spec: which columns hold text and labels.
        strict: raise a :class:`DataError` naming every bad row (default); with ``False`` bad rows are
            dropped and counted in ``dataset.problems`` (what ``emotune data inspect`` shows).

    Raises:
        DataError: missing columns, empty or non-string texts, missing labels, unknown label names, label
            columns with values other than 0/1, multiclass rows without exactly one label.

    (Over 60 lines with this docstring: the body is one check per kind of bad row, each naming the rows.)
    """
    _check_columns(table, spec)
    spec = _guess_label_layout(table, spec)
    _check_columns(table, spec)
    problems = _Problems(table)
    frame = table.frame

    texts: list[str] = []
    for row, value in enumerate(frame[spec.text_column].tolist()):
        if not isinstance(value, str):
            problems.add("text that is not a string", row, f"column {spec.text_column!r} must hold text")
            texts.append("")
        elif not value.strip():
            problems.add("empty text", row, "remove the row or fill in the text")
            texts.append("")
        else:
            texts.append(value)

    cells: list[list[str] | None]
    if spec.label_columns:
        y, names = _labels_from_columns(table, spec, problems)
        cells = [[names[j] for j in np.flatnonzero(row)] for row in y]
        task = _infer_task(spec, None)
    else:
        cells, names = _labels_from_column(table, spec, problems)
        task = _infer_task(spec, [c for c in cells if c is not None])
    if task == "multiclass":
        for row, cell in enumerate(cells):
            if cell is not None and len(cell) != 1:
                problems.add(
                    "row without exactly one label", row, "multiclass needs one label per row; or task=multilabel"
                )
    y = LabelSchema(tuple(names), task).encode([cell or [] for cell in cells])

    bad = problems.bad_rows()
    if strict:
        problems.raise_if_any()
    keep = [r for r in range(len(frame)) if r not in bad]
    neutral = spec.neutral_label if spec.neutral_label in names else None
    dataset = EmotionDataset(
        texts=[texts[r] for r in keep],
        y=y[keep],
        schema=LabelSchema(tuple(names), task, neutral),
        ids=[str(v) for v in frame[spec.id_column].iloc[keep]] if spec.id_column else None,
        groups=np.asarray(frame[spec.group_column].iloc[keep].astype(str)) if spec.group_column else None,
        turns=frame[spec.turn_column].iloc[keep].to_numpy(dtype=int) if spec.turn_column else None,
        speakers=[str(v) for v in frame[spec.speaker_column].iloc[keep]] if spec.speaker_column else None,
        source=table.source,
        problems=problems.counts(),
    )
    warn_duplicates(dataset)
    return dataset
