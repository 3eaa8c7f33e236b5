"""The whole config of a run: one section per concern."""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import Field, model_validator

from emotune.config.augment import AugmentStep
from emotune.config.base import Section
from emotune.config.data import DataConfig, DialogueConfig, PreprocessConfig, SamplingConfig
from emotune.config.model import ModelConfig
from emotune.config.track import TrackConfig
from emotune.config.train import DistillConfig, SweepConfig, ThresholdConfig, TrainConfig


class RunConfig(Section):
    """Everything one ``emotune train`` run needs."""

    data: DataConfig = DataConfig()
    preprocess: PreprocessConfig = PreprocessConfig()
    model: ModelConfig = ModelConfig()
    train: TrainConfig = TrainConfig()
    sampling: SamplingConfig = SamplingConfig()
    thresholds: ThresholdConfig = ThresholdConfig()
    dialogue: DialogueConfig = DialogueConfig()
    sweep: SweepConfig = SweepConfig()
    distill: DistillConfig = DistillConfig()
    track: TrackConfig = TrackConfig()
    augment: list[AugmentStep] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _dialogue_task(cls, values: Any) -> Any:
        """``task=utterance`` / ``task=next_turn`` (the short form) set ``dialogue.task``."""
        data = values.get("data") if isinstance(values, dict) else None
        if isinstance(data, dict) and data.get("task") in ("utterance", "next_turn"):
            values = {**values, "data": {**data, "task": "auto"}}
            values["dialogue"] = {**(values.get("dialogue") or {}), "task": data["task"]}
        return values

    def to_yaml(self) -> str:
        """The resolved config as YAML, loadable again with :func:`load_config`."""
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False)
