"""The ``generative`` kind (``head=generate``): a causal LM answers an instruction with the label list
(:class:`~emotune.models.transformer.generative.GenerativeModel`; see there for training and scoring)."""

from __future__ import annotations

from emotune.config import RunConfig
from emotune.errors import Problem
from emotune.models.base import ModelKind, no_loss_terms
from emotune.models.transformer.kinds import builders, encoder_only, runtime_problems

_build, _load = builders("CAUSAL_LM", "generative:GenerativeModel")


def _problems(cfg: RunConfig) -> list[Problem]:
    return encoder_only(cfg) + no_loss_terms(cfg)


KIND = ModelKind(
    "generative",
    _build,
    _load,
    settings=("prompt", "max_new_tokens", "peft", "quantization"),
    space={
        "train.lr": {"type": "float", "low": 5e-5, "high": 1e-3, "log": True},
        "model.peft.r": {"type": "categorical", "choices": [8, 16, 32]},
    },
    problems=_problems,
    runtime=runtime_problems,
)
