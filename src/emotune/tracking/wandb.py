"""Weights & Biases, offline by default: runs land in ``RUN/wandb/`` and ``wandb sync RUN/wandb/offline-run-*``
uploads them later. ``WANDB_MODE=online`` (with ``wandb login``) logs live. Nested runs (cv folds, sweep
trials) share the parent's ``group``, W&B's way of grouping related runs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from emotune.config import TrackConfig
from emotune.tracking.base import Backend, clean_key, missing_extra


class WandbBackend(Backend):
    def __init__(self, track: TrackConfig, root: Path, name: str, group: str, params: Mapping[str, str]) -> None:
        try:
            import wandb
        except ImportError:
            raise missing_extra("Weights & Biases", "pip install wandb") from None
        self.wandb, self.track, self.root, self.group = wandb, track, root, group
        root.mkdir(parents=True, exist_ok=True)
        self.run: Any = wandb.init(
            mode=os.environ.get("WANDB_MODE", "offline"),  # type: ignore[arg-type]
            dir=str(root), project=track.project, name=name, group=group, config=dict(params),
            tags=list(track.tags), reinit="create_new",
            settings=wandb.Settings(silent=True, console="off", save_code=False),
        )  # fmt: skip

    @classmethod
    def start(cls, track: TrackConfig, run_dir: Path, name: str, params: Mapping[str, str]) -> WandbBackend:
        return cls(track, run_dir, name, name, params)

    def log_params(self, params: Mapping[str, str]) -> None:
        self.run.config.update(dict(params), allow_val_change=True)

    def log_metrics(self, metrics: Mapping[str, float], step: int | None) -> None:
        values = {clean_key(k): float(v) for k, v in metrics.items()}
        if step is None:
            self.run.summary.update(values)
        else:
            self.run.log(values, step=step)

    def log_table(self, name: str, frame: pd.DataFrame) -> None:
        self.run.log({name: self.wandb.Table(dataframe=frame)}, commit=False)

    def log_artifact(self, path: Path, kind: str) -> None:
        if path.is_dir():
            artifact = self.wandb.Artifact(clean_key(f"{self.run.name}-{path.name}").replace("/", "-"), type=kind)
            artifact.add_dir(str(path))
            self.run.log_artifact(artifact)
        else:
            self.run.save(str(path), base_path=str(path.parent), policy="now")

    def child(self, name: str, params: Mapping[str, str]) -> WandbBackend:
        return WandbBackend(self.track, self.root, name, self.group, params)

    def end(self, failed: bool) -> None:
        self.run.finish(exit_code=1 if failed else 0)


BACKEND = WandbBackend
