"""``emotune config show`` with data: the recipe a run on that data gets, with every ``auto`` settled.

>>> # cfg, settled = recipe(load_config(None, ["data.preset=semeval2018-ec", "data.data_dir=DIR"]))
"""

from __future__ import annotations

from typing import Any, cast

from emotune.classifier import EmotionClassifier
from emotune.config import RunConfig
from emotune.data.loading import load_splits
from emotune.models.base import kind_of
from emotune.models.recipes import KEYS, model_recipe
from emotune.models.transformer.precision import resolve_precision
from emotune.tracking.base import flatten


def recipe(cfg: RunConfig) -> tuple[RunConfig, list[str]]:
    """``(settled config, one line per settled key)``: reads the training rows a run of ``cfg`` would (its
    dev split off where there is no dev file, its ``data.sources`` added) and settles what the run would (see
    :meth:`EmotionClassifier.settled_config`), plus the precision this machine trains a transformer in;
    trains nothing."""
    train, _, _ = load_splits(cfg.data, cfg.train.seed)
    settled_cfg = EmotionClassifier(config=cfg).settled_config(train)
    if kind_of(cfg.model) in ("encoder", "decoder", "generative"):  # transformers: the machine decides
        settled_cfg.train.precision = cast(Any, resolve_precision(settled_cfg.train.precision))
    before, after = flatten(cfg.model_dump(mode="json")), flatten(settled_cfg.model_dump(mode="json"))
    settled = [f"{key}: {before[key]} -> {after[key]}" for key in after if after[key] != before.get(key)]
    values, source = model_recipe(cfg)
    if any(before.get(f"train.{key}") == "auto" and key in values for key in KEYS):
        settled.append(f"(lr, batch_size, warmup_ratio{', epochs' if 'epochs' in values else ''}: {source})")
    return settled_cfg, settled
