"""The one ``transformers.Trainer`` subclass: its ``compute_loss`` calls ``self.loss_fn(logits, labels)``.

Also here: the dev metrics used for checkpoint selection (the score ``train.select_metric`` names, with
thresholds calibrated on the dev probabilities, not only the loss) and a callback that writes one JSON line and
one table row per epoch.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, get_args

import numpy as np
import torch
from torch import nn
from transformers import ProgressCallback, Trainer, TrainerCallback, TrainerControl, TrainerState, TrainingArguments
from transformers.trainer_utils import EvalPrediction

from emotune.config import ThresholdConfig, TrainConfig
from emotune.data.labels import LabelSchema, probabilities
from emotune.decisions.scores import SUMS, objective_value
from emotune.decisions.thresholds import ThresholdCalibrator
from emotune.evaluation.metrics import applicable
from emotune.evaluation.score import tuned_and_default

log = logging.getLogger("emotune")


def _paged_adamw(bits: int) -> Callable[[list[dict[str, Any]]], torch.optim.Optimizer]:
    def build(groups: list[dict[str, Any]]) -> torch.optim.Optimizer:
        import bitsandbytes as bnb  # the [qlora] extra; CUDA only

        optimizer: torch.optim.Optimizer = getattr(bnb.optim, f"PagedAdamW{bits}bit")(groups)
        return optimizer

    return build


# Optimizers by ``train.optimizer``; each takes AdamW-style parameter groups.
OPTIMIZERS: dict[str, Callable[[list[dict[str, Any]]], torch.optim.Optimizer]] = {
    "adamw": torch.optim.AdamW,
    "paged_adamw_8bit": _paged_adamw(8),
    "paged_adamw_32bit": _paged_adamw(32),
}


def input_embeddings(model: nn.Module) -> nn.Embedding:
    """The word-embedding table of a classifier (a transformers model, or emotune's wrapper of an encoder)."""
    for candidate in (model, getattr(model, "encoder", None)):
        get = getattr(candidate, "get_input_embeddings", None)
        if callable(get):
            return get()
    raise TypeError(f"{type(model).__name__} has no get_input_embeddings()")


@contextlib.contextmanager
def fgm_shift(table: nn.Embedding, epsilon: float) -> Iterator[bool]:
    """Move ``table``'s weights by ``epsilon`` (L2 norm) along their current gradient, then back (FGM,
    Miyato et al. 2017); yields whether there was a gradient to follow."""
    grad = table.weight.grad
    norm = None if grad is None else torch.linalg.vector_norm(grad.float())
    if norm is None or not torch.isfinite(norm) or norm == 0:
        yield False
        return
    saved = table.weight.detach().clone()  # restored exactly, not by subtracting (rounding would drift)
    table.weight.data.add_((grad * (epsilon / norm)).to(table.weight.dtype))
    try:
        yield True
    finally:
        table.weight.data.copy_(saved)


class EmotionTrainer(Trainer):
    """``Trainer`` whose loss comes from the emotune loss registry; a loss with ``passes = 2`` (R-Drop) gets
    the logits of the batch run twice in training. With ``adversarial`` (FGM), each training batch is run a
    second time on word embeddings shifted along their gradient, and that pass's gradient is added (with
    gradient accumulation, the gradient accumulated so far in the optimizer step)."""

    def __init__(self, *args: Any, loss_fn: nn.Module, adversarial: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.loss_fn = loss_fn.to(self.args.device)
        self.adversarial = adversarial

    def _get_eval_sampler(self, eval_dataset: Any) -> Any:
        """Dev rows in their own order: transformers would group them by length as it does the training rows
        (``train_sampling_strategy``), and each evaluation's probabilities must line up with the dev rows
        (:attr:`DevMetrics.history`). Under DDP, ``None``: accelerate shards the rows in order."""
        from torch.utils.data import SequentialSampler

        return SequentialSampler(eval_dataset) if self.args.world_size <= 1 else None

    def training_step(
        self, model: nn.Module, inputs: dict[str, Any], num_items_in_batch: torch.Tensor | int | None = None
    ) -> torch.Tensor:
        loss = super().training_step(model, inputs, num_items_in_batch)
        if self.adversarial:
            with fgm_shift(input_embeddings(self.accelerator.unwrap_model(model)), self.adversarial) as shifted:
                if shifted:
                    super().training_step(model, inputs, num_items_in_batch)
        return loss

    def compute_loss(
        self,
        model: nn.Module,
        inputs: dict[str, torch.Tensor | Any],
        return_outputs: bool = False,
        num_items_in_batch: torch.Tensor | int | None = None,
    ) -> torch.Tensor | tuple[torch.Tensor, Any]:
        features = {k: v for k, v in inputs.items() if k != "labels"}
        passes = getattr(self.loss_fn, "passes", 1) if model.training else 1  # R-Drop: the batch twice
        if passes > 1:
            features = {k: torch.cat([v] * passes) if isinstance(v, torch.Tensor) else v for k, v in features.items()}
        outputs = model(**features)
        loss = self.loss_fn(outputs["logits"].float(), inputs["labels"].float())
        return (loss, outputs) if return_outputs else loss


class DevMetrics:
    """``compute_metrics`` for the Trainer: dev scores with thresholds calibrated on the dev probabilities
    (the scores checkpoint selection uses), for multilabel data their sum ``macro_f1+jaccard``, and, with the
    suffix ``_at_default``, scores at the fixed threshold. ``history`` keeps each evaluation's dev
    probabilities, in order, for a held-out estimate that holds out the choice of epoch too
    (:func:`emotune.evaluation.score.two_fold_with_epoch_choice`)."""

    def __init__(self, schema: LabelSchema, thresholds: ThresholdConfig) -> None:
        self.schema = schema
        self.thresholds = thresholds
        self.history: list[np.ndarray] = []
        self.labels: np.ndarray | None = None  # the dev labels in the order the probabilities came

    @staticmethod
    def selectable(schema: LabelSchema) -> list[str]:
        """The ``train.select_metric`` choices that are scored for ``schema``'s task."""
        scored = list(applicable(schema))
        scored += [name for name, parts in SUMS.items() if set(parts) <= set(scored)]
        return [name for name in get_args(TrainConfig.model_fields["select_metric"].annotation) if name in scored]

    def __call__(self, prediction: EvalPrediction) -> dict[str, float]:
        logits = prediction.predictions[0] if isinstance(prediction.predictions, tuple) else prediction.predictions
        probs = probabilities(logits, self.schema.task)
        y = np.asarray(prediction.label_ids).round().astype(np.int8)
        self.history.append(probs)
        self.labels = y
        tuned = ThresholdCalibrator.from_config(self.thresholds).fit(probs, y, self.schema)
        metrics, at_default = tuned_and_default(y, probs, tuned, self.schema)
        for name, parts in SUMS.items():
            if all(part in metrics for part in parts):
                metrics[name] = objective_value(metrics, name)
        metrics.update({f"{k}_at_default": v for k, v in at_default.items() if k in ("macro_f1", "jaccard")})
        return metrics


class QuietProgress(ProgressCallback):
    """Trainer's progress bars without its raw metric dictionaries: :class:`EpochLog` reports those."""

    def on_log(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, logs: Any = None, **kwargs: Any
    ) -> None:
        return None


class EpochLog(TrainerCallback):
    """After each evaluation: one JSON line in ``epochs.jsonl`` and one row in the log."""

    KEYS = ("macro_f1", "micro_f1", "jaccard", *SUMS, "balanced_accuracy", "macro_f1_at_default")

    def __init__(self, path: Path | None, resumed_epoch: float | None = None) -> None:
        """``resumed_epoch``: training continues from a checkpoint of that epoch; earlier lines are kept."""
        self.path = path
        if path is None:
            return
        kept = []
        if resumed_epoch is not None and path.is_file():
            lines = path.read_text(encoding="utf-8").splitlines()
            kept = [line for line in lines if line.strip() and json.loads(line)["epoch"] <= resumed_epoch + 1e-9]
        path.write_text("".join(line + "\n" for line in kept), encoding="utf-8")

    def on_evaluate(
        self,
        args: TrainingArguments,
        state: TrainerState,
        control: TrainerControl,
        metrics: dict[str, float] | None = None,
        **kwargs: Any,
    ) -> None:
        if not state.is_world_process_zero:  # DDP: the main process writes the one record
            return
        metrics = metrics or {}
        losses = [entry["loss"] for entry in state.log_history if "loss" in entry]
        row: dict[str, Any] = {"epoch": round(state.epoch or 0, 2), "step": state.global_step}
        row["train_loss"] = round(losses[-1], 4) if losses else None
        row["dev_loss"] = round(metrics.get("eval_loss", float("nan")), 4)
        for key in self.KEYS:
            if f"eval_{key}" in metrics:
                row[key] = round(metrics[f"eval_{key}"], 4)
        if self.path is not None:
            with self.path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(row) + "\n")
        log.info("epoch %s | " + " | ".join(f"{k} {v}" for k, v in row.items() if k not in ("epoch", "step")),
                 row["epoch"])  # fmt: skip


class PruningCallback(TrainerCallback):
    """Reports the dev ``metric`` of each epoch to the Optuna trial and stops the trial when the pruner says so."""

    def __init__(self, trial: Any, metric: str) -> None:  # an optuna.Trial
        self.trial = trial
        self.metric = metric

    def on_evaluate(self, args: TrainingArguments, state: TrainerState, control: TrainerControl,
                    metrics: dict[str, float] | None = None, **kwargs: Any) -> None:  # fmt: skip
        import optuna

        value = (metrics or {}).get(f"eval_{self.metric}")
        if value is None:
            return
        epoch = round(state.epoch or 0)
        self.trial.report(float(value), step=epoch)
        if self.trial.should_prune():
            raise optuna.TrialPruned(f"epoch {epoch}: dev {self.metric} {value:.4f}")
