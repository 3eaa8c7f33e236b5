"""``RunFolder``: the folder of one run, its config, log, JSON and CSV outputs, checkpoints and cleanup.

Rules a user can rely on:

- an existing non-empty folder is refused unless ``resume`` (continue it) or ``overwrite`` (replace it);
- a run that fails before it made anything worth keeping leaves no folder behind; with ``overwrite`` the
  earlier run is put back untouched; a run that fails later keeps its checkpoints (for ``--resume``) and
  the error is the last line of its log;
- with ``resume`` the log is appended to, never rewritten;
- leftovers of an interrupted atomic write (``.model.*.tmp``) are removed when the folder is opened again.

Under torchrun / accelerate launch only the main process checks, writes and cleans up.

>>> # with RunFolder("runs/x", "train.log").open(cfg) as run: run.write_json("metrics.json", metrics)
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from emotune.config import RunConfig
from emotune.data.labels import LabelSchema
from emotune.errors import DataError
from emotune.io_utils import atomic_path, write_text_atomic
from emotune.training.distributed import is_main_process

CONFIG = "config.yaml"
CHECKPOINTS = "checkpoints"


class RunFolder:
    """The run folder ``path``; ``log_name`` is its log file (``train.log``, ``cv.log``, ``sweep.log``)."""

    def __init__(self, path: str | Path, log_name: str, resume: bool = False, overwrite: bool = False) -> None:
        self.path = Path(path)
        self.log_name = log_name
        self.resume = resume
        self.overwrite = overwrite
        self.main = is_main_process()

    def _check(self) -> None:
        if self.path.is_file():
            raise DataError(f"{self.path}: is a file; --output takes a run folder (it is made if missing)")
        if self.resume or self.overwrite or not self.path.is_dir() or not any(self.path.iterdir()):
            return
        raise DataError(f"{self.path}: already holds a run; pass --resume to continue it, --overwrite to replace "
                        "it, or another --output")  # fmt: skip

    @contextlib.contextmanager
    def open(self, cfg: RunConfig) -> Iterator[RunFolder]:
        """Make (or reopen) the folder, write ``config.yaml``, log to the log file; clean up on failure."""
        if not self.main:  # other ranks only train
            yield self
            return
        self._check()
        aside = self._move_aside() if self.overwrite and self.path.is_dir() else None
        existed = self.path.is_dir()
        self.path.mkdir(parents=True, exist_ok=True)
        for stale in self.path.glob(".*.tmp"):
            shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)
        write_text_atomic(self.path / CONFIG, cfg.to_yaml())
        try:
            with self._logging():
                yield self
        except BaseException as exc:
            self._failed(exc, existed, aside)
            raise
        if aside is not None:
            shutil.rmtree(aside, ignore_errors=True)

    def _move_aside(self) -> Path:
        holder = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.", suffix=".old", dir=self.path.parent))
        self.path.replace(holder / self.path.name)
        return holder

    def _failed(self, exc: BaseException, existed: bool, aside: Path | None) -> None:
        """Keep what can be resumed (with the error in the log); remove a folder that holds nothing more."""
        keep = {CONFIG, self.log_name}
        worth_keeping = any(p.name not in keep and (p.is_dir() or p.stat().st_size) for p in self.path.iterdir())
        if aside is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            (aside / self.path.name).replace(self.path)
            shutil.rmtree(aside, ignore_errors=True)
        elif not existed and not worth_keeping:
            shutil.rmtree(self.path, ignore_errors=True)
        else:
            stamp = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
            reason = str(exc) or type(exc).__name__
            with (self.path / self.log_name).open("a", encoding="utf-8") as out:
                out.write(f"{stamp} ERROR run failed: {reason}\n")

    @contextlib.contextmanager
    def _logging(self) -> Iterator[None]:
        logger = logging.getLogger("emotune")
        handler = logging.FileHandler(self.path / self.log_name, mode="a" if self.resume else "w", encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        previous = logger.level
        if logger.getEffectiveLevel() > logging.INFO:
            logger.setLevel(logging.INFO)
        try:
            yield
        finally:
            logger.removeHandler(handler)
            logger.setLevel(previous)
            handler.close()

    # --- outputs --------------------------------------------------------------------------------------------

    def write_json(self, name: str, value: Any) -> Path:
        """``value`` as indented JSON in ``name``, written atomically."""
        write_text_atomic(self.path / name, json.dumps(value, indent=2) + "\n")
        return self.path / name


def remove_checkpoints(folder: Path, cfg: RunConfig) -> None:
    """Once the bundle is written, checkpoints only served ``--resume``: drop them unless asked to keep them."""
    if (folder / CHECKPOINTS).is_dir() and not cfg.train.keep_checkpoints:
        shutil.rmtree(folder / CHECKPOINTS)


def write_probabilities(
    path: Path, texts: Sequence[str], probs: np.ndarray, names: Sequence[str], y: np.ndarray | None = None,
    fold: int | np.ndarray | None = None,
) -> None:  # fmt: skip
    """Texts with ``prob_<label>`` columns (and ``true_<label>`` gold columns, ``fold``), written atomically."""
    parts = [pd.DataFrame({"text": list(texts)})]
    if fold is not None:
        parts[0].insert(0, "fold", fold)
    if y is not None:
        parts.append(pd.DataFrame(np.asarray(y).astype(np.int8), columns=[f"true_{n}" for n in names]))
    parts.append(pd.DataFrame(probs, columns=[f"prob_{n}" for n in names]))
    with atomic_path(path) as tmp:
        pd.concat(parts, axis=1).to_csv(tmp, index=False, float_format="%.7g")


def read_oof(path: Path, schema: LabelSchema) -> tuple[np.ndarray, list[str], np.ndarray, np.ndarray]:
    """``(fold, texts, y, probs)`` of an out-of-fold file (a fold's ``oof.csv`` or ``RUN/oof_probabilities.csv``)."""
    frame = pd.read_csv(path, keep_default_na=False)
    y = frame[[f"true_{n}" for n in schema.names]].to_numpy(dtype=np.int8)
    probs = frame[[f"prob_{n}" for n in schema.names]].to_numpy(np.float32)
    return frame["fold"].to_numpy(), frame["text"].astype(str).tolist(), y, probs
