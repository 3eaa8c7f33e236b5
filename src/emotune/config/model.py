"""Config sections about the model: its name, TF-IDF settings, head, freezing, adapters and quantisation."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from emotune.config.base import Section


class TfidfConfig(Section):
    """TF-IDF word + character n-grams into a balanced logistic regression."""

    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    min_df: int = Field(2, ge=1)
    max_features: int | None = Field(200_000, ge=1)
    C: float = Field(4.0, gt=0)
    class_weight: Literal["balanced", "none"] = "balanced"
    max_iter: int = Field(1000, ge=1)
    solver: Literal["auto", "liblinear", "lbfgs", "saga", "sgd"] = Field(
        "auto",
        description="logistic regression solver; sgd: stochastic gradient descent on the same objective "
        "(alpha = 1 / (C * rows)), much faster on large data; auto: liblinear (multilabel), lbfgs (multiclass)",
    )

    @field_validator("word_ngrams", "char_ngrams")
    @classmethod
    def _ordered(cls, value: tuple[int, int]) -> tuple[int, int]:
        if not 1 <= value[0] <= value[1]:
            raise ValueError(f"expected [low, high] with 1 <= low <= high, got {list(value)}")
        return value


class PeftConfig(Section):
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


class ModelConfig(Section):
    """Which model to train: ``tfidf``, ``minilm`` (the bundled all-MiniLM-L6-v2), a hub id or a local folder.

    Encoders (BERT, RoBERTa, MiniLM, ...) and decoder LLMs (Llama, Gemma, Qwen2, Mistral, Phi) are both
    fine-tuned with a classification head; ``head: generate`` instead tunes a decoder to write the label list.
    The remaining keys shape pooling (encoders), the head, classifier-bias initialisation, freezing, layer-wise
    learning-rate decay, adapters (``peft``) and 4-bit loading (``quantization``, CUDA only).
    """

    name: str = "minilm"
    tfidf: TfidfConfig = TfidfConfig()
    max_length: int | Literal["auto"] = Field(
        "auto",
        description="tokens per text, longer ones are cut; auto: the 99th percentile of the training "
        "texts' token counts (a multiple of 8, at most 512), fixed when training starts",
    )
    pooling: Literal["mean", "cls"] = Field("mean", description="encoders; decoders pool their last real token")
    head: Literal["linear", "mlp", "generate"] = "linear"
    label_aware: bool = Field(
        False,
        description="encoders: put the label names before the text and score each label at its name's tokens "
        "(SpanEmo); pooling is then unused",
    )
    head_hidden: int = Field(256, ge=1)
    head_layers: int = Field(1, ge=1)
    dropout: float = Field(0.1, ge=0, lt=1)
    bias_init: bool = Field(True, description="start the classifier bias at the label prevalence")
    layers: int | None = Field(
        None,
        ge=1,
        description="encoders: keep this many transformer layers, evenly spaced, top one included "
        "(model.layers=3 of MiniLM's 6 keeps every other layer): a smaller, faster model, e.g. a distilled student",
    )
    freeze_embeddings: bool = False
    freeze_layers: int = Field(0, ge=0, description="freeze the first N encoder layers")
    reinit_layers: int = Field(0, ge=0, description="re-initialise the top N transformer layers before fine-tuning")
    layerwise_lr_decay: float = Field(1.0, gt=0, le=1, description="lr multiplier per layer, top to bottom")
    peft: PeftConfig = PeftConfig()
    quantization: Literal["none", "4bit"] = Field("none", description="4bit: QLoRA (NF4) on a CUDA GPU")
    gradient_checkpointing: bool = Field(False, description="recompute activations to save memory (slower)")
    prompt: str = Field(DEFAULT_PROMPT, description="head=generate: instruction with {labels} and {text}")
    max_new_tokens: int = Field(24, ge=1, description="head=generate: length of generated answers")

    @model_validator(mode="after")
    def _consistent(self) -> ModelConfig:
        if isinstance(self.max_length, int) and self.max_length < 8:
            raise ValueError(f"max_length must be at least 8 tokens or auto, got {self.max_length}")
        if self.quantization == "4bit" and self.peft.method == "none":
            raise ValueError("4-bit weights cannot be fine-tuned directly; add an adapter: peft=lora")
        if self.head == "generate" and not ("{labels}" in self.prompt and "{text}" in self.prompt):
            raise ValueError("prompt must contain the placeholders {labels} and {text}")
        return self
