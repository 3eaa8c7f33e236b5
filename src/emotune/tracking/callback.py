"""Every Trainer evaluation (one per epoch) and training-loss log goes to the open tracked run as it happens."""

from __future__ import annotations

from typing import Any

from transformers import TrainerCallback, TrainerControl, TrainerState, TrainingArguments

from emotune.tracking.run import TrackedRun


class TrackingCallback(TrainerCallback):
    """``dev/<metric>`` after each evaluation, ``train/loss`` and ``train/learning_rate`` as logged, with
    ``epoch``, all at the Trainer's global step."""

    def __init__(self, run: TrackedRun) -> None:
        self.run = run

    def on_evaluate(self, args: TrainingArguments, state: TrainerState, control: TrainerControl,
                    metrics: dict[str, float] | None = None, **kwargs: Any) -> None:  # fmt: skip
        values = {k.removeprefix("eval_"): v for k, v in (metrics or {}).items() if k.startswith("eval_")}
        values = {k: v for k, v in values.items() if not k.endswith(("_runtime", "_per_second"))}
        self.run.metrics({"epoch": state.epoch or 0, **{f"dev/{k}": v for k, v in values.items()}},
                         step=state.global_step)  # fmt: skip

    def on_log(self, args: TrainingArguments, state: TrainerState, control: TrainerControl,
               logs: dict[str, float] | None = None, **kwargs: Any) -> None:  # fmt: skip
        logs = logs or {}
        values = {f"train/{k}": logs[k] for k in ("loss", "learning_rate", "grad_norm") if k in logs}
        if values:
            self.run.metrics({"epoch": state.epoch or 0, **values}, step=state.global_step)
