"""Synonym replacement: a share ``p`` of the words swapped for a synonym from a pluggable source.

``wordnet``: WordNet through nltk (English; needs ``pip install nltk`` and ``python -m nltk.downloader wordnet``).
``embeddings``: no download: the nearest whole-word neighbours of a word in the encoder's own input-embedding
matrix (cosine), any language the tokenizer covers. Neighbours in embedding space are related words, not always
synonyms (antonyms sit close too): use a small ``p``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from emotune.config import AugmentStep
from emotune.data.augment.base import Context, TextAugmenter, per_text, register_augmenter
from emotune.errors import SettingError

Synonyms = Callable[[str], list[str]]
TOP = 5


def wordnet_synonyms(where: str) -> Synonyms:
    try:
        from nltk.corpus import wordnet

        wordnet.ensure_loaded()
    except ImportError:
        raise SettingError(
            f"{where}.source",
            "WordNet needs nltk: pip install nltk && python -m nltk.downloader "
            "wordnet (or source: embeddings, which needs no download)",
        ) from None
    except LookupError:
        raise SettingError(
            f"{where}.source",
            "the WordNet corpus is not installed: python -m nltk.downloader "
            "wordnet (or source: embeddings, which needs no download)",
        ) from None

    @lru_cache(maxsize=50_000)
    def find(word: str) -> list[str]:
        names = {lemma.name().replace("_", " ") for synset in wordnet.synsets(word) for lemma in synset.lemmas()}
        return sorted(n for n in names if n.lower() != word.lower())

    return find


def embedding_synonyms(model_path: str) -> Synonyms:
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer: Any = AutoTokenizer.from_pretrained(model_path)
    weights = AutoModel.from_pretrained(model_path).get_input_embeddings().weight.detach().float()
    vocab = tokenizer.convert_ids_to_tokens(list(range(weights.shape[0])))
    whole = torch.tensor([t.isalpha() and not t.startswith(("##", "[", "<")) for t in vocab])
    unit = torch.nn.functional.normalize(weights, dim=1)

    @lru_cache(maxsize=50_000)
    def find(word: str) -> list[str]:
        ids = tokenizer(word, add_special_tokens=False)["input_ids"]
        if len(ids) != 1:  # only words the tokenizer knows whole
            return []
        scores = unit @ unit[ids[0]]
        scores[~whole] = -2
        scores[ids[0]] = -2
        return [vocab[i] for i in scores.topk(TOP).indices.tolist()]

    return find


def replace(text: str, p: float, rng: random.Random, synonyms: Synonyms) -> str:
    words = text.split()
    candidates = [i for i, w in enumerate(words) if w.isalpha()]
    rng.shuffle(candidates)
    todo = max(1, round(p * len(words)))
    for i in candidates:
        if todo == 0:
            break
        options = synonyms(words[i].lower())
        if options:
            choice = rng.choice(options)
            words[i] = choice.capitalize() if words[i][0].isupper() else choice
            todo -= 1
    return " ".join(words)


@register_augmenter("synonym", "synonym replacement; source: embeddings (the encoder's own) or wordnet (nltk)")
def _synonym(step: AugmentStep, context: Context, where: str) -> TextAugmenter:
    find = wordnet_synonyms(where) if step.source == "wordnet" else embedding_synonyms(
        context.resolve(step.model or context.model))  # fmt: skip
    return per_text(lambda text, rng: replace(text, step.p, rng, find))
