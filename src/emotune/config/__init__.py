"""Typed configuration: one object per concern, loaded from YAML plus ``key=value`` overrides.

Precedence, lowest first: the defaults below, the YAML file, command-line flags, ``key=value`` overrides.
Unknown keys and bad values are errors, and all of them are reported at once.

>>> cfg = load_config(None, ["model=tfidf", "thresholds.objective=micro_f1"])
>>> cfg.model.name, cfg.thresholds.objective
('tfidf', 'micro_f1')
"""

from emotune.config.augment import AugmentStep
from emotune.config.base import Section, Task
from emotune.config.data import (
    ColumnSpec,
    DataConfig,
    DialogueConfig,
    PreprocessConfig,
    SamplingConfig,
    SourceConfig,
)
from emotune.config.loading import (
    ALIASES,
    build_config,
    data_overrides,
    load_config,
    merge,
    parse_overrides,
    read_yaml,
    with_values,
)
from emotune.config.model import DEFAULT_PROMPT, ModelConfig, PeftConfig, TfidfConfig
from emotune.config.run import RunConfig
from emotune.config.track import TrackConfig
from emotune.config.train import DistillConfig, LossConfig, SweepConfig, ThresholdConfig, TrainConfig

__all__ = [
    "ALIASES",
    "DEFAULT_PROMPT",
    "AugmentStep",
    "ColumnSpec",
    "DataConfig",
    "DialogueConfig",
    "DistillConfig",
    "LossConfig",
    "ModelConfig",
    "PeftConfig",
    "PreprocessConfig",
    "RunConfig",
    "SamplingConfig",
    "Section",
    "SourceConfig",
    "SweepConfig",
    "Task",
    "TfidfConfig",
    "ThresholdConfig",
    "TrackConfig",
    "TrainConfig",
    "build_config",
    "data_overrides",
    "load_config",
    "merge",
    "parse_overrides",
    "read_yaml",
    "with_values",
]  # fmt: skip
