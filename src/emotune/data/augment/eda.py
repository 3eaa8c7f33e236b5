"""EDA's word operations (Wei & Zou 2019): random swap, deletion and insertion of the text's own words, each
touching a share ``p`` of the words (at least one)."""

from __future__ import annotations

import random

from emotune.config import AugmentStep
from emotune.data.augment.base import Context, TextAugmenter, per_text, register_augmenter


def _count(words: list[str], p: float) -> int:
    return max(1, round(p * len(words)))


def swap(text: str, p: float, rng: random.Random) -> str:
    words = text.split()
    if len(words) < 2:
        return text
    for _ in range(_count(words, p)):
        i, j = rng.sample(range(len(words)), 2)
        words[i], words[j] = words[j], words[i]
    return " ".join(words)


def delete(text: str, p: float, rng: random.Random) -> str:
    words = text.split()
    if len(words) < 2:
        return text
    kept = [w for w in words if rng.random() >= p]
    return " ".join(kept) if kept else rng.choice(words)


def insert(text: str, p: float, rng: random.Random) -> str:
    words = text.split()
    if not words:
        return text
    for _ in range(_count(words, p)):
        words.insert(rng.randrange(len(words) + 1), rng.choice(words))
    return " ".join(words)


@register_augmenter("swap", "EDA random swap: exchange pairs of words (p: share of words)")
def _swap(step: AugmentStep, context: Context, where: str) -> TextAugmenter:
    return per_text(lambda text, rng: swap(text, step.p, rng))


@register_augmenter("delete", "EDA random deletion: drop each word with probability p (one word is kept)")
def _delete(step: AugmentStep, context: Context, where: str) -> TextAugmenter:
    return per_text(lambda text, rng: delete(text, step.p, rng))


@register_augmenter("insert", "EDA random insertion: repeat words of the text at random places (p: share)")
def _insert(step: AugmentStep, context: Context, where: str) -> TextAugmenter:
    return per_text(lambda text, rng: insert(text, step.p, rng))
