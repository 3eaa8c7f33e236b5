"""Decoder LLMs (Llama, Gemma, Qwen2, Mistral, Phi, ...) as sequence classifiers.

``AutoModelForSequenceClassification`` pools the hidden state of the last real token: it finds the rightmost
token that is not padding, so left- and right-padded batches give the same result once the model knows its
pad id. Llama-style tokenizers ship without a pad token; the end-of-sequence token is used in its place.
The family's ``score`` layer is replaced by an emotune head (``linear`` or ``mlp``, with a bias) so that
prevalence bias initialisation works as for encoders. Everything else (losses, thresholds, adapters,
bundles) is the encoder kind's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import torch
from torch import nn

from emotune.errors import ConfigError
from emotune.models.adapters import quantization_kwargs
from emotune.models.base import register_model
from emotune.models.encoder import EncoderModel
from emotune.models.heads import HEADS


def ensure_pad_token(tokenizer: Any) -> Any:
    """Give a tokenizer without a pad token its end-of-sequence (or unknown) token as pad."""
    if tokenizer.pad_token is None:
        fallback = tokenizer.eos_token or tokenizer.unk_token
        if fallback is None:
            raise ConfigError("config", [
                "model.name: the tokenizer has no pad, end-of-sequence or unknown token to pad with; "
                "save it with a pad token (tokenizer.pad_token = ...) and pass that folder"
            ])  # fmt: skip
        tokenizer.pad_token = fallback
    return tokenizer


class DecoderModel(EncoderModel):
    """A decoder LLM with a classification head; see the module docstring."""

    kind = "decoder"
    head_name = "score"
    peft_task = "SEQ_CLS"
    tokenizer_kwargs: ClassVar[dict[str, Any]] = {"return_token_type_ids": False}

    def _load_tokenizer(self, source: str | Path) -> Any:
        from transformers import AutoTokenizer

        return ensure_pad_token(AutoTokenizer.from_pretrained(source))

    def _pretrained(self, source: str, n_labels: int) -> nn.Module:
        from transformers import AutoModelForSequenceClassification
        from transformers.utils import logging as hf_logging

        kwargs = quantization_kwargs(self.config.model) or {"dtype": torch.float32}
        verbosity = hf_logging.get_verbosity()
        hf_logging.set_verbosity_error()  # its load report says the new `score` is untrained: expected, replaced
        try:
            model = AutoModelForSequenceClassification.from_pretrained(source, num_labels=n_labels, **kwargs)
        except ValueError as exc:  # a family without a sequence-classification class
            raise ConfigError("config", [f"model.name: {str(exc).splitlines()[0]}"]) from None
        finally:
            hf_logging.set_verbosity(verbosity)
        return self._with_head(model, n_labels)

    def _from_config(self, folder: Path, n_labels: int) -> nn.Module:
        from transformers import AutoConfig, AutoModelForSequenceClassification

        config = AutoConfig.from_pretrained(folder, num_labels=n_labels)
        return self._with_head(AutoModelForSequenceClassification.from_config(config), n_labels)

    def _with_head(self, model: Any, n_labels: int) -> nn.Module:
        cfg = self.config.model
        model.config.pad_token_id = self.tokenizer_.pad_token_id
        hidden = int(model.config.get_text_config().hidden_size)
        device = model.get_input_embeddings().weight.device
        model.score = HEADS[cfg.head](hidden, n_labels, cfg.dropout, cfg.head_hidden, cfg.head_layers).to(device)
        return model

    def _backbone(self, module: Any) -> Any:
        return module


register_model("decoder", DecoderModel, DecoderModel.load)
