"""The ``decoder`` kind: a decoder LLM (Llama, Gemma, Qwen2, Mistral, Phi, ...) as a sequence classifier
(:data:`~emotune.models.transformer.backbone.DECODER`: the last real token is pooled, the family's ``score``
layer is replaced by an emotune head). Usually with an adapter (``peft=lora``), on a GPU in 4 bits (QLoRA)."""

from __future__ import annotations

from emotune.config import RunConfig
from emotune.errors import Problem
from emotune.models.base import ModelKind
from emotune.models.transformer.kinds import builders, encoder_only, runtime_problems, trained_embeddings

_build, _load = builders("DECODER")


def _problems(cfg: RunConfig) -> list[Problem]:
    return encoder_only(cfg) + trained_embeddings(cfg)


KIND = ModelKind(
    "decoder",
    _build,
    _load,
    settings=("head", "peft", "quantization"),
    space={
        "train.lr": {"type": "float", "low": 5e-5, "high": 1e-3, "log": True},
        "model.peft.r": {"type": "categorical", "choices": [8, 16, 32]},
        "model.peft.dropout": {"type": "float", "low": 0.0, "high": 0.1},
        "train.batch_size": {"type": "categorical", "choices": [8, 16]},
    },
    problems=_problems,
    runtime=runtime_problems,
    label_masks=True,
)
