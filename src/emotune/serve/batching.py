"""Dynamic micro-batching: texts of concurrent requests are predicted together.

Each request puts its texts on a bounded queue and waits. One loop takes the first waiting request, adds
whatever else arrives until that request has waited ``max_wait_ms`` (up to ``max_batch`` texts), runs the model
once in a worker thread and hands every request its own rows. A request that already waited that long behind
the previous model call goes at once with what is queued: the wait bounds the latency batching adds, and a
busy model is never left idle for it. A full queue answers at once with :class:`Busy` (HTTP 503)
instead of letting latency grow without bound.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

Predict = Callable[[list[str]], np.ndarray]


class Busy(Exception):
    """The queue is full: the client should retry later."""


class _Request(NamedTuple):
    texts: list[str]
    future: asyncio.Future[np.ndarray]
    arrived: float  # loop time when it was queued


@dataclass
class BatchStats:
    """What the batcher did: number of model calls and of requests served (for tests and ``/metadata``)."""

    batches: int = 0
    requests: int = 0
    largest: int = 0  # the most requests one model call served


class MicroBatcher:
    """Groups the texts of concurrent :meth:`predict` calls into model batches; see the module doc."""

    def __init__(self, predict: Predict, max_batch: int = 64, max_wait_ms: float = 5.0, max_queue: int = 1024) -> None:
        self._predict = predict
        self.max_batch, self.max_wait, self.max_queue = max_batch, max_wait_ms / 1000, max_queue
        self.stats = BatchStats()
        self._queue: asyncio.Queue[_Request] | None = None
        self._task: asyncio.Task[None] | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="emotune-predict")

    async def start(self) -> None:
        self._queue = asyncio.Queue(maxsize=self.max_queue)
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        """Let the batch in progress finish, fail what is still queued, release the worker thread."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        while self._queue is not None and not self._queue.empty():
            future = self._queue.get_nowait().future
            if not future.done():
                future.set_exception(Busy("the service is shutting down"))
        self._executor.shutdown(wait=True)

    async def predict(self, texts: list[str]) -> np.ndarray:
        """Probabilities of ``texts`` ``(n, n_labels)``, predicted with other requests' texts."""
        if self._queue is None:
            raise RuntimeError("MicroBatcher.start() was not called")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[np.ndarray] = loop.create_future()
        try:
            self._queue.put_nowait(_Request(texts, future, loop.time()))
        except asyncio.QueueFull:
            raise Busy(f"{self.max_queue} requests are waiting; retry shortly") from None
        return await future

    async def _loop(self) -> None:
        assert self._queue is not None
        loop = asyncio.get_running_loop()
        while True:
            items = [await self._queue.get()]
            size = len(items[0].texts)
            deadline = items[0].arrived + self.max_wait  # counted from its arrival, not from now
            while size < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except asyncio.QueueEmpty:
                    remaining = deadline - loop.time()
                    if remaining <= 0:
                        break
                    try:
                        item = await asyncio.wait_for(self._queue.get(), remaining)
                    except TimeoutError:
                        break
                items.append(item)
                size += len(item.texts)
            await self._run(loop, items)

    async def _run(self, loop: asyncio.AbstractEventLoop, items: list[_Request]) -> None:
        texts = [t for item in items for t in item.texts]
        try:
            probs = await loop.run_in_executor(self._executor, self._predict, texts)
        except Exception as exc:
            for item in items:
                if not item.future.done():
                    item.future.set_exception(exc)
            return
        self.stats.batches += 1
        self.stats.requests += len(items)
        self.stats.largest = max(self.stats.largest, len(items))
        start = 0
        for item in items:
            if not item.future.done():  # a client that went away cancelled its future
                item.future.set_result(probs[start : start + len(item.texts)])
            start += len(item.texts)
