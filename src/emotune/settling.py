"""Every ``auto`` of a run settled in one place, before the run starts.

:func:`settle` turns a config into the recipe a run uses. Without data it settles what needs none; given the
training texts (as the model will see them) and their labels, everything. The rules live beside what they
depend on; this is the only place that applies them:

===============================================  ==============================================================
keys                                             settled by
===============================================  ==============================================================
``train.lr / batch_size / warmup_ratio``         the model's recipe (:func:`emotune.models.recipes.model_recipe`)
``train.epochs``                                 the model's recipe, else the preset's
``preprocess.language``, ``thresholds.decision`` the preset (:func:`emotune.data.presets.settle_autos`)
``dialogue.context``                             the dialogue task
``data.task``, ``train.loss.name``               the training labels (:func:`emotune.losses.resolve_name`)
``model.max_length``                             the training texts: the model kind's ``count_max_length``
===============================================  ==============================================================

``train.precision`` is left ``auto``: it belongs to the machine a model runs on, so a bundle moved to another
machine asks again (:func:`emotune.models.transformer.precision.resolve_precision`). Nothing below this module
settles an ``auto``: a model given one raises.

>>> cfg = settle(RunConfig.model_validate({"model": {"name": "minilm"}}))
>>> (cfg.train.lr, cfg.train.batch_size, cfg.train.warmup_ratio, cfg.train.epochs)
(0.0001, 32, 0.1, 5)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from emotune.config import RunConfig
from emotune.data.labels import LabelSchema
from emotune.data.presets import settle_autos
from emotune.models import build_model
from emotune.models.recipes import KEYS, model_recipe

log = logging.getLogger("emotune")


def settle(cfg: RunConfig, texts: Sequence[str] | None = None, schema: LabelSchema | None = None) -> RunConfig:
    """A copy of ``cfg`` with its ``auto`` values settled; with ``texts`` and their ``schema``, also the ones
    that depend on the training data. Settling a settled config changes nothing."""
    cfg = cfg.model_copy(deep=True)
    values, _ = model_recipe(cfg)
    for key in KEYS:
        if getattr(cfg.train, key) == "auto" and key in values:
            setattr(cfg.train, key, values[key])
    settle_autos(cfg)
    if texts is None or schema is None:
        return cfg
    from emotune.losses import resolve_name  # torch: only a fit needs it, never a bundle loaded to predict

    cfg.data.task = schema.task
    cfg.train.loss.name = resolve_name(cfg.train.loss, schema.task)
    if cfg.model.max_length == "auto":
        count = getattr(build_model(cfg), "count_max_length", None)  # kinds whose inputs have a length
        if count is not None:
            cfg.model.max_length = count(texts, schema)
            log.info("max_length auto: %d tokens (99th percentile of the training texts)", cfg.model.max_length)
    return cfg
