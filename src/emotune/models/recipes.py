"""The training recipe of a model: what ``train.lr``, ``batch_size``, ``warmup_ratio`` (and ``epochs``) left at
``auto`` become for it. A catalogue model has its own (:mod:`emotune.models.catalogue`), any other model its
family's (encoders: MiniLM's benchmarked recipe; decoders by adapter method). :func:`emotune.settling.settle`
applies it.

>>> model_recipe(RunConfig.model_validate({"model": {"name": "gemma3-270m", "peft": {"method": "ia3"}}}))[0]["lr"]
0.003
"""

from __future__ import annotations

from typing import Any

from emotune.config import RunConfig

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
