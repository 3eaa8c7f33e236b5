"""Social-media noise: casing, elongated words ("sooo"), emoji swapped for a similar one, keyboard typos."""

from __future__ import annotations

import random

from emotune.config import AugmentStep
from emotune.data.augment.base import Context, TextAugmenter, per_text, register_augmenter

# Emoji that stand in for each other (same feeling, another face).
SIMILAR_EMOJI = [
    ["😀", "😃", "😄", "😁", "😆", "😊", "🙂"],
    ["😢", "😭", "😞", "😔", "☹️", "🙁"],
    ["😠", "😡", "🤬", "😤"],
    ["😱", "😨", "😰", "😧"],
    ["❤️", "💕", "💖", "💗", "😍", "🥰"],
    ["😂", "🤣", "😹"],
    ["😮", "😲", "😯", "🤯"],
]
_GROUPS = {e: group for group in SIMILAR_EMOJI for e in group}
_KEYS = "qwertyuiop asdfghjkl zxcvbnm"
_NEIGHBOURS = {c: _KEYS[max(i - 1, 0)] + _KEYS[min(i + 1, len(_KEYS) - 1)] for i, c in enumerate(_KEYS) if c != " "}


def _word(word: str, p: float, rng: random.Random) -> str:
    choice = rng.random()
    if choice < 0.25 and word.isalpha():
        return word.upper() if rng.random() < 0.5 else word.lower()
    if choice < 0.5 and word[-1:].isalpha():
        return word + word[-1] * rng.randint(1, 3)  # elongation
    if choice < 0.75 and len(word) > 3:
        i = rng.randrange(1, len(word) - 1)
        near = _NEIGHBOURS.get(word[i].lower(), word[i]).strip() or word[i]
        return word[:i] + rng.choice(near) + word[i + 1 :]  # a neighbouring key
    return word


def noise(text: str, p: float, rng: random.Random) -> str:
    out = []
    for token in text.split(" "):
        if token in _GROUPS:
            out.append(rng.choice([e for e in _GROUPS[token] if e != token] or [token]))
        elif token and rng.random() < p:
            out.append(_word(token, p, rng))
        else:
            out.append(token)
    return " ".join(out)


@register_augmenter("noise", "social-media noise: casing, elongation, a similar emoji, typos (p: share of words)")
def _noise(step: AugmentStep, context: Context, where: str) -> TextAugmenter:
    return per_text(lambda text, rng: noise(text, step.p, rng))
