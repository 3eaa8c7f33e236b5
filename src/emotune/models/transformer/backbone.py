"""Backbones: how each family of transformers is loaded, and where its classifier sits.

A :class:`Backbone` is what the encoder, decoder and generative kinds differ in; everything else (freezing,
adapters, training, inference, bundles) is shared and takes the backbone as a part:

- :data:`ENCODER`: ``AutoModel`` + pooling + an emotune head (:class:`~.pooling.EncoderClassifier`), or one
  state per label name with ``model.label_aware`` (:class:`~.pooling.LabelAwareClassifier`); ``model.layers``
  cuts it to fewer layers (:func:`keep_layers`).
- :data:`DECODER`: ``AutoModelForSequenceClassification`` (pools the last real token) with its ``score`` layer
  replaced by an emotune head, so that prevalence bias initialisation works as for encoders. Llama-style
  tokenizers ship without a pad token; the end-of-sequence token pads instead.
- :data:`CAUSAL_LM`: ``AutoModelForCausalLM`` for the generative label mode; no classifier of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import torch
from torch import nn

from emotune.config import ModelConfig
from emotune.errors import SettingError
from emotune.models.transformer.adapters import quantization_kwargs
from emotune.models.transformer.heads import HEADS
from emotune.models.transformer.inputs import label_spans
from emotune.models.transformer.pooling import EncoderClassifier, LabelAwareClassifier

# (source folder or hub id, label names, model config, tokenizer, pretrained weights?) -> module
BuildModule = Callable[[str | Path, Sequence[str], ModelConfig, Any, bool], nn.Module]


@dataclass(frozen=True)
class Backbone:
    """One family: ``build`` the module (pretrained weights, or the architecture only for a bundle's weights),
    ``head`` (the classifier module: trained in full and saved with an adapter), peft's task type, whether the
    tokenizer needs a pad token, and how to reach the ``PreTrainedModel`` inside the module."""

    kind: str
    build: BuildModule
    head: str | None
    peft_task: str | None
    needs_pad_token: bool = False
    tokenizer_kwargs: dict[str, Any] = field(default_factory=dict)
    inner: Callable[[Any], Any] = lambda module: module

    def tokenizer(self, source: str | Path, left_truncation: bool = False) -> Any:
        """The family's tokenizer; with dialogue context (``left_truncation``) long inputs lose their oldest tokens."""
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(source)
        if self.needs_pad_token:
            ensure_pad_token(tokenizer)
        if left_truncation:
            tokenizer.truncation_side = "left"
        return tokenizer


def ensure_pad_token(tokenizer: Any) -> Any:
    """Give a tokenizer without a pad token its end-of-sequence (or unknown) token as pad."""
    if tokenizer.pad_token is None:
        fallback = tokenizer.eos_token or tokenizer.unk_token
        if fallback is None:
            raise SettingError(
                "model.name",
                "the tokenizer has no pad, end-of-sequence or unknown token to pad "
                "with; save it with a pad token (tokenizer.pad_token = ...) and pass that folder",
            )
        tokenizer.pad_token = fallback
    return tokenizer


def _weights(cfg: ModelConfig) -> dict[str, Any]:
    return quantization_kwargs(cfg) or {"dtype": torch.float32}


def _encoder(
    source: str | Path, labels: Sequence[str], cfg: ModelConfig, tokenizer: Any, pretrained: bool
) -> nn.Module:
    from transformers import AutoConfig, AutoModel

    if pretrained:
        encoder = AutoModel.from_pretrained(source, **_weights(cfg))
    else:
        encoder = AutoModel.from_config(AutoConfig.from_pretrained(source))
    if cfg.layers is not None:
        keep_layers(encoder, cfg.layers)
    if cfg.label_aware:
        return LabelAwareClassifier(encoder, label_spans(tokenizer, labels), cfg)
    return EncoderClassifier(encoder, len(labels), cfg)


def kept_layers(n_layers: int, keep: int) -> list[int]:
    """Which of ``n_layers`` layers a ``keep``-layer model keeps: evenly spaced, the top one included.

    >>> kept_layers(6, 3), kept_layers(12, 4), kept_layers(6, 6)
    ([1, 3, 5], [2, 5, 8, 11], [0, 1, 2, 3, 4, 5])
    """
    return [round((i + 1) * n_layers / keep) - 1 for i in range(keep)]


def keep_layers(encoder: Any, keep: int) -> None:
    """Cut ``encoder`` down to ``keep`` of its transformer layers (:func:`kept_layers`) in place; its config
    records the new depth, so a bundle reloads with the same architecture."""
    n_layers = int(encoder.config.num_hidden_layers)
    if keep > n_layers:
        raise SettingError("model.layers", f"{keep} layers asked, the encoder has {n_layers}; set at most {n_layers}")
    stacks = [m for m in encoder.modules() if isinstance(m, nn.ModuleList) and len(m) == n_layers]
    if not stacks:
        raise SettingError("model.layers", f"cannot find the layer list of {type(encoder).__name__}; drop model.layers")
    if keep == n_layers:
        return
    layers = stacks[0]
    kept = [layers[i] for i in kept_layers(n_layers, keep)]
    for i in reversed(range(n_layers)):
        del layers[i]
    layers.extend(kept)
    encoder.config.num_hidden_layers = keep


def _sequence_classifier(
    source: str | Path, labels: Sequence[str], cfg: ModelConfig, tokenizer: Any, pretrained: bool
) -> nn.Module:
    from transformers import AutoConfig, AutoModelForSequenceClassification
    from transformers.utils import logging as hf_logging

    n_labels = len(labels)
    if pretrained:
        verbosity = hf_logging.get_verbosity()
        hf_logging.set_verbosity_error()  # its load report says the new `score` is untrained: expected, replaced
        try:
            model = AutoModelForSequenceClassification.from_pretrained(source, num_labels=n_labels, **_weights(cfg))
        except ValueError as exc:  # a family without a sequence-classification class
            raise SettingError("model.name", str(exc).splitlines()[0]) from None
        finally:
            hf_logging.set_verbosity(verbosity)
    else:
        config = AutoConfig.from_pretrained(source, num_labels=n_labels)
        model = AutoModelForSequenceClassification.from_config(config)
    model.config.pad_token_id = tokenizer.pad_token_id
    hidden = int(model.config.get_text_config().hidden_size)
    device = model.get_input_embeddings().weight.device
    model.score = HEADS[cfg.head](hidden, n_labels, cfg.dropout, cfg.head_hidden, cfg.head_layers).to(device)
    return cast(nn.Module, model)


def _causal_lm(
    source: str | Path, labels: Sequence[str], cfg: ModelConfig, tokenizer: Any, pretrained: bool
) -> nn.Module:
    from transformers import AutoConfig, AutoModelForCausalLM

    if pretrained:
        return cast(nn.Module, AutoModelForCausalLM.from_pretrained(source, **_weights(cfg)))
    return cast(nn.Module, AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(source)))


ENCODER = Backbone("encoder", _encoder, head="head", peft_task=None, inner=lambda module: module.encoder)
DECODER = Backbone("decoder", _sequence_classifier, head="score", peft_task="SEQ_CLS", needs_pad_token=True,
                   tokenizer_kwargs={"return_token_type_ids": False})  # fmt: skip
CAUSAL_LM = Backbone("generative", _causal_lm, head=None, peft_task="CAUSAL_LM", needs_pad_token=True)
