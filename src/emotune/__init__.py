"""emotune: fine-tune and run emotion detection models on text.

>>> import emotune
>>> train = emotune.load_dataset(emotune.sample_data_dir() / "2018-E-c-En-train.txt", preset="semeval2018-ec")
>>> clf = emotune.EmotionClassifier("tfidf").fit_dataset(train)
>>> clf.predict_labels(["I am so scared of tomorrow"])  # doctest: +SKIP
[['fear']]
"""

from __future__ import annotations

import importlib
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emotune.classifier import EmotionClassifier
    from emotune.config import (
        DataConfig,
        ModelConfig,
        PreprocessConfig,
        RunConfig,
        ThresholdConfig,
        TrainConfig,
        load_config,
    )
    from emotune.data.dataset import EmotionDataset, dataset_from_labels
    from emotune.data.labels import LabelSchema
    from emotune.data.loading import load_dataset
    from emotune.data.preprocess import Preprocessor
    from emotune.data.presets import PRESETS
    from emotune.data.splits import kfold, train_dev_split
    from emotune.decisions.thresholds import ThresholdCalibrator
    from emotune.errors import ConfigError, DataError, EmotuneError
    from emotune.evaluation.metrics import METRICS, compute_metrics, per_label_report
    from emotune.inference import predict_conversation

# The public API is imported on first use, so `emotune --help` does not pay for scikit-learn and friends.
_EXPORTS = {
    "ThresholdCalibrator": "emotune.decisions.thresholds",
    "EmotionClassifier": "emotune.classifier",
    "dataset_from_labels": "emotune.data.dataset",
    **dict.fromkeys(
        ("DataConfig", "ModelConfig", "PreprocessConfig", "RunConfig", "ThresholdConfig", "TrainConfig", "load_config"),
        "emotune.config",
    ),
    "EmotionDataset": "emotune.data.dataset",
    "LabelSchema": "emotune.data.labels",
    "load_dataset": "emotune.data.loading",
    "Preprocessor": "emotune.data.preprocess",
    "PRESETS": "emotune.data.presets",
    "kfold": "emotune.data.splits",
    "train_dev_split": "emotune.data.splits",
    **dict.fromkeys(("ConfigError", "DataError", "EmotuneError"), "emotune.errors"),
    **dict.fromkeys(("METRICS", "compute_metrics", "per_label_report"), "emotune.evaluation.metrics"),
    "predict_conversation": "emotune.inference",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'emotune' has no attribute {name!r}")


__version__ = "0.1.0"


def sample_data_dir() -> Path:
    """The folder of the bundled sample data (SemEval E-c layout, CC0, written by the project)."""
    return Path(str(resources.files("emotune") / "sample_data"))


__all__ = [
    "METRICS",
    "PRESETS",
    "ConfigError",
    "DataConfig",
    "DataError",
    "EmotionClassifier",
    "EmotionDataset",
    "EmotuneError",
    "LabelSchema",
    "ModelConfig",
    "PreprocessConfig",
    "Preprocessor",
    "RunConfig",
    "ThresholdCalibrator",
    "ThresholdConfig",
    "TrainConfig",
    "compute_metrics",
    "dataset_from_labels",
    "kfold",
    "load_config",
    "load_dataset",
    "per_label_report",
    "predict_conversation",
    "sample_data_dir",
    "train_dev_split",
]
