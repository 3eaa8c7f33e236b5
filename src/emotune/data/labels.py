"""The label schema: names, ids and task type, used everywhere downstream.

Labels are always held as an indicator matrix ``y`` of shape ``(n_texts, n_labels)`` with 0/1 entries. For a
multiclass task each row has exactly one 1; :meth:`LabelSchema.class_ids` gives the class index per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

TaskType = Literal["multilabel", "multiclass"]


@dataclass(frozen=True)
class LabelSchema:
    """Label names in id order, the task type and (optionally) the neutral / no-emotion label.

    >>> schema = LabelSchema(("anger", "joy"), "multilabel")
    >>> schema.encode([["joy"], [], ["anger", "joy"]]).tolist()
    [[0, 1], [0, 0], [1, 1]]
    """

    names: tuple[str, ...]
    task: TaskType
    neutral: str | None = None

    def __post_init__(self) -> None:
        if not self.names:
            raise ValueError("a label schema needs at least one label")
        if len(set(self.names)) != len(self.names):
            dupes = sorted({n for n in self.names if self.names.count(n) > 1})
            raise ValueError(f"label names must be unique, repeated: {dupes}")
        if self.task not in ("multilabel", "multiclass"):
            raise ValueError(f"task must be multilabel or multiclass, got {self.task!r}")
        if self.neutral is not None and self.neutral not in self.names:
            raise ValueError(f"neutral label {self.neutral!r} is not one of the labels {list(self.names)}")

    @property
    def n_labels(self) -> int:
        return len(self.names)

    def index(self, name: str) -> int:
        return self.names.index(name)

    def encode(self, label_lists: Iterable[Sequence[str]]) -> np.ndarray:
        """Label-name lists to an indicator matrix ``(n, n_labels)``; unknown names raise ``KeyError``."""
        ids = {name: i for i, name in enumerate(self.names)}
        rows = list(label_lists)
        y = np.zeros((len(rows), self.n_labels), dtype=np.int8)
        for r, names in enumerate(rows):
            for name in names:
                y[r, ids[name]] = 1
        return y

    def decode(self, y: np.ndarray) -> list[list[str]]:
        """Indicator matrix ``(n, n_labels)`` to a list of label-name lists."""
        return [[self.names[j] for j in np.flatnonzero(row)] for row in np.asarray(y)]

    def class_ids(self, y: np.ndarray) -> np.ndarray:
        """For multiclass: the class index of each one-hot row, shape ``(n,)``."""
        return np.asarray(y).argmax(axis=1)

    def one_hot(self, class_ids: np.ndarray) -> np.ndarray:
        """Class indices ``(n,)`` to a one-hot matrix ``(n, n_labels)``."""
        y = np.zeros((len(class_ids), self.n_labels), dtype=np.int8)
        y[np.arange(len(class_ids)), class_ids] = 1
        return y

    def to_dict(self) -> dict[str, Any]:
        return {"names": list(self.names), "task": self.task, "neutral": self.neutral}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LabelSchema:
        return cls(tuple(data["names"]), data["task"], data.get("neutral"))


def probabilities(logits: np.ndarray, task: str) -> np.ndarray:
    """Sigmoid (multilabel) or softmax (multiclass) of ``logits`` ``(n, n_labels)``."""
    logits = np.asarray(logits, dtype=np.float64)
    if task == "multiclass":
        shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
        return (shifted / shifted.sum(axis=1, keepdims=True)).astype(np.float32)
    return (1.0 / (1.0 + np.exp(-logits))).astype(np.float32)
