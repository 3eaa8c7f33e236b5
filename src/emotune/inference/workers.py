"""Prediction in worker processes (``emotune predict --input F --output O --workers N``).

Each worker loads the bundle once (in the chosen backend), pinned to its own share of the cores so that N
workers never run more threads than there are cores, and labels the chunks the parent sends it. The parent
keeps at most ``2 * N`` chunks in flight and hands the results back in input order, so memory stays flat and
the output file is written exactly as with one process.

Workers are started with ``spawn`` (a forked copy of a process that already ran PyTorch or ONNX Runtime
threads can hang), so each pays the bundle's load time once.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from emotune.errors import EmotuneError

Labelled = tuple[np.ndarray, list[list[str]]]

_classifier: Any = None  # the bundle this worker process loaded
_failure: EmotuneError | None = None  # why it could not be loaded (raised by the first chunk it is given)


def core_shares(cores: list[int], workers: int) -> list[list[int]]:
    """The cores each worker is pinned to: disjoint shares as equal as they can be, or one core each, shared
    round the cores, when there are more workers than cores.

    >>> core_shares([0, 1, 2], 2)
    [[0], [1, 2]]
    >>> core_shares([0, 1], 3)
    [[0], [1], [0]]
    """
    if len(cores) < workers:
        return [[cores[i % len(cores)]] for i in range(workers)]
    return [cores[i * len(cores) // workers : (i + 1) * len(cores) // workers] for i in range(workers)]


def _start(path: str, backend: str, shares: Any) -> None:
    """Worker set-up. A failure is kept for the first chunk to raise: raised here, it would only break the pool
    and the parent would see "a process terminated abruptly" instead of the reason."""
    global _classifier, _failure
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, shares.get())  # before torch / onnxruntime size their thread pools
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    from emotune.inference.backends import load_classifier

    try:
        _classifier = load_classifier(path, backend)
    except EmotuneError as exc:  # as a plain EmotuneError: subclasses with their own __init__ do not unpickle
        _failure = EmotuneError(str(exc))


def label_texts(clf: Any, texts: list[str]) -> Labelled:
    """Probabilities and label names of ``texts`` with the loaded classifier ``clf``."""
    probs = clf.predict_proba(texts)
    return probs, clf.labels_from_proba(probs)


def _label(texts: list[str]) -> Labelled:
    if _failure is not None:
        raise _failure
    return label_texts(_classifier, texts)


class WorkerPool:
    """``workers`` processes, each holding the bundle at ``path`` loaded with ``backend``. Use as a context
    manager; :meth:`label` labels frames in order."""

    def __init__(self, path: str | Path, backend: str, workers: int) -> None:
        from emotune.inference.backends import choose_backend, export_once

        backend = choose_backend(Path(path)) if backend == "auto" else backend  # measured once, here
        export_once(path, backend)
        has_affinity = hasattr(os, "sched_getaffinity")
        cores = sorted(os.sched_getaffinity(0)) if has_affinity else list(range(os.cpu_count() or 1))
        context = multiprocessing.get_context("spawn")
        shares = context.Queue()
        for share in core_shares(cores, workers):
            shares.put(share)
        self.workers = workers
        self.executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_start,
                                            initargs=(str(path), backend, shares))  # fmt: skip

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)

    def label(self, frames: Iterable[pd.DataFrame], column: str) -> Iterator[tuple[pd.DataFrame, Labelled]]:
        """``(frame, (probabilities, label names))`` for each frame's ``column``, in the order of ``frames``."""
        pending: deque[tuple[pd.DataFrame, Future[Labelled]]] = deque()
        for frame in frames:
            pending.append((frame, self.executor.submit(_label, frame[column].tolist())))
            if len(pending) > 2 * self.workers:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
