"""Back-translation: a text through one seq2seq model and back through another (``via: [en-ru, ru-en]``, folders or
hub ids of MarianMT or any ``AutoModelForSeq2SeqLM``). Sampling with the step's seed makes the paraphrase vary
per copy yet stay reproducible."""

from __future__ import annotations

import random
from typing import Any

from emotune.config import AugmentStep
from emotune.data.augment.base import Context, TextAugmenter, register_augmenter
from emotune.errors import SettingError

BATCH = 16
MAX_NEW_TOKENS = 96


def _translator(path: str) -> tuple[Any, Any]:
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(path), AutoModelForSeq2SeqLM.from_pretrained(path).eval()
    except OSError as exc:
        raise SettingError(
            "augment.via",
            f"{path}: cannot load a seq2seq model ({str(exc).splitlines()[0][:120]}); "
            "pass a local folder (e.g. a saved Helsinki-NLP/opus-mt-*)",
        ) from None


def translate(texts: list[str], tokenizer: Any, model: Any, seed: int) -> list[str]:
    import torch

    out: list[str] = []
    for start in range(0, len(texts), BATCH):
        batch = tokenizer(texts[start : start + BATCH], return_tensors="pt", padding=True, truncation=True,
                          max_length=128)  # fmt: skip
        torch.manual_seed(seed + start)
        with torch.inference_mode():
            ids = model.generate(**batch, do_sample=True, top_k=20, max_new_tokens=MAX_NEW_TOKENS)
        out += [t.strip() for t in tokenizer.batch_decode(ids, skip_special_tokens=True)]
    return out


@register_augmenter("backtranslate", "back-translation through two seq2seq models (via: [there, back])")
def _backtranslate(step: AugmentStep, context: Context, where: str) -> TextAugmenter:
    if len(step.via) != 2:
        raise SettingError(f"{where}.via", "back-translation needs two models, there and back, e.g. "
                                           "via: [opus-mt-en-ru, opus-mt-ru-en]")  # fmt: skip
    there, back = (_translator(context.resolve(p)) for p in step.via)

    def augment(texts: list[str], rng: random.Random) -> list[str]:
        seed = rng.randrange(2**31)
        middle = translate(texts, *there, seed)
        return [new or old for new, old in zip(translate(middle, *back, seed + 1), texts, strict=True)]

    return augment
