"""Config list ``augment``: augmentation steps applied to the training rows (never dev) before fitting."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from emotune.config.base import Section


class AugmentStep(Section):
    """One augmentation step (``augment: [{name: swap, p: 0.1}, ...]``; names: ``emotune data augment --help``).

    Each targeted row (``target``: ``rare`` = rows with a label among the third of labels with the fewest
    positive rows, ``all``, or a list of label names) gets ``copies`` new rows, at most ``max_ratio`` times
    the training rows in all; labels are kept (``mix``: OR-ed). Deterministic with ``train.seed``.
    """

    name: str
    p: float = Field(0.1, ge=0, le=1, description="share of words an operation touches (EDA's alpha)")
    target: Literal["rare", "all"] | list[str] = "rare"
    copies: int = Field(1, ge=1, description="new rows per targeted row")
    max_ratio: float = Field(0.5, gt=0, description="at most this many new rows per training row")
    source: Literal["wordnet", "embeddings"] = Field(
        "embeddings", description="synonym: WordNet (nltk) or nearest neighbours in the encoder's embeddings"
    )
    model: str | None = Field(None, description="synonym: the encoder (default: the run's model or minilm)")
    via: list[str] = Field(
        default_factory=list, description="backtranslate: two seq2seq models, there and back (folders or hub ids)"
    )
