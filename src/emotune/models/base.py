"""The contract every model kind fulfils, and the registry that maps ``model=`` names to kinds."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from emotune.config import RunConfig
from emotune.data.labels import LabelSchema
from emotune.errors import ConfigError


class TextModel(Protocol):
    """A model that maps preprocessed texts to label probabilities ``(n_texts, n_labels)``."""

    kind: str

    def fit(self, texts: Sequence[str], y: np.ndarray, schema: LabelSchema) -> TextModel: ...

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray: ...

    def save(self, directory: Path) -> None: ...


ModelFactory = Callable[[RunConfig], TextModel]
ModelLoader = Callable[[Path], TextModel]

# name -> (build from config, load from a bundle folder)
MODEL_KINDS: dict[str, tuple[ModelFactory, ModelLoader]] = {}


def register_model(kind: str, build: ModelFactory, load: ModelLoader) -> None:
    MODEL_KINDS[kind] = (build, load)


def build_model(cfg: RunConfig) -> TextModel:
    """A fresh, unfitted model of the kind named by ``cfg.model.name``."""
    try:
        build, _ = MODEL_KINDS[cfg.model.name]
    except KeyError:
        known = ", ".join(sorted(MODEL_KINDS))
        raise ConfigError("config", [f"model.name: unknown model {cfg.model.name!r} (available: {known})"]) from None
    return build(cfg)


def load_model(kind: str, directory: Path) -> TextModel:
    """Load a saved model of ``kind`` from a bundle folder."""
    if kind not in MODEL_KINDS:
        raise ConfigError(str(directory), [f"model kind {kind!r} is not available in this emotune version"])
    return MODEL_KINDS[kind][1](directory)
