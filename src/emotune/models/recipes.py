"""What the model-dependent ``auto`` training settings become, settled once before a run starts.

``train.lr``, ``train.batch_size``, ``train.warmup_ratio`` and ``train.epochs`` left at ``auto`` take the
recipe of the model: a catalogue model's own (:mod:`emotune.models.catalogue`), else its family's (encoders:
MiniLM's benchmarked recipe; decoders by adapter method). Then :func:`emotune.data.presets.settle_autos`
settles what the preset decides (language, single-label decision, the epochs still ``auto``).

>>> cfg = settle(RunConfig.model_validate({"model": {"name": "minilm"}}))
>>> (cfg.train.lr, cfg.train.batch_size, cfg.train.warmup_ratio, cfg.train.epochs)
(0.0001, 32, 0.1, 5)
"""

from __future__ import annotations

from typing import Any

from emotune.config import RunConfig
from emotune.data.presets import settle_autos

KEYS = ("lr", "batch_size", "warmup_ratio", "epochs")  # the train.* keys a model recipe may settle
ENCODER: dict[str, Any] = {"lr": 1e-4, "batch_size": 32, "warmup_ratio": 0.1}  # MiniLM's, BENCHMARKS.md
# Decoder LLMs by adapter method: only the adapter and the head learn, which takes a larger step than full
# fine-tuning (measured on Gemma 3 270M, BENCHMARKS.md "Model catalogue"; rsLoRA and DoRA follow LoRA
# unmeasured). Full fine-tuning ("none") keeps the encoder recipe.
ADAPTER_LR = {"lora": 5e-4, "rslora": 5e-4, "dora": 5e-4, "ia3": 3e-3}
DECODER: dict[str, dict[str, Any]] = {method: ENCODER | {"lr": lr} for method, lr in ADAPTER_LR.items()}
DECODER["none"] = dict(ENCODER)


def model_recipe(cfg: RunConfig) -> tuple[dict[str, Any], str]:
    """``(train.* values, where they come from)`` for the model ``cfg`` trains; empty for TF-IDF and bundles."""
    from emotune.models.base import KIND_MODULES, kind_of
    from emotune.models.catalogue import CATALOGUE

    name, method = cfg.model.name, cfg.model.peft.method
    entry = CATALOGUE.get(name)
    if entry is not None:
        values = {**(ENCODER if entry.family == "encoder" else DECODER[method]), **entry.recipe}
        return values | entry.adapter_recipe.get(method, {}), f"the catalogue recipe of {name}: {entry.recipe_source}"
    if name in KIND_MODULES:
        return {}, ""
    if kind_of(cfg.model) == "encoder":
        return dict(ENCODER), "the encoder recipe (MiniLM's, benchmarked on SemEval)"
    return dict(DECODER[method]), f"the decoder recipe for peft={method}"


def settle(cfg: RunConfig) -> RunConfig:
    """``cfg`` (changed in place) with the model's recipe and the preset's choices in place of ``auto``."""
    values, _ = model_recipe(cfg)
    for key in KEYS:
        if getattr(cfg.train, key) == "auto" and key in values:
            setattr(cfg.train, key, values[key])
    return settle_autos(cfg)
