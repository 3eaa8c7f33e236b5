"""The contract every model kind fulfils, and the one place model kinds are registered.

A kind is one module exporting one :class:`ModelKind` named ``KIND``: its name, how to build and load its
models, its built-in sweep search space and the checks it needs. :data:`KIND_MODULES` maps each kind to its
module, so heavy libraries (torch, transformers) load only when a kind that needs them is used. A ``model=``
name that is not a kind (``minilm``, a hub id, a folder) is a fine-tuned transformer: an ``encoder``, a
``decoder`` LLM with a classification head, or with ``head=generate`` a ``generative`` LLM.

Adding a kind: write ``emotune/models/<kind>.py`` with ``KIND = ModelKind(...)`` and add one line below.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from emotune.config import ModelConfig, RunConfig
from emotune.errors import ConfigError, DataError, Problem, SettingError

DevSet = tuple[Sequence[str], np.ndarray]


class TextModel(Protocol):
    """A model that maps preprocessed texts to label probabilities ``(n_texts, n_labels)``. ``fit`` writes
    checkpoints to ``work_dir`` and hands ``callbacks`` (``transformers.TrainerCallback``: tracking, sweep pruning)
    to the kinds that train with a Trainer; the others ignore them."""

    kind: str

    def fit(
        self,
        texts: Sequence[str],
        y: np.ndarray,
        schema: Any,  # a LabelSchema
        dev: DevSet | None = None,
        work_dir: Path | None = None,
        callbacks: Sequence[Any] = (),
    ) -> TextModel: ...

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray: ...

    def save(self, directory: Path) -> None: ...


Checks = Callable[[RunConfig], list[Problem]]
LoadMember = Callable[[Path], Any]  # loads a whole bundle (EmotionClassifier.load), for kinds made of bundles


def no_problems(cfg: RunConfig) -> list[Problem]:
    return []


def no_loss_terms(cfg: RunConfig) -> list[Problem]:
    """The extra loss terms and adversarial training, for kinds that do not train a classifier head with the
    loss registry (TF-IDF, generative)."""
    loss = cfg.train.loss
    problems = [
        Problem(f"train.loss.{key}", f"{key} is a term of the classifier losses, which model {cfg.model.name} "
                "does not train with", f"drop {key}={getattr(loss, key)}")
        for key in loss.TERMS if getattr(loss, key)
    ]  # fmt: skip
    if cfg.train.adversarial:
        why = f"adversarial training is for transformer classifiers, which model {cfg.model.name} is not"
        problems.append(Problem("train.adversarial", why, f"drop adversarial={cfg.train.adversarial}"))
    return problems


@dataclass(frozen=True)
class ModelKind:
    """One model kind.

    ``build(config)`` makes an unfitted model, ``load(folder)`` a saved one; ``settings`` names the
    ``model.*`` section the kind reads beyond the common keys; ``space`` is the built-in ``emotune sweep``
    search space (dotted config keys -> distributions, see :mod:`emotune.tuning`); ``problems(config)`` lists
    settings this kind cannot use and ``runtime(config)`` what this machine lacks for it (an extra, a GPU).
    ``label_masks``: ``fit`` accepts ``NaN`` in ``y`` for labels a row is not annotated for (combined sources).
    ``load_members(folder, load_member)``, for a kind made of whole bundles (``ensemble``), replaces ``load``: the
    caller above (``EmotionClassifier.load``) hands down how to load a member, so this layer imports none above it.
    """

    name: str
    build: Callable[[RunConfig], TextModel]
    load: Callable[[Path], TextModel]
    settings: tuple[str, ...] = ()
    space: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: Checks = no_problems
    runtime: Checks = no_problems
    label_masks: bool = False
    load_members: Callable[[Path, LoadMember], TextModel] | None = None


KIND_MODULES = {
    "tfidf": "emotune.models.tfidf",
    "encoder": "emotune.models.encoder",
    "decoder": "emotune.models.decoder",
    "generative": "emotune.models.generative",
    "onnx": "emotune.models.onnx",  # exported by emotune export; predicts only
    "ensemble": "emotune.models.ensemble",  # cv's fold ensembles and blends: made of whole bundles
}


def get_kind(name: str, source: str = "model.name") -> ModelKind:
    """The registered kind ``name`` (its module is imported on first use)."""
    if name not in KIND_MODULES:
        raise ConfigError(source, [f"model kind {name!r} is not available in this emotune version"])
    kind: ModelKind = importlib.import_module(KIND_MODULES[name]).KIND
    return kind


def kind_of(cfg: ModelConfig) -> str:
    """The model kind ``cfg`` describes: a kind name (``tfidf``), else encoder / decoder / generative."""
    if cfg.name in KIND_MODULES:
        return cfg.name
    from emotune.models.catalogue import CATALOGUE
    from emotune.models.families import is_decoder, model_config

    entry = CATALOGUE.get(cfg.name)  # known without building its folder
    decoder = entry.family == "decoder" if entry else is_decoder(model_config(cfg.name))
    if cfg.head == "generate":
        if not decoder:
            raise SettingError("model.head", f"generate needs a decoder LLM; {cfg.name!r} is an encoder")
        return "generative"
    return "decoder" if decoder else "encoder"


def build_model(cfg: RunConfig) -> TextModel:
    """A fresh, unfitted model for ``cfg.model``; settings the kind cannot use are refused first."""
    kind = get_kind(kind_of(cfg.model))
    problems = kind.problems(cfg)
    if problems:
        raise ConfigError(f"model={cfg.model.name}", [str(p) for p in problems])
    return kind.build(cfg)


def load_model(kind: str, directory: Path, load_member: LoadMember | None = None) -> TextModel:
    """Load a saved model of ``kind`` from a bundle folder; ``load_member`` loads a member bundle for the kinds
    made of bundles (see :class:`ModelKind`)."""
    found = get_kind(kind, str(directory))
    if found.load_members is None:
        return found.load(directory)
    if load_member is None:
        raise DataError(f"{directory}: a bundle of kind {kind} holds other bundles; load it with "
                        "EmotionClassifier.load")  # fmt: skip
    return found.load_members(directory, load_member)
