"""The in-memory dataset every workflow consumes: texts, a 0/1 label matrix, a schema and optional dialogue
structure. Built from a table by :func:`emotune.data.tables.dataset_from_table`."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from emotune.data.labels import LabelSchema
from emotune.errors import DataError

log = logging.getLogger("emotune")


@dataclass
class EmotionDataset:
    """Texts with an indicator label matrix.

    Attributes:
        texts: ``n`` raw texts.
        y: labels, shape ``(n, n_labels)``, 0/1 (one-hot rows for multiclass).
        schema: label names and task type.
        ids: optional row ids from the file.
        groups: optional group per row (dialogue id): splits never separate a group.
        turns, speakers: optional dialogue structure (turn index within its dialogue, speaker).
        source: where the rows came from, for messages.
        problems: rows dropped while loading leniently, by problem (``{"empty text": 3}``).
        mask: which labels each row is annotated for, shape ``(n, n_labels)``, bool; ``None`` = all of them
            (rows of combined sources that do not annotate a label, see :mod:`emotune.data.combine`).
        origin: the source each row came from (combined data); ``None`` = one source.
    """

    texts: list[str]
    y: np.ndarray
    schema: LabelSchema
    ids: list[str] | None = None
    groups: np.ndarray | None = None
    turns: np.ndarray | None = None
    speakers: list[str] | None = None
    source: str = ""
    problems: dict[str, int] = field(default_factory=dict)
    mask: np.ndarray | None = None
    origin: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, indices: Sequence[int] | np.ndarray) -> EmotionDataset:
        """The rows at ``indices``, in that order."""
        idx = np.asarray(indices, dtype=int)
        return replace(
            self,
            texts=[self.texts[i] for i in idx],
            y=self.y[idx],
            ids=None if self.ids is None else [self.ids[i] for i in idx],
            groups=None if self.groups is None else self.groups[idx],
            turns=None if self.turns is None else self.turns[idx],
            speakers=None if self.speakers is None else [self.speakers[i] for i in idx],
            problems={},
            mask=None if self.mask is None else self.mask[idx],
            origin=None if self.origin is None else self.origin[idx],
        )

    def rows_per_origin(self) -> dict[str, int]:
        """Rows per source (``origin``); a dataset of one source counts under its ``source``."""
        if self.origin is None:
            return {self.source: len(self)}
        names, counts = np.unique(self.origin, return_counts=True)
        return {str(n): int(c) for n, c in zip(names, counts, strict=True)}

    def targets(self) -> np.ndarray:
        """``y`` as float32 with ``NaN`` where a row is not annotated for a label: what models fit."""
        y = self.y.astype(np.float32)
        return y if self.mask is None else np.where(self.mask, y, np.float32(np.nan))


def duplicate_counts(texts: Sequence[str]) -> tuple[int, int]:
    """``(distinct texts that repeat, rows involved)``."""
    repeated = [count for count in Counter(texts).values() if count > 1]
    return len(repeated), sum(repeated)


def warn_duplicates(dataset: EmotionDataset) -> None:
    """Log a warning (not an error) when texts repeat: they inflate scores when they straddle splits."""
    distinct, rows = duplicate_counts(dataset.texts)
    if distinct:
        log.warning("%s: %d texts occur more than once (%d rows)", dataset.source, distinct, rows)


Labels = np.ndarray | Sequence[str] | Sequence[Sequence[str]]


def dataset_from_labels(
    texts: Sequence[str], labels: Labels, label_names: Sequence[str] | None = None, source: str = "labels"
) -> EmotionDataset:
    """Build a dataset from Python objects.

    ``labels`` is an indicator array ``(n, n_labels)`` (needs ``label_names``), a list of label-name lists
    (multilabel) or a list of single label names (multiclass).
    """
    texts = list(texts)
    bad = [i for i, t in enumerate(texts) if not isinstance(t, str) or not t.strip()]
    if bad:
        raise DataError(f"{source}: texts {bad[:5]} are empty or not strings; every text must be non-empty")
    if isinstance(labels, np.ndarray) and labels.ndim == 2:
        if label_names is None or len(label_names) != labels.shape[1]:
            raise DataError(f"{source}: an indicator array of {labels.shape[1]} columns needs as many label_names")
        schema = LabelSchema(tuple(label_names), "multilabel")
        y = labels.astype(np.int8)
    else:
        # one name per text is multiclass; a list of names per text is multilabel
        multiclass = all(isinstance(item, str) for item in labels)
        lists = [[str(item)] if multiclass else [str(n) for n in item] for item in labels]
        used = {n for item in lists for n in item}
        names = tuple(label_names or sorted(used))
        unknown = sorted(used - set(names))
        if unknown:
            raise DataError(f"{source}: unknown labels {unknown}; known labels: {', '.join(names)}")
        schema = LabelSchema(names, "multiclass" if multiclass else "multilabel")
        y = schema.encode(lists)
    if len(y) != len(texts):
        raise DataError(f"{source}: {len(texts)} texts but {len(y)} label rows")
    return EmotionDataset(texts, y, schema, source=source)
