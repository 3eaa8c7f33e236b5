"""MLflow through ``MlflowClient``: a local SQLite store in the run folder unless ``track.uri`` names one."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from emotune.config import TrackConfig
from emotune.tracking.base import Backend, clean_key, missing_extra

BATCH = 100  # MLflow's log_batch limit on params per call


class MlflowBackend(Backend):
    def __init__(self, client: Any, experiment_id: str, run_id: str) -> None:
        self.client, self.experiment_id, self.run_id = client, experiment_id, run_id

    @classmethod
    def start(cls, track: TrackConfig, run_dir: Path, name: str, params: Mapping[str, str]) -> MlflowBackend:
        try:
            from mlflow.tracking import MlflowClient
        except ImportError:
            raise missing_extra("MLflow", "pip install mlflow") from None
        for noisy in ("mlflow", "alembic"):  # table creation and migrations log at INFO
            logging.getLogger(noisy).setLevel(logging.WARNING)
        folder = run_dir.resolve()
        client = MlflowClient(tracking_uri=track.uri or f"sqlite:///{folder / 'mlflow.db'}")
        experiment = client.get_experiment_by_name(track.project)
        if experiment is not None:
            experiment_id = experiment.experiment_id
        else:
            artifacts = None if track.uri else (folder / "mlflow-artifacts").as_uri()
            experiment_id = client.create_experiment(track.project, artifact_location=artifacts)
        tags = dict(tag.partition("=")[::2] for tag in track.tags)
        run = client.create_run(experiment_id, run_name=name, tags={k: v or "" for k, v in tags.items()})
        backend = cls(client, experiment_id, run.info.run_id)
        backend.log_params(params)
        return backend

    def log_params(self, params: Mapping[str, str]) -> None:
        from mlflow.entities import Param

        items = [Param(clean_key(k)[:250], v[:6000]) for k, v in params.items()]
        for i in range(0, len(items), BATCH):
            self.client.log_batch(self.run_id, params=items[i : i + BATCH])

    def log_metrics(self, metrics: Mapping[str, float], step: int | None) -> None:
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        items = [Metric(clean_key(k), float(v), now, step or 0) for k, v in metrics.items()]
        for i in range(0, len(items), 1000):
            self.client.log_batch(self.run_id, metrics=items[i : i + 1000])

    def log_table(self, name: str, frame: pd.DataFrame) -> None:
        self.client.log_text(self.run_id, frame.to_csv(index=False), f"tables/{name}.csv")

    def log_artifact(self, path: Path, kind: str) -> None:
        if path.is_dir():
            self.client.log_artifacts(self.run_id, str(path), artifact_path=path.name)
        else:
            self.client.log_artifact(self.run_id, str(path))

    def child(self, name: str, params: Mapping[str, str]) -> MlflowBackend:
        run = self.client.create_run(self.experiment_id, run_name=name, tags={"mlflow.parentRunId": self.run_id})
        backend = MlflowBackend(self.client, self.experiment_id, run.info.run_id)
        backend.log_params(params)
        return backend

    def end(self, failed: bool) -> None:
        self.client.set_terminated(self.run_id, "FAILED" if failed else "FINISHED")


BACKEND = MlflowBackend
