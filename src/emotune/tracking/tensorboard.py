"""TensorBoard event files: ``RUN/tensorboard/`` for the run, one subfolder per nested run.

TensorBoard has no artifact store: the report and the bundle stay in the run folder; tables and the config
are written as text summaries.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from emotune.config import TrackConfig
from emotune.tracking.base import Backend, clean_key, missing_extra


class TensorBoardBackend(Backend):
    def __init__(self, log_dir: Path, params: Mapping[str, str]) -> None:
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:  # torch's writer needs the tensorboard package
            raise missing_extra("TensorBoard", "pip install tensorboard") from None
        self.log_dir = log_dir
        self.writer: Any = SummaryWriter(log_dir=str(log_dir))
        self.log_params(params)

    @classmethod
    def start(cls, track: TrackConfig, run_dir: Path, name: str, params: Mapping[str, str]) -> TensorBoardBackend:
        return cls(run_dir / "tensorboard", params)

    def log_params(self, params: Mapping[str, str]) -> None:
        if params:
            self.writer.add_text("config", "\n".join(f"    {k}: {v}" for k, v in params.items()))

    def log_metrics(self, metrics: Mapping[str, float], step: int | None) -> None:
        for key, value in metrics.items():
            self.writer.add_scalar(clean_key(key), float(value), global_step=step or 0)
        self.writer.flush()

    def log_table(self, name: str, frame: pd.DataFrame) -> None:
        table = frame.to_string(index=False)
        self.writer.add_text(name, "\n".join("    " + line for line in table.splitlines()))  # a Markdown code block

    def log_artifact(self, path: Path, kind: str) -> None:
        return None

    def child(self, name: str, params: Mapping[str, str]) -> TensorBoardBackend:
        return TensorBoardBackend(self.log_dir / name, params)

    def end(self, failed: bool) -> None:
        self.writer.close()


BACKEND = TensorBoardBackend
