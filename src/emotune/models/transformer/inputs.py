"""How texts become token ids: plain, or label-aware (SpanEmo-style).

Label-aware inputs (``model.label_aware: true``, after Alhuzali & Ananiadou 2021, "SpanEmo") put the label
names in front of every text as a first segment, ``[CLS] anger anticipation ... trust [SEP] text [SEP]``, and
the classifier scores each label from the encoder's states at its own name's tokens
(:class:`~.pooling.LabelAwareClassifier`). The names come from the label schema (underscores read as spaces),
so a user's own labels work; only the text is ever truncated, so long label sets keep every name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from emotune.errors import SettingError

MIN_TEXT_TOKENS = 8  # a label-aware max_length leaves at least this many tokens for the text


def label_prefix(labels: Sequence[str]) -> str:
    """The first segment of a label-aware input: the label names in id order.

    >>> label_prefix(["anger", "no_emotion"])
    'anger no emotion'
    """
    return " ".join(_spoken(name) for name in labels)


def _spoken(label: str) -> str:
    return label.replace("_", " ")


def label_spans(tokenizer: Any, labels: Sequence[str]) -> list[list[int]]:
    """For each label, the positions of its name's tokens in a label-aware input (the same in every row,
    since the names come first). Needs a fast tokenizer (character offsets)."""
    prefix = label_prefix(labels)
    encoding = tokenizer(prefix, "x")
    if not getattr(encoding, "is_fast", False):
        raise SettingError("model.label_aware", "needs a fast tokenizer (tokenizer.json) to locate the label "
                                                "names' tokens; save the model's tokenizer with one")  # fmt: skip
    spans, start = [], 0
    for label in labels:
        name = _spoken(label)
        chars = range(start, start + len(name))
        tokens = {encoding.char_to_token(c, sequence_index=0) for c in chars} - {None}
        if not tokens:
            raise SettingError("model.label_aware", f"the tokenizer has no token for label {label!r}")
        spans.append(sorted(tokens))
        start += len(name) + 1
    return spans


def span_index(spans: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Spans as a padded position matrix ``(n_labels, longest)`` and averaging weights of the same shape.

    >>> index, weights = span_index([[1], [2, 3]])
    >>> index.tolist(), weights.tolist()
    ([[1, 1], [2, 3]], [[1.0, 0.0], [0.5, 0.5]])
    """
    width = max(len(s) for s in spans)
    index = np.array([s + [s[0]] * (width - len(s)) for s in spans], dtype=np.int64)
    weights = np.array([[1 / len(s)] * len(s) + [0.0] * (width - len(s)) for s in spans], dtype=np.float32)
    return index, weights


@dataclass
class TextInputs:
    """Tokenizes texts for one model: ``inputs(texts, padding=True, return_tensors="pt")``.

    With a ``prefix`` (label-aware) every text becomes the second segment after the label names and only it
    is truncated; ``max_length`` counts both segments.
    """

    tokenizer: Any
    max_length: int
    prefix: str | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __call__(self, texts: Sequence[str], **extra: Any) -> Any:
        options = {"max_length": self.max_length, **self.kwargs, **extra}
        if self.prefix is None:
            return self.tokenizer(list(texts), truncation=True, **options)
        return self.tokenizer([self.prefix] * len(texts), list(texts), truncation="only_second", **options)

    @property
    def prefix_tokens(self) -> int:
        """Tokens the label names (with the special tokens) take in every input; 0 without a prefix."""
        return len(self.tokenizer(self.prefix, "")["input_ids"]) if self.prefix is not None else 0

    def check_room(self) -> None:
        """Label-aware: ``max_length`` must leave room for some text after the label names."""
        if self.prefix is None:
            return
        taken = self.prefix_tokens
        need = taken + MIN_TEXT_TOKENS
        if self.max_length < need:
            names = f"label-aware inputs take {taken} tokens for the label names"
            raise SettingError("model.max_length", f"{names}; set max_length to at least {need} or auto")


AUTO_LENGTH_CAP = 512


def auto_max_length(inputs: TextInputs, texts: Sequence[str], cap: int = AUTO_LENGTH_CAP) -> int:
    """The 99th percentile of the token counts of ``texts`` (label names included when label-aware), rounded
    up to a multiple of 8, between 16 and ``cap`` (and the model's own limit)."""
    limit = min(cap, int(getattr(inputs.tokenizer, "model_max_length", cap) or cap))
    probe = TextInputs(inputs.tokenizer, limit, inputs.prefix, inputs.kwargs)
    ids = probe(list(texts))["input_ids"] if texts else [[]]
    p99 = float(np.percentile([len(i) for i in ids], 99))
    return int(min(limit, max(16, inputs.prefix_tokens + MIN_TEXT_TOKENS, 8 * np.ceil(p99 / 8))))
