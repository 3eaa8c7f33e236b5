"""Training a transformer module with ``transformers.Trainer``: arguments, datasets, resume and callbacks.

Only this module (and the kinds' ``fit``) imports ``Trainer``; prediction (:mod:`.inference`) never does.
"""

from __future__ import annotations

import contextlib
import json
import logging
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
from torch import nn

from emotune.config import RunConfig, TrainConfig
from emotune.data.labels import LabelSchema
from emotune.errors import SettingError
from emotune.models.transformer.freezing import param_groups
from emotune.models.transformer.inputs import TextInputs
from emotune.training.trainer import OPTIMIZERS, DevMetrics, EmotionTrainer, EpochLog, QuietProgress

log = logging.getLogger("emotune")


def settled(t: TrainConfig, key: str) -> float:
    """``train.<key>``, which :func:`emotune.settling.settle` has settled before any model is fitted."""
    value = getattr(t, key)
    if value == "auto":
        raise RuntimeError(f"train.{key} is still auto: settle the config first (emotune.settling.settle)")
    return float(value)


def training_args(t: TrainConfig, precision: str, has_dev: bool) -> Any:
    """``TrainingArguments`` for ``train.*``; with a dev set, evaluate and keep the best epoch."""
    import torch
    from transformers import TrainingArguments

    strategy = "epoch" if has_dev else "no"
    return TrainingArguments(
        # Trainer creates output_dir when it is built, before train() points it at the run's folder: the
        # system's temp folder exists already, so nothing is left in the user's working directory
        output_dir=tempfile.gettempdir(),
        num_train_epochs=settled(t, "epochs"),
        learning_rate=settled(t, "lr"),
        per_device_train_batch_size=int(settled(t, "batch_size")),
        per_device_eval_batch_size=t.eval_batch_size,
        gradient_accumulation_steps=t.grad_accum,
        warmup_steps=settled(t, "warmup_ratio"),  # a float below 1 is a ratio of the total steps
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


def optimizer(module: nn.Module, cfg: RunConfig, head: str | None) -> Any:
    """The ``train.optimizer`` over :func:`~.freezing.param_groups` (layer-wise lr decay, no decay on norms)."""
    t = cfg.train
    lr = settled(t, "lr")
    return OPTIMIZERS[t.optimizer](param_groups(module, lr, t.weight_decay, cfg.model.layerwise_lr_decay, head))


def encode(inputs: TextInputs, texts: Sequence[str], y: np.ndarray) -> Any:
    """A ``datasets.Dataset`` of token ids, labels and lengths (for length-grouped batches)."""
    import datasets

    encoded = inputs(texts)
    columns = dict(encoded)
    columns["labels"] = np.asarray(y, dtype=np.float32).tolist()
    columns["length"] = [len(ids) for ids in encoded["input_ids"]]
    return datasets.Dataset.from_dict(columns)


def loop_callbacks(t: TrainConfig) -> list[Any]:
    """Callbacks every transformer training loop gets from the config: the weight average (``train.ema``)."""
    from emotune.training.averaging import WeightAverage

    return [WeightAverage(t.ema)] if t.ema else []


def classifier_trainer(
    module: nn.Module,
    tokenizer: Any,
    cfg: RunConfig,
    precision: str,
    schema: LabelSchema,
    train: Any,
    dev: Any | None,
    loss_fn: nn.Module,
    head: str | None,
) -> EmotionTrainer:
    """The Trainer of a classifier: the registry loss, dynamic padding, early stopping, dev metrics for
    checkpoint selection, and quiet progress bars."""
    from transformers import DataCollatorWithPadding, EarlyStoppingCallback

    selectable = DevMetrics.selectable(schema)
    if dev is not None and cfg.train.select_metric not in selectable:
        raise SettingError("train.select_metric", f"{cfg.train.select_metric} is not scored on {schema.task} data; "
                                                  f"use one of {', '.join(selectable)}")  # fmt: skip
    callbacks = loop_callbacks(cfg.train)
    if dev is not None and cfg.train.early_stopping:
        callbacks.append(EarlyStoppingCallback(early_stopping_patience=cfg.train.early_stopping))
    trainer = EmotionTrainer(
        model=module,
        args=training_args(cfg.train, precision, has_dev=dev is not None),
        train_dataset=train,
        eval_dataset=dev,
        data_collator=DataCollatorWithPadding(tokenizer),
        processing_class=tokenizer,
        compute_metrics=DevMetrics(schema, cfg.thresholds),
        callbacks=callbacks,
        optimizers=(optimizer(module, cfg, head), None),
        loss_fn=loss_fn,
        adversarial=cfg.train.adversarial,
    )
    return quiet(trainer)


def dev_history(trainer: Any, select_metric: str, dev_y: np.ndarray) -> list[np.ndarray]:
    """Each evaluated epoch's dev probabilities (:attr:`DevMetrics.history`), rows in the order of ``dev_y``;
    empty unless this process saw every evaluation (after a resume the earlier epochs' are gone) with the
    dev labels in that order."""
    metrics = trainer.compute_metrics
    if not isinstance(metrics, DevMetrics) or metrics.labels is None:
        return []
    evaluations = sum(f"eval_{select_metric}" in entry for entry in trainer.state.log_history)
    in_order = np.array_equal(metrics.labels, np.asarray(dev_y).round())
    return list(metrics.history) if len(metrics.history) == evaluations and in_order else []


def quiet(trainer: Any) -> Any:
    """Progress bars without the Trainer's raw metric dictionaries (:class:`EpochLog` reports those)."""
    from transformers import ProgressCallback

    trainer.remove_callback(ProgressCallback)
    trainer.add_callback(QuietProgress)
    return trainer


def last_checkpoint(folder: Path, resume: bool) -> str | None:
    """The checkpoint to resume from: the newest in ``folder`` when ``resume`` is set."""
    if not resume:
        return None
    from transformers.trainer_utils import get_last_checkpoint

    last = get_last_checkpoint(str(folder)) if folder.is_dir() else None
    if last is None:
        log.warning("resume: no checkpoint in %s, starting from scratch", folder)
    else:
        log.info("resuming from %s", last)
    return last


def train(trainer: Any, work_dir: Path | None, resume: bool, callbacks: Sequence[Any] = ()) -> nn.Module:
    """Run ``trainer`` with checkpoints and ``epochs.jsonl`` in ``work_dir`` (or a temporary folder that is
    removed afterwards) and the caller's ``callbacks`` added; returns the trained module (the best epoch's when
    there is a dev set)."""
    with contextlib.ExitStack() as stack:
        work = Path(work_dir) if work_dir is not None else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        trainer.args.output_dir = str(work / "checkpoints")
        last = last_checkpoint(work / "checkpoints", resume)
        resumed = json.loads((Path(last) / "trainer_state.json").read_text())["epoch"] if last else None
        trainer.add_callback(EpochLog(work / "epochs.jsonl" if work_dir is not None else None, resumed))
        for callback in callbacks:
            trainer.add_callback(callback)
        trainer.train(resume_from_checkpoint=last)
    return cast(nn.Module, trainer.model).eval()
