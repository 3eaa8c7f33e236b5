"""The contract every model kind fulfils, and the registry that maps ``model=`` names to kinds.

Kinds register themselves when their module is imported; :data:`KIND_MODULES` says which module that is,
so heavy libraries (torch, transformers) load only when a kind that needs them is used. A ``model=`` name
that is not a kind (``minilm``, a hub id, a folder) is a fine-tuned transformer: an ``encoder``, a
``decoder`` LLM with a classification head, or with ``head=generate`` a ``generative`` LLM.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from emotune.config import ModelConfig, RunConfig
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

KIND_MODULES = {
    "tfidf": "emotune.models.tfidf",
    "encoder": "emotune.models.encoder",
    "decoder": "emotune.models.decoder",
    "generative": "emotune.models.generative",
    "ensemble": "emotune.ensembles.model",  # an upper layer, found through this registry only
}
MODEL_KINDS: dict[str, tuple[ModelFactory, ModelLoader]] = {}


def register_model(kind: str, build: ModelFactory, load: ModelLoader) -> None:
    MODEL_KINDS[kind] = (build, load)


def _kind(kind: str, source: str) -> tuple[ModelFactory, ModelLoader]:
    if kind not in MODEL_KINDS and kind in KIND_MODULES:
        importlib.import_module(KIND_MODULES[kind])
    if kind not in MODEL_KINDS:
        raise ConfigError(source, [f"model kind {kind!r} is not available in this emotune version"])
    return MODEL_KINDS[kind]


def kind_of(cfg: ModelConfig) -> str:
    """The model kind ``cfg`` describes: a kind name (``tfidf``), else encoder / decoder / generative."""
    if cfg.name in KIND_MODULES:
        return cfg.name
    from emotune.models.families import is_decoder, model_config

    decoder = is_decoder(model_config(cfg.name))
    if cfg.head == "generate":
        if not decoder:
            raise ConfigError("config", [f"model.head=generate needs a decoder LLM; {cfg.name!r} is an encoder"])
        return "generative"
    return "decoder" if decoder else "encoder"


def build_model(cfg: RunConfig) -> TextModel:
    """A fresh, unfitted model for ``cfg.model``."""
    build, _ = _kind(kind_of(cfg.model), "config")
    return build(cfg)


def load_model(kind: str, directory: Path) -> TextModel:
    """Load a saved model of ``kind`` from a bundle folder."""
    _, load = _kind(kind, str(directory))
    return load(directory)
