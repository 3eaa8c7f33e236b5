"""A fine-tuned transformer as an emotune model: ``fit``, ``predict_proba``, ``save``, ``load``, ``merged``.

:class:`TransformerModel` is put together from parts: a :class:`~.backbone.Backbone` (which family, where its
head is), :mod:`.freezing`, :mod:`.adapters` (LoRA / IA3 / 4-bit), :mod:`.precision`, :mod:`.fitting`
(the Trainer) and :mod:`.inference`. The encoder and decoder kinds are this class with another backbone; the
generative kind changes how it trains and scores.

A bundle holds the tokenizer and backbone config (``encoder/``), then either all weights
(``model.safetensors``) or only the adapter + head (``adapter/``), and ``encoder.json`` with the settings.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch
from torch import nn

from emotune.config import RunConfig
from emotune.data.labels import LabelSchema, probabilities
from emotune.errors import DataError
from emotune.models.base import DevSet
from emotune.models.catalogue import CATALOGUE, model_path
from emotune.models.families import resolve_model_path
from emotune.models.transformer import adapters
from emotune.models.transformer.backbone import Backbone
from emotune.models.transformer.freezing import freeze, reinit
from emotune.models.transformer.heads import init_bias, prevalence_bias
from emotune.models.transformer.inference import predict_logits
from emotune.models.transformer.inputs import TextInputs, auto_max_length, label_prefix
from emotune.models.transformer.precision import resolve_precision, runnable_precision

log = logging.getLogger("emotune")

WEIGHTS = "model.safetensors"
SETTINGS = "encoder.json"
ENCODER_DIR = "encoder"


class TransformerModel:
    """A transformer of one :class:`Backbone` family, fine-tuned (in full or with an adapter) to classify."""

    def __init__(self, config: RunConfig, backbone: Backbone) -> None:
        self.config = config
        self.backbone = backbone
        self.kind = backbone.kind
        self.compiled_: nn.Module | None = None
        self.dev_history_: list[np.ndarray] = []  # each epoch's dev probabilities, from fit (not saved)
        self.adapter_source_: Path | None = None  # a loaded adapter bundle's adapter/ folder (see save)

    @property
    def adapter(self) -> bool:
        return self.config.model.peft.method != "none"

    def _tokenizer(self, source: str | Path) -> Any:
        return self.backbone.tokenizer(source, left_truncation=bool(self.config.dialogue.context_turns))

    def _module(self, source: str | Path, pretrained: bool) -> nn.Module:
        return self.backbone.build(source, self.schema_.names, self.config.model, self.tokenizer_, pretrained)

    def _inputs(self, max_length: int) -> TextInputs:
        """How texts are tokenized: plain, or after the label names (``model.label_aware``)."""
        prefix = label_prefix(self.schema_.names) if self.config.model.label_aware else None
        return TextInputs(self.tokenizer_, max_length, prefix, self.backbone.tokenizer_kwargs)

    # --- training --------------------------------------------------------------------------------------

    def fit(
        self,
        texts: Sequence[str],
        y: np.ndarray,
        schema: LabelSchema,
        dev: DevSet | None = None,
        work_dir: Path | None = None,
        callbacks: Sequence[Any] = (),
    ) -> TransformerModel:
        """Fine-tune on ``texts`` / ``y`` ``(n, n_labels)``; select the best epoch on ``dev`` when given.

        ``work_dir`` receives checkpoints and ``epochs.jsonl``; without one (the Python API) checkpoints go to
        a temporary folder that is removed afterwards.
        """
        from emotune.losses import LabelStats, build_loss
        from emotune.models.transformer import fitting

        train_cfg = self.config.train
        stats = LabelStats.from_y(y, schema.task)
        module = self._prepare(texts, schema, stats)
        train_set = fitting.encode(self.inputs_, texts, y)
        dev_set = fitting.encode(self.inputs_, dev[0], dev[1]) if dev is not None else None
        loss_fn = build_loss(train_cfg.loss, stats)
        trainer = fitting.classifier_trainer(module, self.tokenizer_, self.config, self.precision_, schema,
                                             train_set, dev_set, loss_fn, self.backbone.head)  # fmt: skip
        self._train(trainer, work_dir, f"loss {type(loss_fn).__name__}, optimizer {train_cfg.optimizer}", callbacks)
        self.dev_history_ = fitting.dev_history(trainer, train_cfg.select_metric, dev[1]) if dev is not None else []
        if trainer.state.best_model_checkpoint:
            log.info("best checkpoint: %s (dev %s %.4f)", Path(trainer.state.best_model_checkpoint).name,
                     train_cfg.select_metric, trainer.state.best_metric)  # fmt: skip
        return self

    def _prepare(self, texts: Sequence[str], schema: LabelSchema, stats: Any | None) -> nn.Module:
        """Threads, seed, tokenizer, precision and the pretrained model with its head bias initialised from
        ``stats`` (a :class:`~emotune.losses.LabelStats`), frozen and adapted as the config says."""
        from transformers import set_seed

        from emotune.training.distributed import world_size

        train_cfg = self.config.train
        # under torchrun every process gets its share of the cores
        torch.set_num_threads(train_cfg.threads or max(1, len(os.sched_getaffinity(0)) // world_size()))
        set_seed(train_cfg.seed)
        cfg = self.config.model
        if cfg.max_length == "auto":
            raise RuntimeError("model.max_length is still auto: settle the config first (emotune.settling.settle)")
        self._load_tokenizer(schema)
        self.precision_ = resolve_precision(train_cfg.precision)  # the machine's: kept out of the config
        self.inputs_ = self._inputs(int(cfg.max_length))
        self.inputs_.check_room()
        module = self._module(self.source_, pretrained=True)
        head = self.backbone.head
        if cfg.bias_init and head and stats is not None:
            init_bias(getattr(module, head), prevalence_bias(stats.positives, stats.counts, schema.task))
        reinit(module, cfg, head)
        freeze(module, cfg, head)
        return self._adapt(module)

    def _load_tokenizer(self, schema: LabelSchema) -> None:
        self.schema_ = schema
        self.source_ = resolve_model_path(self.config.model.name)
        self.tokenizer_ = self._tokenizer(self.source_)

    def count_max_length(self, texts: Sequence[str], schema: LabelSchema) -> int:
        """What ``model.max_length: auto`` becomes for a fit on ``texts``: their 99th percentile of tokens
        (label names included where ``model.label_aware``), rounded up to a multiple of 8. Loads the tokenizer;
        :func:`emotune.settling.settle` asks this before a fit."""
        self._load_tokenizer(schema)
        return auto_max_length(self._inputs(0), texts)

    def _adapt(self, module: nn.Module) -> nn.Module:
        """Gradient checkpointing, 4-bit preparation and the adapter, as the config asks."""
        cfg = self.config.model
        if cfg.gradient_checkpointing:
            inner = self.backbone.inner(module)
            inner.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        module = adapters.prepare_quantized(module, cfg)
        if not self.adapter:
            return module
        model_type = str(self.backbone.inner(module).config.model_type)
        return cast(
            nn.Module, adapters.apply_peft(module, cfg, model_type, self.backbone.head, self.backbone.peft_task)
        )

    def _train(self, trainer: Any, work_dir: Path | None, detail: str, callbacks: Sequence[Any] = ()) -> None:
        """Run ``trainer`` with ``callbacks`` added (see :func:`.fitting.train`) and keep the trained module and
        its parameter counts."""
        from emotune.models.transformer.fitting import train

        cfg = self.config.model
        trainable, total = adapters.trainable_parameters(trainer.model)
        self.parameters_ = {"trainable": trainable, "total": total}
        log.info("fine-tuning %s (%s)%s: %d of %d parameters trainable, %s, precision %s", cfg.name, self.source_,
                 f" with {cfg.peft.method}" if self.adapter else "", trainable, total, detail,
                 self.precision_)  # fmt: skip
        self.module_ = train(trainer, work_dir, self.config.train.resume, callbacks)

    # --- inference -------------------------------------------------------------------------------------

    def predict_proba(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Probabilities ``(n, n_labels)``; texts are batched by token count so padding stays small."""
        module = self.module_ if self.compiled_ is None else self.compiled_
        logits = predict_logits(module, self.inputs_, texts, self.schema_.n_labels, self.precision_, batch_size)
        return probabilities(logits, self.schema_.task)

    def compile(self) -> None:
        """Predict through ``torch.compile`` (inductor, dynamic shapes) from now on. The first batches pay the
        compilation (seconds to a minute, less once inductor's cache holds it); :meth:`save` is unaffected."""
        self.compiled_ = cast(nn.Module, torch.compile(self.module_, dynamic=True))

    # --- persistence -----------------------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        """Tokenizer and backbone config; then the adapter + head (``adapter/``) or all weights (safetensors)."""
        from safetensors.torch import save_model

        self.tokenizer_.save_pretrained(directory / ENCODER_DIR)
        self.backbone.inner(self.module_).config.save_pretrained(directory / ENCODER_DIR)
        if self.adapter and hasattr(self.module_, "peft_config"):  # trained here: still a PeftModel
            cast(Any, self.module_).save_pretrained(str(directory / adapters.ADAPTER_DIR))
        elif self.adapter:  # loaded from a bundle, merged for inference: copy the adapter it came with
            if self.adapter_source_ is None or not self.adapter_source_.is_dir():
                raise DataError(f"{self.adapter_source_}: the adapter this model was loaded from is gone; load the "
                                "bundle again to save it, or `emotune merge` it into a standalone bundle")  # fmt: skip
            shutil.copytree(self.adapter_source_, directory / adapters.ADAPTER_DIR)
        else:
            save_model(self.module_, str(directory / WEIGHTS))
        settings = {"config": self.config.model_dump(mode="json"), "schema": self.schema_.to_dict(),
                    "source": str(self.source_), "precision": self.precision_}  # fmt: skip
        (directory / SETTINGS).write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")

    def _base_source(self, directory: Path) -> str:
        """Where the base weights of an adapter bundle come from (an alias is resolved on this machine)."""
        name = self.config.model.name
        if name in CATALOGUE:
            return str(model_path(name))
        if Path(self.source_).is_dir() or not Path(self.source_).is_absolute():
            return self.source_
        raise DataError(
            f"{directory}: this adapter bundle needs its base model at {self.source_}, which is gone; "
            "restore that folder, or on the training machine run `emotune merge` for a standalone bundle"
        )

    @classmethod
    def load(cls, directory: Path, backbone: Backbone) -> TransformerModel:
        """Load a bundle folder. An adapter is applied to the base model and merged into it for fast inference;
        bases trained in 4 bits are loaded in full precision here."""
        from safetensors.torch import load_model

        settings = json.loads((directory / SETTINGS).read_text(encoding="utf-8"))
        config = RunConfig.model_validate(settings["config"])
        config.model.quantization = "none"
        model = cls(config, backbone)
        model.schema_ = LabelSchema.from_dict(settings["schema"])
        model.source_ = settings["source"]
        model.precision_ = runnable_precision(settings["precision"])
        model.tokenizer_ = model._tokenizer(directory / ENCODER_DIR)
        model.inputs_ = model._inputs(int(config.model.max_length))
        if (directory / adapters.ADAPTER_DIR).is_dir():
            model.adapter_source_ = directory / adapters.ADAPTER_DIR  # what save() copies: the merge is for speed
            base = model._module(model._base_source(directory), pretrained=True)
            module = adapters.merge_adapter(adapters.load_adapter(base, directory / adapters.ADAPTER_DIR))
        else:
            module = model._module(directory / ENCODER_DIR, pretrained=False)
            load_model(module, str(directory / WEIGHTS))
        model.module_ = module.to("cuda" if torch.cuda.is_available() else "cpu").eval()
        return model

    def merged(self) -> TransformerModel:
        """This model as a standalone one: adapter folded into the weights, saved in full by :meth:`save`."""
        if hasattr(self.module_, "merge_and_unload"):  # still a PeftModel (right after fit)
            self.module_ = adapters.merge_adapter(self.module_)
        self.config = self.config.model_copy(deep=True)
        self.config.model.peft.method = "none"
        return self
