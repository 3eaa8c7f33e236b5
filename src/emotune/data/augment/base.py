"""The augmenter registry: an augmenter makes a new text from a text (or, ``mix``, from two rows)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from emotune.config import AugmentStep
from emotune.errors import SettingError


@dataclass(frozen=True)
class Context:
    """What augmenters may need beyond their step: the run's model (``embeddings`` synonyms) and how to find a
    model's folder (``minilm`` -> the bundled MiniLM; passed in from the model layer above)."""

    model: str = "minilm"
    resolve: Callable[[str], str] = str


# A text augmenter: (texts, rng) -> one new text per input text. Batches let back-translation run a model once.
TextAugmenter = Callable[[list[str], random.Random], list[str]]
Builder = Callable[[AugmentStep, Context, str], TextAugmenter]


@dataclass(frozen=True)
class AugmenterSpec:
    build: Builder
    description: str


AUGMENTERS: dict[str, AugmenterSpec] = {}


def register_augmenter(name: str, description: str) -> Callable[[Builder], Builder]:
    """Decorator: ``@register_augmenter("swap", "...")`` on ``build(step, context, where) -> TextAugmenter``."""

    def wrap(build: Builder) -> Builder:
        AUGMENTERS[name] = AugmenterSpec(build, description)
        return build

    return wrap


def get_augmenter(step: AugmentStep, context: Context, where: str) -> TextAugmenter:
    if step.name not in AUGMENTERS:
        known = ", ".join(sorted([*AUGMENTERS, "mix"]))  # mix works on rows: augment_dataset handles it
        raise SettingError(f"{where}.name", f"unknown augmenter {step.name!r} (available: {known})")
    return AUGMENTERS[step.name].build(step, context, where)


def per_text(edit: Callable[[str, random.Random], str]) -> TextAugmenter:
    """A :data:`TextAugmenter` from a function of one text."""

    def augment(texts: list[str], rng: random.Random) -> list[str]:
        return [edit(text, rng) for text in texts]

    return augment
