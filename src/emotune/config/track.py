"""Config section ``track``: which experiment trackers receive a run, and the run report."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from emotune.config.base import Section

Tracker = Literal["mlflow", "wandb", "tensorboard"]


class TrackConfig(Section):
    """Experiment tracking (``track.to``) and the HTML report every run writes (``track.report``).

    ``track.to=[mlflow,tensorboard]`` (or ``track.to=mlflow``) sends the resolved config, per-epoch metrics,
    final metrics, thresholds, per-label table and report of every run (each cv fold and sweep trial nested
    under its parent) to those trackers. Stores default to the run folder: MLflow ``sqlite:///RUN/mlflow.db``,
    TensorBoard ``RUN/tensorboard/``, W&B ``RUN/wandb/`` (offline unless ``WANDB_MODE`` says otherwise).
    """

    to: list[Tracker] = Field(default_factory=list, description="trackers: mlflow, wandb, tensorboard")
    project: str = Field("emotune", description="MLflow experiment / W&B project")
    run_name: str | None = Field(None, description="the tracked run's name; default: the run folder's name")
    tags: list[str] = Field(default_factory=list, description="tags; 'key=value' becomes a key/value tag")
    uri: str | None = Field(None, description="MLflow tracking URI; default: sqlite:///RUN/mlflow.db")
    log_model: bool = Field(False, description="also upload the bundle as an artifact")
    report: bool = Field(True, description="write RUN/report.html (and RUN/report/*.png) at the end of a run")

    @field_validator("to", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        """``track.to=mlflow`` and ``track.to=mlflow,wandb`` mean a list, as ``[mlflow, wandb]`` does."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value
