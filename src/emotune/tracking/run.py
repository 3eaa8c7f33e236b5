"""``start``: one tracked run, sent to every tracker in ``track.to``, nested under the run already open.

A workflow opens the run and logs what it made; the Trainer path also logs every evaluation as it happens
(:class:`TrackingCallback`). With ``track.to`` empty every call is a no-op, so workflows track unconditionally.

>>> # with start(cfg.track, run_dir, cfg.model_dump(mode="json")) as run: run.metrics({"dev/macro_f1": 0.5})
"""

from __future__ import annotations

import contextlib
import importlib
import json
import math
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from emotune.config import TrackConfig
from emotune.tracking.base import Backend, flatten
from emotune.training.distributed import is_main_process

# Trackers by ``track.to`` name: the module whose ``BACKEND`` starts a run; imported (with its library) only
# when chosen.
TRACKERS = {"mlflow": "emotune.tracking.mlflow", "tensorboard": "emotune.tracking.tensorboard",
            "wandb": "emotune.tracking.wandb"}  # fmt: skip


def _start(tool: str, track: TrackConfig, run_dir: Path, name: str, params: Mapping[str, str]) -> Backend:
    backend: type[Backend] = importlib.import_module(TRACKERS[tool]).BACKEND
    return backend.start(track, run_dir, name, params)


class TrackedRun:
    """One run in every chosen tracker (none: every method does nothing)."""

    def __init__(self, backends: list[Backend], name: str) -> None:
        self.backends = backends
        self.name = name

    def __bool__(self) -> bool:
        return bool(self.backends)

    def metrics(self, values: Mapping[str, Any], step: int | None = None, prefix: str = "") -> None:
        """Log the numbers in ``values`` (nested dicts are flattened to ``a/b`` keys; other values skipped)."""
        if not self.backends:
            return
        flat = {f"{prefix}{k}".replace(".", "/"): v for k, v in flatten(values).items()}
        numbers = {k: float(v) for k, v in flat.items()
                   if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)}  # fmt: skip
        if numbers:
            for backend in self.backends:
                backend.log_metrics(numbers, step)

    def table(self, name: str, rows: list[dict[str, Any]] | pd.DataFrame) -> None:
        frame = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
        for column in frame.columns[frame.dtypes.map(lambda t: t.kind in "mMO")]:  # times, objects: as text
            frame[column] = frame[column].astype(str)
        if self.backends and len(frame):
            for backend in self.backends:
                backend.log_table(name, frame)

    def artifact(self, path: Path, kind: str = "file") -> None:
        if self.backends and path.exists():
            for backend in self.backends:
                backend.log_artifact(path, kind)


_OPEN: list[TrackedRun] = []


def active() -> TrackedRun | None:
    """The innermost run open in this process, if any."""
    return _OPEN[-1] if _OPEN else None


def params_of(config: Mapping[str, Any]) -> dict[str, str]:
    """A config (nested dict) as flat ``section.key -> text`` parameters."""
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in flatten(config).items()}


@contextlib.contextmanager
def start(track: TrackConfig, run_dir: Path, config: Mapping[str, Any] | None = None,
          name: str | None = None) -> Iterator[TrackedRun]:  # fmt: skip
    """Open a tracked run for the run folder ``run_dir``, nested under the run already open (if any).

    ``config``: the resolved config, logged as parameters. ``name``: default ``track.run_name`` or the folder's
    name. Ends the run as failed when the block raises. Under torchrun only the main process tracks.
    """
    params = params_of(config or {})
    parent = active()
    label = name or (track.run_name if parent is None and track.run_name else run_dir.name)
    if not is_main_process():
        backends: list[Backend] = []
    elif parent is not None:
        backends = [backend.child(label, params) for backend in parent.backends]
    else:
        backends = [_start(tool, track, run_dir, label, params) for tool in dict.fromkeys(track.to)]
    run = TrackedRun(backends, label)
    _OPEN.append(run)
    try:
        yield run
    except BaseException:
        for backend in backends:
            backend.end(failed=True)
        raise
    else:
        for backend in backends:
            backend.end(failed=False)
    finally:
        _OPEN.remove(run)
