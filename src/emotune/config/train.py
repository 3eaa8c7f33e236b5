"""Config sections about training and tuning: the loop, the loss, decision thresholds and sweeps."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from emotune.config.base import Section


class LossConfig(Section):
    """A loss from the registry (``emotune.losses.LOSSES``) and its knobs. ``auto``: bce / ce by task."""

    name: str = "auto"
    pos_weight: Literal["none", "linear", "sqrt"] | list[float] = Field(
        "sqrt", description="BCE: weight of positives per label, sqrt(negatives / positives) by default"
    )
    class_weight: Literal["none", "balanced", "effective_number"] | list[float] = "none"
    gamma: float = Field(2.0, ge=0, description="focal loss focusing")
    alpha: float | Literal["class_weights", "balanced", "effective_number"] | list[float] | None = None
    gamma_pos: float = Field(0.0, ge=0, description="asymmetric loss focusing on positives")
    gamma_neg: float = Field(4.0, ge=0, description="asymmetric loss focusing on negatives")
    clip: float = Field(0.05, ge=0, lt=1, description="asymmetric loss probability margin")
    beta: float = Field(0.999, gt=0, lt=1, description="effective-number beta (class-balanced weights)")
    label_correlation: float = Field(
        0.0, ge=0, lt=1, description="multilabel: weight of SpanEmo's label-correlation term (0.2 in the paper)"
    )
    soft_f1: float = Field(
        0.0, ge=0, lt=1, description="multilabel: weight of a differentiable macro-F1 term (sigmoidF1; 0: off)"
    )
    rdrop: float = Field(
        0.0,
        ge=0,
        description="R-Drop: weight of the agreement term between two dropout passes (0: off; 1-5 in "
        "the paper); each training batch is run twice",
    )

    # The keys above that add a term to a classifier loss (0: off), which model kinds without a classifier
    # head refuse (``models.base.no_loss_terms``); ``emotune.losses`` builds each (a test keeps the two in step).
    TERMS: ClassVar[tuple[str, ...]] = ("label_correlation", "soft_f1", "rdrop")


class TrainConfig(Section):
    """Settings of the training loop (``seed`` applies to every model kind, the rest to encoders)."""

    seed: int = 42
    epochs: Annotated[int, Field(gt=0)] | Annotated[float, Field(gt=0)] | Literal["auto"] = Field(
        "auto",
        description="auto: the model's recipe where it has one (gemma3-270m 2), else what benchmarks best "
        "on the preset's data (goemotions 3, dailydialog 1), else 5",
    )
    lr: Annotated[float, Field(gt=0)] | Literal["auto"] = Field(
        "auto", description="auto: the model's recipe (encoders 1e-4; decoder adapters: LoRA 5e-4, IA3 3e-3)"
    )
    batch_size: Annotated[int, Field(ge=1)] | Literal["auto"] = Field(
        "auto", description="auto: the model's recipe (32)"
    )
    eval_batch_size: int = Field(128, ge=1)
    grad_accum: int = Field(1, ge=1)
    warmup_ratio: Annotated[float, Field(ge=0, lt=1)] | Literal["auto"] = Field(
        "auto", description="auto: the model's recipe (0.1)"
    )
    scheduler: Literal["linear", "cosine", "constant_with_warmup"] = "linear"
    weight_decay: float = Field(0.01, ge=0)
    max_grad_norm: float = Field(1.0, gt=0)
    precision: Literal["auto", "fp32", "bf16", "fp16"] = "auto"
    group_by_length: bool = True
    early_stopping: int | None = Field(2, ge=1, description="stop after N epochs without dev improvement")
    ema: float | None = Field(
        None,
        gt=0,
        lt=1,
        description="decay of an exponential moving average of the weights (e.g. 0.99), "
        "which is what each epoch is scored and saved with; off by default",
    )
    adversarial: float | None = Field(
        None,
        gt=0,
        description="FGM adversarial training: each batch is run again with the word embeddings moved by this "
        "L2 norm along their loss gradient (1.0 is usual), and both gradients are applied; off by default",
    )
    select_metric: Literal["macro_f1", "micro_f1", "jaccard", "weighted_f1", "macro_f1+jaccard"] = Field(
        "macro_f1",
        description="the calibrated dev score that picks the kept epoch (jaccard and macro_f1+jaccard: "
        "multilabel only)",
    )
    optimizer: Literal["adamw", "paged_adamw_8bit", "paged_adamw_32bit"] = Field(
        "adamw", description="paged_*: bitsandbytes' paged AdamW (CUDA), the usual QLoRA choice"
    )
    threads: int | None = Field(None, ge=1, description="torch threads; default: every core")
    resume: bool = False
    keep_checkpoints: bool = False
    loss: LossConfig = LossConfig()


Decision = Literal["auto", "argmax", "macro_f1", "balanced_accuracy", "accuracy", "micro_f1_without_neutral"]


class ThresholdConfig(Section):
    """How decisions are made from probabilities, fitted on validation (or out-of-fold) probabilities.

    Multilabel: ``strategy`` and ``objective`` choose the thresholds (``auto``: ``fixed``, ``global``, ``shrunk``
    or ``per_label``, whichever beat ``default`` on held-out halves of dev, else ``default``; ``bootstrap`` and
    ``shrunk`` overfit a small dev set less than ``per_label``; ``macro_f1+jaccard`` is one operating point for
    both metrics).
    Single-label: ``decision`` is ``argmax``, or an objective for which per-class offsets are fitted;
    ``auto`` is what the preset's usual score asks for (``dailydialog``: ``micro_f1_without_neutral``), else
    ``argmax``.
    """

    strategy: Literal["per_label", "global", "fixed", "bootstrap", "shrunk", "auto"] = "auto"
    objective: Literal["macro_f1", "micro_f1", "jaccard", "macro_f1+jaccard"] = "macro_f1+jaccard"
    default: float = Field(0.5, gt=0, lt=1)
    decision: Decision = Field(
        "auto",
        description="single-label tasks: argmax, or fit per-class offsets for this objective; auto: the preset's "
        "(dailydialog: micro_f1_without_neutral), else argmax",
    )
    min_labels: Annotated[int, Field(ge=0)] | Literal["auto"] = Field(
        0, description="multilabel: at least this many labels per text (those nearest their thresholds); auto: 0 or 1"
    )


class SweepConfig(Section):
    """``emotune sweep``: an Optuna study over the search space of the model kind (or ``space``, a YAML file).

    ``storage``: any database URL Optuna accepts; workers that share it (and ``study``) share one study.
    Default: ``sqlite:///RUN/study.db``.
    """

    trials: int = Field(20, ge=1, description="trials this worker runs")
    metric: str = Field("macro_f1", description="dev metric to optimise, after threshold calibration")
    space: str | None = Field(None, description="search-space YAML; default: the kind's built-in space")
    storage: str | None = None
    study: str = "emotune"
    sampler: Literal["tpe", "random"] = "tpe"
    pruner: Literal["median", "none"] = "median"
    startup_trials: int = Field(2, ge=0, description="trials before pruning and TPE start")
    seed: int | None = Field(None, description="sampler seed (leave unset when several workers share a study)")


class DistillConfig(Section):
    """``emotune distill``: train a student on a teacher bundle's probabilities mixed with the gold labels."""

    teacher: str | None = Field(None, description="the teacher bundle (any kind, e.g. a cv fold ensemble)")
    teacher_weight: float = Field(
        0.5, ge=0, le=1, description="target = w * teacher probabilities + (1 - w) * gold labels"
    )
    unlabelled: str | None = Field(None, description="extra in-domain texts (TXT, CSV, JSONL, ...) the teacher labels")
    text_column: str = Field("text", description="the unlabelled file's text column (not for TXT)")
