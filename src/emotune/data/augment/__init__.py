"""Augmentation of the training rows (``augment: [...]`` in the config; never dev, and inside each cv fold
since it runs where a model is fitted). One module per family, one registry (:data:`AUGMENTERS`):

- ``swap``, ``delete``, ``insert``: EDA's word operations (:mod:`.eda`);
- ``synonym``: synonym replacement, from WordNet or the encoder's own embeddings (:mod:`.synonyms`);
- ``backtranslate``: through two seq2seq models and back (:mod:`.backtranslate`);
- ``noise``: casing, elongation, emoji swaps, typos (:mod:`.noise`);
- ``mix``: two multilabel rows joined into one text, labels OR-ed (here: it works on rows, not texts).

New texts are deterministic given ``train.seed`` and cached on disk by content hash (``$EMOTUNE_CACHE_DIR/augment``),
so a slow step (back-translation) runs once per set of texts.

>>> # train = augment_dataset(train, cfg.augment, seed=42, context=Context("minilm", resolve_model_path))
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
from importlib import metadata

import numpy as np

from emotune.config import AugmentStep
from emotune.data.augment import backtranslate, eda, noise, synonyms  # noqa: F401  (they register themselves)
from emotune.data.augment.base import AUGMENTERS, Context, get_augmenter, register_augmenter
from emotune.data.dataset import EmotionDataset
from emotune.errors import SettingError
from emotune.io_utils import cache_root, write_text_atomic

log = logging.getLogger("emotune")
RARE_SHARE = 1 / 3


def target_rows(train: EmotionDataset, target: str | list[str], where: str) -> np.ndarray:
    """Rows a step augments: ``all``; ``rare`` (a positive among the third of labels with the fewest positive
    rows); or rows with a positive among the named labels."""
    names = train.schema.names
    if target == "all":
        return np.arange(len(train))
    if target == "rare":
        counts = train.y.sum(axis=0)
        labels = np.argsort(counts, kind="stable")[: max(1, round(RARE_SHARE * len(names)))]
    else:
        unknown = [n for n in target if n not in names]
        if unknown:
            raise SettingError(f"{where}.target", f"{unknown[0]!r} is not a label ({', '.join(names)})")
        labels = np.array([names.index(n) for n in target])
    return np.flatnonzero(train.y[:, labels].any(axis=1))


def _cached(step: AugmentStep, index: int, seed: int, texts: list[str], context: Context, where: str) -> list[str]:
    key = json.dumps([step.model_dump(mode="json"), index, seed, texts, context.model, metadata.version("emotune")],
                     ensure_ascii=False)  # fmt: skip
    path = cache_root() / "augment" / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"
    if path.is_file():
        cached: list[str] = json.loads(path.read_text(encoding="utf-8"))
        return cached
    rng = random.Random(f"{seed}:{index}:{step.name}")
    new = get_augmenter(step, context, where)(texts, rng)
    write_text_atomic(path, json.dumps(new, ensure_ascii=False))
    return new


def _mix(train: EmotionDataset, picks: np.ndarray, pool: np.ndarray, seed: int, index: int
         ) -> tuple[list[str], np.ndarray, np.ndarray | None]:  # fmt: skip
    """Each picked row joined with a random row of ``pool``: texts concatenated, labels OR-ed; a label counts as
    annotated where both rows annotate it or the joined row has it."""
    rng = random.Random(f"{seed}:{index}:mix")
    partners = np.array([rng.choice(pool.tolist()) for _ in picks], dtype=int)
    texts = [f"{train.texts[a]} {train.texts[b]}" for a, b in zip(picks, partners, strict=True)]
    y = train.y[picks] | train.y[partners]
    mask = None if train.mask is None else (train.mask[picks] & train.mask[partners]) | (y == 1)
    return texts, y, mask


def augment_dataset(train: EmotionDataset, steps: list[AugmentStep], seed: int, context: Context) -> EmotionDataset:
    """``train`` followed by the rows every step adds (see module doc). Dialogue structure is not carried over:
    this runs on the rows a model is fitted on."""
    if not steps:
        return train
    texts, ys = list(train.texts), [train.y]
    masks = [train.mask if train.mask is not None else np.ones_like(train.y, dtype=bool)]
    origin = list(train.origin) if train.origin is not None else ["data"] * len(train)
    for i, step in enumerate(steps):
        where = f"augment[{i}]"
        rows = target_rows(train, step.target, where)
        picks = np.repeat(rows, step.copies)[: int(step.max_ratio * len(train))]
        if not len(picks):
            log.info("%s %s: no rows to augment", where, step.name)
            continue
        if step.name == "mix":
            if train.schema.task != "multilabel":
                raise SettingError(f"{where}.name", "mix ORs labels, so it is for multilabel data")
            new, y, mask = _mix(train, picks, rows, seed, i)
        else:
            new = _cached(step, i, seed, [train.texts[r] for r in picks], context, where)
            y, mask = train.y[picks], masks[0][picks]
        texts += new
        ys.append(y)
        masks.append(mask if mask is not None else np.ones_like(y, dtype=bool))
        origin += [f"{origin[r]}+{step.name}" for r in picks]
        log.info("%s %s: %d new rows from %d targeted rows", where, step.name, len(new), len(rows))
    mask_all = np.concatenate(masks)
    return EmotionDataset(texts, np.concatenate(ys), train.schema, source=f"{train.source} + augmented",
                          problems=dict(train.problems), mask=None if mask_all.all() else mask_all,
                          origin=np.array(origin))  # fmt: skip


__all__ = ["AUGMENTERS", "Context", "augment_dataset", "register_augmenter", "target_rows"]
