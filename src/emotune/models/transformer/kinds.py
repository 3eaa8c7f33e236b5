"""What the transformer kinds share: lazy build/load (torch and transformers load on first use) and what they
need from the machine (the ``llm`` extra for adapters, bitsandbytes and a CUDA GPU for 4-bit weights and
paged optimizers). Imports nothing heavy."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

from emotune.config import RunConfig
from emotune.errors import Problem


def builders(
    backbone: str, model: str = "model:TransformerModel"
) -> tuple[Callable[[RunConfig], Any], Callable[[Path], Any]]:
    """``(build, load)`` for a model class (``module:Class`` under this package) on a backbone of
    :mod:`.backbone` (``ENCODER``, ``DECODER``, ``CAUSAL_LM``), both importing them only when called."""

    def parts() -> tuple[Any, Any]:
        module, name = model.split(":")
        cls = getattr(importlib.import_module(f"{__package__}.{module}"), name)
        return cls, getattr(importlib.import_module(f"{__package__}.backbone"), backbone)

    def build(cfg: RunConfig) -> Any:
        cls, part = parts()
        return cls(cfg, part)

    def load(directory: Path) -> Any:
        cls, part = parts()
        return cls.load(directory, part)

    return build, load


def trained_embeddings(cfg: RunConfig) -> list[Problem]:
    """``train.adversarial`` follows the gradient of the word embeddings: they must be trained."""
    frozen = "model.peft.method" if cfg.model.peft.method != "none" else None
    frozen = "model.freeze_embeddings" if cfg.model.freeze_embeddings else frozen
    if cfg.train.adversarial and frozen:
        return [Problem("train.adversarial", f"adversarial training shifts the word embeddings along their "
                        f"gradient, and {frozen} freezes them", f"drop adversarial={cfg.train.adversarial} "
                        f"or {frozen}")]  # fmt: skip
    return []


def encoder_only(cfg: RunConfig) -> list[Problem]:
    """Settings only the encoder kind has: label-aware inputs."""
    if cfg.model.label_aware:
        return [Problem("model.label_aware", "label-aware inputs need an encoder (BERT, RoBERTa, MiniLM, ...)",
                        "drop label_aware=true")]  # fmt: skip
    return []


def runtime_problems(cfg: RunConfig) -> list[Problem]:
    """What ``cfg`` needs that this machine lacks: an extra, a CUDA GPU."""
    model, problems = cfg.model, []
    if model.peft.method != "none" and importlib.util.find_spec("peft") is None:
        problems.append(Problem("model.peft.method", f"{model.peft.method} needs peft", "pip install 'emotune[llm]'"))
    needs_bnb = model.quantization == "4bit" or cfg.train.optimizer.startswith("paged_")
    if needs_bnb and importlib.util.find_spec("bitsandbytes") is None:
        where = "model.quantization" if model.quantization == "4bit" else "train.optimizer"
        problems.append(Problem(where, "needs bitsandbytes (CUDA)", "pip install 'emotune[qlora]' on a GPU machine"))
    if model.quantization == "4bit":
        import torch

        if not torch.cuda.is_available():
            fix = "drop quantization=4bit to train the adapter on full-precision weights"
            problems.append(
                Problem("model.quantization", "4bit (QLoRA) needs a CUDA GPU and none is visible here", fix)
            )
    return problems
