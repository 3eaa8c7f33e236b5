"""Weighted averages of whole bundles: the fold ensemble of ``emotune cv`` and the blends of ``emotune blend``.

Each member is a complete bundle (its own model kind, preprocessing and dialogue settings), so a TF-IDF
baseline and a fine-tuned encoder can be averaged. The ensemble's own classifier therefore runs with
preprocessing switched off (:func:`ensemble_config`) and hands raw text to every member. Dialogue members may
differ in their turns of context: the ensemble's inputs carry the most any member uses
(:attr:`EnsembleModel.context`), and each member gets them cut back to its own.

Members are fitted classifiers (:class:`Member`: an ``EmotionClassifier``, which this layer never imports): the
bundle loader passes the function that loads one (``EmotionClassifier.load``) down to :meth:`EnsembleModel.load`,
so the model layer holds bundles without importing the layers above it. Layout::

    model/
      emotune.json        manifest, as for any bundle (kind ``ensemble``)
      ensemble.json       {"weights": [...], "members": ["members/0", ...]}
      members/0/ ...      one full bundle per member
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from emotune.config import RunConfig
from emotune.data.dialogue import trim_context
from emotune.errors import DataError, Problem
from emotune.models.base import DevSet, LoadMember, ModelKind

if TYPE_CHECKING:
    from emotune.data.labels import LabelSchema

FILE = "ensemble.json"


class Member(Protocol):
    """What an ensemble needs of a member: a fitted classifier (``EmotionClassifier``)."""

    config: RunConfig

    @property
    def schema(self) -> LabelSchema: ...

    @property
    def label_names(self) -> tuple[str, ...]: ...

    @property
    def task(self) -> str: ...

    def predict_proba(self, texts: Sequence[str] | str) -> np.ndarray: ...

    def save(self, path: str | Path, metrics: dict[str, Any] | None = None) -> Path: ...


def ensemble_config(config: RunConfig, context: int | None = None) -> RunConfig:
    """``config`` with preprocessing off (the members preprocess the text themselves) and, for dialogues,
    ``context`` earlier turns in its inputs (:attr:`EnsembleModel.context`)."""
    out = config.model_copy(deep=True)
    out.preprocess.enabled = False
    out.model.name = "ensemble"
    if context is not None and out.dialogue.task != "none":
        out.dialogue.context = context
    return out


class EnsembleModel:
    """``predict_proba`` = the weighted mean of the members' probabilities (weights sum to one)."""

    kind = "ensemble"

    def __init__(self, members: Sequence[Member], weights: Sequence[float] | None = None) -> None:
        if not members:
            raise DataError("an ensemble needs at least one member bundle")
        schemas = {(m.label_names, m.task) for m in members}
        if len(schemas) > 1:
            raise DataError(f"ensemble members disagree on their labels: {sorted(schemas)}")
        w = np.ones(len(members)) if weights is None else np.asarray(weights, dtype=float)
        if w.shape != (len(members),) or (w < 0).any() or w.sum() <= 0:
            raise DataError(f"ensemble weights must be {len(members)} non-negative numbers, not all 0; got {list(w)}")
        self.members = list(members)
        self.weights = w / w.sum()
        dialogue = [m.config.dialogue for m in self.members if m.config.dialogue.task != "none"]
        self.context = max((d.context_turns for d in dialogue), default=0)  # earlier turns in the inputs

    def member_texts(self, member: Member, texts: Sequence[str]) -> list[str]:
        """``texts`` (inputs with :attr:`context` earlier turns) as ``member`` was trained on them."""
        d = member.config.dialogue
        if d.task == "none" or d.context_turns >= self.context:
            return list(texts)
        return [trim_context(text, d.context_turns, d) for text in texts]

    def fit(self, texts: Sequence[str], y: np.ndarray, schema: LabelSchema, dev: DevSet | None = None,
            work_dir: Path | None = None, callbacks: Sequence[Any] = ()) -> EnsembleModel:  # fmt: skip
        raise DataError("an ensemble is built from trained bundles by `emotune cv` or `emotune blend`, not fit")

    def member_probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """``(n_members, n_texts, n_labels)``; members whose weight is 0 are skipped (zeros)."""
        first = len(self.members[0].label_names)
        out = np.zeros((len(self.members), len(texts), first), dtype=np.float32)
        for i, (member, weight) in enumerate(zip(self.members, self.weights, strict=True)):
            if weight > 0:
                out[i] = member.predict_proba(self.member_texts(member, texts))
        return out

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return np.tensordot(self.weights, self.member_probabilities(texts), axes=1).astype(np.float32)

    def save(self, directory: Path) -> None:
        names = []
        for i, member in enumerate(self.members):
            names.append(f"members/{i}")
            member.save(directory / names[-1], getattr(member, "metrics_", {}))
        (directory / FILE).write_text(json.dumps({"weights": self.weights.tolist(), "members": names}, indent=2))

    @classmethod
    def load(cls, directory: Path, load_member: LoadMember) -> EnsembleModel:
        """The ensemble saved in ``directory``; ``load_member`` loads each member bundle."""
        spec: dict[str, Any] = json.loads((directory / FILE).read_text())
        return cls([load_member(directory / name) for name in spec["members"]], spec["weights"])


def _not_trained(config: RunConfig) -> list[Problem]:
    return [
        Problem("model.name", "an ensemble is not trained directly", "make one with `emotune cv` or `emotune blend`")
    ]


def _build(config: RunConfig) -> EnsembleModel:
    raise AssertionError("unreachable: build_model refuses model=ensemble (see _not_trained)")


def _load_alone(directory: Path) -> EnsembleModel:
    raise AssertionError("unreachable: load_model passes the member loader to load_members")


KIND = ModelKind("ensemble", _build, _load_alone, problems=_not_trained, load_members=EnsembleModel.load)
