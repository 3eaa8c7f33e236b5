"""Typed configuration: one object per concern, loaded from YAML plus ``key=value`` overrides.

Precedence, lowest first: the defaults below, the YAML file, command-line flags, ``key=value`` overrides.
Unknown keys and bad values are errors, and all of them are reported at once.

>>> cfg = load_config(None, ["model=tfidf", "thresholds.objective=micro_f1"])
>>> cfg.model.name, cfg.thresholds.objective
('tfidf', 'micro_f1')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from emotune.errors import ConfigError

Task = Literal["auto", "multilabel", "multiclass"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class DataConfig(_Section):
    """Where the data is and how to read it. A preset fills in what it knows about its dataset."""

    preset: str = "generic"
    data_dir: str | None = None
    train: str | None = None
    dev: str | None = None
    dev_size: float = Field(0.1, gt=0, lt=1, description="dev fraction split off train when no dev file")
    format: Literal["auto", "csv", "tsv", "jsonl", "parquet", "hf"] = "auto"
    text_column: str = "text"
    label_columns: list[str] | None = None
    label_column: str | None = None
    label_format: Literal["auto", "names", "ids"] = "auto"
    label_delimiter: str = ","
    label_names: list[str] | None = None
    label_names_file: str | None = None
    task: Task = "auto"
    id_column: str | None = None
    group_column: str | None = Field(None, description="dialogue id column; splits never separate a group")
    turn_column: str | None = Field(None, description="dialogues preset: turn index column (default: row order)")
    speaker_column: str | None = Field(None, description="dialogues preset: speaker column")
    neutral_label: str | None = None

    @model_validator(mode="after")
    def _one_label_layout(self) -> DataConfig:
        if self.label_columns and self.label_column:
            raise ValueError("set label_columns (one 0/1 column per label) or label_column, not both")
        return self


class PreprocessConfig(_Section):
    """Social-media text normalisation, saved with the model and re-applied at prediction time."""

    enabled: bool = True
    language: str = "en"
    lowercase: bool = False
    urls: Literal["placeholder", "keep", "remove"] = "placeholder"
    url_token: str = "http"
    mentions: Literal["placeholder", "keep", "remove"] = "placeholder"
    user_token: str = "@user"
    hashtags: Literal["split", "keep", "remove"] = "split"
    emoji: Literal["words", "keep", "remove"] = "words"
    html: bool = True
    max_repeat: int = Field(2, ge=0, description="shorten runs of one character to this length; 0 = off")

    @model_validator(mode="after")
    def _emoji_language(self) -> PreprocessConfig:
        import emoji as emoji_lib

        if self.enabled and self.emoji == "words" and self.language not in emoji_lib.LANGUAGES:
            known = ", ".join(sorted(emoji_lib.LANGUAGES))
            raise ValueError(
                f"emoji names are not available in language {self.language!r} (known: {known}); "
                "set preprocess.emoji=keep"
            )
        return self


class TfidfConfig(_Section):
    """TF-IDF word + character n-grams into a balanced logistic regression."""

    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    min_df: int = Field(2, ge=1)
    max_features: int | None = Field(200_000, ge=1)
    C: float = Field(4.0, gt=0)
    class_weight: Literal["balanced", "none"] = "balanced"
    max_iter: int = Field(1000, ge=1)

    @field_validator("word_ngrams", "char_ngrams")
    @classmethod
    def _ordered(cls, value: tuple[int, int]) -> tuple[int, int]:
        if not 1 <= value[0] <= value[1]:
            raise ValueError(f"expected [low, high] with 1 <= low <= high, got {list(value)}")
        return value


class PeftConfig(_Section):
    """Parameter-efficient fine-tuning through ``peft``: the adapter, its size and the modules it wraps.

    ``target_modules: auto`` picks the family's usual modules (attention projections for Llama, Gemma, Qwen2,
    Mistral, Phi; query/value for BERT-likes); a list of module-name suffixes overrides it.
    """

    method: Literal["none", "lora", "rslora", "dora", "ia3"] = "none"
    r: int = Field(16, ge=1, description="LoRA rank")
    alpha: int = Field(32, ge=1, description="LoRA scaling numerator (alpha / r, or alpha / sqrt(r) for rslora)")
    dropout: float = Field(0.05, ge=0, lt=1, description="dropout on the LoRA input")
    target_modules: Literal["auto"] | list[str] = "auto"


DEFAULT_PROMPT = (
    "Which emotions does the text express? Allowed labels: {labels}. "
    "Answer with a comma-separated list of labels, or none.\nText: {text}\nEmotions:"
)


class ModelConfig(_Section):
    """Which model to train: ``tfidf``, ``minilm`` (the bundled all-MiniLM-L6-v2), a hub id or a local folder.

    Encoders (BERT, RoBERTa, MiniLM, ...) and decoder LLMs (Llama, Gemma, Qwen2, Mistral, Phi) are both
    fine-tuned with a classification head; ``head: generate`` instead tunes a decoder to write the label list.
    The remaining keys shape pooling (encoders), the head, classifier-bias initialisation, freezing, layer-wise
    learning-rate decay, adapters (``peft``) and 4-bit loading (``quantization``, CUDA only).
    """

    name: str = "minilm"
    tfidf: TfidfConfig = TfidfConfig()
    max_length: int = Field(128, ge=8, description="tokens per text; longer texts are truncated")
    pooling: Literal["mean", "cls"] = Field("mean", description="encoders; decoders pool their last real token")
    head: Literal["linear", "mlp", "generate"] = "linear"
    head_hidden: int = Field(256, ge=1)
    head_layers: int = Field(1, ge=1)
    dropout: float = Field(0.1, ge=0, lt=1)
    bias_init: bool = Field(True, description="start the classifier bias at the label prevalence")
    freeze_embeddings: bool = False
    freeze_layers: int = Field(0, ge=0, description="freeze the first N encoder layers")
    layerwise_lr_decay: float = Field(1.0, gt=0, le=1, description="lr multiplier per layer, top to bottom")
    peft: PeftConfig = PeftConfig()
    quantization: Literal["none", "4bit"] = Field("none", description="4bit: QLoRA (NF4) on a CUDA GPU")
    gradient_checkpointing: bool = Field(False, description="recompute activations to save memory (slower)")
    prompt: str = Field(DEFAULT_PROMPT, description="head=generate: instruction with {labels} and {text}")
    max_new_tokens: int = Field(24, ge=1, description="head=generate: length of generated answers")

    @model_validator(mode="after")
    def _consistent(self) -> ModelConfig:
        if self.quantization == "4bit" and self.peft.method == "none":
            raise ValueError("4-bit weights cannot be fine-tuned directly; add an adapter: peft=lora")
        if self.head == "generate" and not ("{labels}" in self.prompt and "{text}" in self.prompt):
            raise ValueError("prompt must contain the placeholders {labels} and {text}")
        return self


class LossConfig(_Section):
    """A loss from the registry (``emotune.losses.LOSSES``) and its knobs. ``auto``: bce / ce by task."""

    name: str = "auto"
    pos_weight: Literal["none", "linear", "sqrt"] | list[float] = "none"
    class_weight: Literal["none", "balanced", "effective_number"] | list[float] = "none"
    gamma: float = Field(2.0, ge=0, description="focal loss focusing")
    alpha: float | Literal["class_weights", "balanced", "effective_number"] | list[float] | None = None
    gamma_pos: float = Field(0.0, ge=0, description="asymmetric loss focusing on positives")
    gamma_neg: float = Field(4.0, ge=0, description="asymmetric loss focusing on negatives")
    clip: float = Field(0.05, ge=0, lt=1, description="asymmetric loss probability margin")
    beta: float = Field(0.999, gt=0, lt=1, description="effective-number beta (class-balanced weights)")


class TrainConfig(_Section):
    """Settings of the training loop (``seed`` applies to every model kind, the rest to encoders)."""

    seed: int = 42
    epochs: float = Field(4, gt=0)
    lr: float = Field(5e-5, gt=0)
    batch_size: int = Field(32, ge=1)
    eval_batch_size: int = Field(128, ge=1)
    grad_accum: int = Field(1, ge=1)
    warmup_ratio: float = Field(0.1, ge=0, lt=1)
    scheduler: Literal["linear", "cosine", "constant_with_warmup"] = "linear"
    weight_decay: float = Field(0.01, ge=0)
    max_grad_norm: float = Field(1.0, gt=0)
    precision: Literal["auto", "fp32", "bf16", "fp16"] = "auto"
    group_by_length: bool = True
    early_stopping: int | None = Field(2, ge=1, description="stop after N epochs without dev improvement")
    select_metric: Literal["macro_f1", "micro_f1", "jaccard", "weighted_f1"] = "macro_f1"
    optimizer: Literal["adamw", "paged_adamw_8bit", "paged_adamw_32bit"] = Field(
        "adamw", description="paged_*: bitsandbytes' paged AdamW (CUDA), the usual QLoRA choice"
    )
    threads: int | None = Field(None, ge=1, description="torch threads; default: every core")
    resume: bool = False
    keep_checkpoints: bool = False
    loss: LossConfig = LossConfig()


class DialogueConfig(_Section):
    """Conversations: what is predicted for each turn, and how much of the dialogue the model sees.

    ``utterance``: the emotion of turn t. ``next_turn``: the emotion of turn t+1 from turns up to t (the
    last turn of a dialogue has no target and is dropped from training and scoring). The input is the
    current turn preceded by up to ``context`` earlier turns, oldest first, joined by ``separator``; when it
    is too long, tokens are cut from the oldest turn first, so the current turn always fits.
    """

    task: Literal["none", "utterance", "next_turn"] = "none"
    context: int = Field(0, ge=0, description="previous turns in the input; 0 = the current turn only")
    speakers: bool = Field(True, description="prefix each turn with its speaker ('A: ...')")
    separator: str = Field(" [SEP] ", description="between turns; BERT-style tokenizers read [SEP] as their token")


class SamplingConfig(_Section):
    """Rebalancing of the training rows (never of dev): majority downsampling and rare-label oversampling."""

    downsample: str | None = Field(None, description="a label name, or 'empty' for rows without a label")
    keep_ratio: float = Field(1.0, gt=0, le=1, description="share of the downsampled rows to keep")
    oversample_below: int = Field(0, ge=0, description="repeat rows of labels with fewer positives than this")


class ThresholdConfig(_Section):
    """How decision thresholds are chosen on validation probabilities (multilabel only)."""

    strategy: Literal["per_label", "global", "fixed"] = "per_label"
    objective: Literal["macro_f1", "micro_f1", "jaccard"] = "macro_f1"
    default: float = Field(0.5, gt=0, lt=1)


class SweepConfig(_Section):
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


class RunConfig(_Section):
    """Everything one ``emotune train`` run needs."""

    data: DataConfig = DataConfig()
    preprocess: PreprocessConfig = PreprocessConfig()
    model: ModelConfig = ModelConfig()
    train: TrainConfig = TrainConfig()
    sampling: SamplingConfig = SamplingConfig()
    thresholds: ThresholdConfig = ThresholdConfig()
    dialogue: DialogueConfig = DialogueConfig()
    sweep: SweepConfig = SweepConfig()

    @model_validator(mode="before")
    @classmethod
    def _dialogue_task(cls, values: Any) -> Any:
        """``task=utterance`` / ``task=next_turn`` (the short form) set ``dialogue.task``."""
        data = values.get("data") if isinstance(values, dict) else None
        if isinstance(data, dict) and data.get("task") in ("utterance", "next_turn"):
            values = {**values, "data": {**data, "task": "auto"}}
            values["dialogue"] = {**(values.get("dialogue") or {}), "task": data["task"]}
        return values

    def to_yaml(self) -> str:
        """The resolved config as YAML, loadable again with :func:`load_config`."""
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False)


# Short names from the command-line contract, e.g. ``model=minilm`` or ``seed=1``.
ALIASES: dict[str, str] = {
    "model": "model.name",
    "task": "data.task",
    "seed": "train.seed",
    "preset": "data.preset",
    "language": "preprocess.language",
    "epochs": "train.epochs",
    "lr": "train.lr",
    "batch_size": "train.batch_size",
    "max_length": "model.max_length",
    "loss": "train.loss.name",
    "resume": "train.resume",
    "peft": "model.peft.method",
    "quantization": "model.quantization",
    "head": "model.head",
    "trials": "sweep.trials",
}


def parse_overrides(overrides: Sequence[str]) -> tuple[dict[str, Any], list[str]]:
    """Turn ``["a.b=1", "model=tfidf"]`` into a nested dict; values are parsed as YAML scalars/lists."""
    tree: dict[str, Any] = {}
    problems: list[str] = []
    for item in overrides:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            problems.append(f"override {item!r}: expected key=value, e.g. model=tfidf")
            continue
        try:
            value = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError:
            value = raw
        _set_dotted(tree, ALIASES.get(key, key), value)
    return tree, problems


def _set_dotted(tree: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    node = tree
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[leaf] = value


def merge(base: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge ``update`` into a copy of ``base``."""
    merged = dict(base)
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping, with a one-line error naming the file."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(str(path), ["file not found; pass an existing YAML file with --config"])
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(str(path), [f"not valid YAML ({first})"]) from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ConfigError(str(path), ["expected a mapping of sections (data:, model:, ...) at the top level"])
    return loaded


def _describe(error: Mapping[str, Any]) -> str:
    loc = ".".join(str(part) for part in error["loc"]) or "config"
    if error["type"] == "extra_forbidden":
        return f"{loc}: unknown key (check the spelling; `emotune config validate` lists the sections)"
    got = error.get("input")
    shown = "" if isinstance(got, dict) else f" (got {got!r})"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{loc}: {message}{shown}"


def build_config(values: Mapping[str, Any], source: str = "config") -> RunConfig:
    """Validate a nested mapping into a :class:`RunConfig`, reporting every problem at once."""
    try:
        return RunConfig.model_validate(dict(values))
    except ValidationError as exc:
        raise ConfigError(source, [_describe(e) for e in exc.errors()]) from None


def with_values(cfg: RunConfig, values: Mapping[str, Any], source: str = "config") -> RunConfig:
    """``cfg`` with dotted keys (or :data:`ALIASES`) set to ``values``, validated again.

    >>> with_values(RunConfig(), {"lr": 1e-4, "model.dropout": 0.2}).train.lr
    0.0001
    """
    tree: dict[str, Any] = {}
    for key, value in values.items():
        _set_dotted(tree, ALIASES.get(key, key), value)
    return build_config(merge(cfg.model_dump(mode="json"), tree), source)


def data_overrides(overrides: Sequence[str], command: str) -> dict[str, Any]:
    """``data.*`` overrides of commands that read a file with a bundle's settings (evaluate, predict), as a
    mapping of dotted keys to values for :func:`with_values`."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip().startswith("data."):
            problems.append(f"{item[:60]!r}: {command} takes only data.* overrides (how to read the file), "
                            "e.g. data.id_column=id")  # fmt: skip
            continue
        values[key.strip()] = yaml.safe_load(raw) if raw.strip() else ""
    if problems:
        raise ConfigError("command line", problems)
    return values


def load_config(
    path: str | Path | None,
    overrides: Sequence[str] = (),
    flags: Mapping[str, Any] | None = None,
) -> RunConfig:
    """Load a :class:`RunConfig` from YAML, command-line flags and ``key=value`` overrides.

    Args:
        path: YAML file or ``None`` for the defaults.
        overrides: ``key=value`` strings; dotted keys reach into sections (``thresholds.objective=jaccard``)
            and the short names in :data:`ALIASES` are accepted.
        flags: nested values from dedicated command-line options (``--preset`` and friends).

    Raises:
        ConfigError: listing every unknown key and bad value.
    """
    values: dict[str, Any] = read_yaml(path) if path else {}
    source = str(path) if path else "command line"
    tree, problems = parse_overrides(overrides)
    values = merge(merge(values, flags or {}), tree)
    try:
        cfg = build_config(values, source)
    except ConfigError as exc:
        raise ConfigError(source, problems + exc.problems) from None
    if problems:
        raise ConfigError(source, problems)
    return cfg
