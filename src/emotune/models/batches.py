"""The one batching rule of prediction, for every model kind: texts of similar token counts go together, so
that a batch pads to little more than its own longest text."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np


def by_length(lengths: Sequence[int], batch_size: int) -> Iterator[np.ndarray]:
    """Row indices in batches of at most ``batch_size``, shortest first (ties keep input order).

    >>> [b.tolist() for b in by_length([5, 1, 3, 1], 2)]
    [[1, 3], [2, 0]]
    """
    order = np.argsort(np.asarray(lengths), kind="stable")
    for start in range(0, len(order), batch_size):
        yield order[start : start + batch_size]
