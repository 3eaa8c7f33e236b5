"""The contract every model kind fulfils, and the registry that maps ``model=`` names to kinds.

Kinds register themselves when their module is imported; :data:`KIND_MODULES` says which module that is,
so heavy libraries (torch, transformers) load only when a kind that needs them is used. A ``model=`` name
that is not a kind (``minilm``, a hub id, a folder) is a fine-tuned encoder.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from emotune.config import RunConfig
from emotune.data.labels import LabelSchema
from emotune.errors import ConfigError

DevSet = tuple[Sequence[str], np.ndarray]


class TextModel(Protocol):
    """A model that maps preprocessed texts to label probabilities ``(n_texts, n_labels)``."""

    kind: str

    def fit(
        self,
        texts: Sequence[str],
        y: np.ndarray,
        schema: LabelSchema,
        dev: DevSet | None = None,
        work_dir: Path | None = None,
    ) -> TextModel: ...

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray: ...

    def save(self, directory: Path) -> None: ...


ModelFactory = Callable[[RunConfig], TextModel]
ModelLoader = Callable[[Path], TextModel]

KIND_MODULES = {"tfidf": "emotune.models.tfidf", "encoder": "emotune.models.encoder"}
DEFAULT_KIND = "encoder"
MODEL_KINDS: dict[str, tuple[ModelFactory, ModelLoader]] = {}


def register_model(kind: str, build: ModelFactory, load: ModelLoader) -> None:
    MODEL_KINDS[kind] = (build, load)


def _kind(kind: str, source: str) -> tuple[ModelFactory, ModelLoader]:
    if kind not in MODEL_KINDS and kind in KIND_MODULES:
        importlib.import_module(KIND_MODULES[kind])
    if kind not in MODEL_KINDS:
        raise ConfigError(source, [f"model kind {kind!r} is not available in this emotune version"])
    return MODEL_KINDS[kind]


def kind_of(name: str) -> str:
    """The model kind a ``model=`` name stands for."""
    return name if name in KIND_MODULES else DEFAULT_KIND


def build_model(cfg: RunConfig) -> TextModel:
    """A fresh, unfitted model for ``cfg.model.name``."""
    build, _ = _kind(kind_of(cfg.model.name), "config")
    return build(cfg)


def load_model(kind: str, directory: Path) -> TextModel:
    """Load a saved model of ``kind`` from a bundle folder."""
    _, load = _kind(kind, str(directory))
    return load(directory)
