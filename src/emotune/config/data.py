"""Config sections about the data: where it is and which columns hold what, text preprocessing, dialogue
context and training-row rebalancing."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from emotune.config.base import Section, Task


class ColumnSpec(Section):
    """Which columns of a table hold what: the text, the labels in one of four layouts (see
    :mod:`emotune.data.dataset`), ids, dialogue structure and the neutral label. :class:`DataConfig` embeds it
    (``data.text_column=...``); presets build their own."""

    text_column: str = "text"
    label_columns: list[str] | None = None
    label_column: str | None = None
    label_format: Literal["auto", "names", "ids"] = "auto"
    label_delimiter: str = ","
    label_names: list[str] | None = None
    task: Task = "auto"
    id_column: str | None = None
    group_column: str | None = Field(None, description="dialogue id column; splits never separate a group")
    turn_column: str | None = Field(None, description="dialogues preset: turn index column (default: row order)")
    speaker_column: str | None = Field(None, description="dialogues preset: speaker column")
    neutral_label: str | None = None

    @model_validator(mode="after")
    def _one_label_layout(self) -> ColumnSpec:
        if self.label_columns and self.label_column:
            raise ValueError("set label_columns (one 0/1 column per label) or label_column, not both")
        for key in ("label_columns", "label_names"):
            values = getattr(self, key) or []
            if repeated := sorted({v for v in values if values.count(v) > 1}):
                raise ValueError(f"{key} repeats {', '.join(map(repr, repeated))}; name each label once")
        return self


class SourceConfig(Section):
    """One more training source (``data.sources``), mapped onto the run's labels.

    ``label_map`` (or a YAML file of it): target label -> the source labels that mean it; the key ``drop`` lists
    source labels left out on purpose. A target label the map does not name is not annotated by this source:
    ``unmapped: mask`` (default) leaves it out of the loss for these rows, ``negative`` treats it as absent.
    ``options``: ``data.*`` keys for reading the source (columns of a ``generic`` file, ...).
    """

    name: str | None = Field(None, description="provenance name in logs and metrics; default: the preset")
    preset: str = "generic"
    data_dir: str | None = None
    train: str | None = None
    dev: str | None = Field(None, description="the source's own dev file: scored with the run's model")
    options: dict[str, Any] = Field(default_factory=dict)
    label_map: dict[str, list[str] | str] | str = Field(
        default_factory=dict, description="target label -> source labels (or a YAML file of that)"
    )
    unmapped: Literal["mask", "negative"] = "mask"

    @property
    def label(self) -> str:
        return self.name or self.preset


class DataConfig(ColumnSpec):
    """Where the data is and how to read it (the :class:`ColumnSpec` keys, for the ``generic`` and
    ``dialogues`` presets). A preset fills in what it knows about its dataset. ``sources`` add training rows
    from other datasets, mapped onto this one's labels (see :mod:`emotune.data.combine`)."""

    preset: str = "generic"
    data_dir: str | None = None
    train: str | None = None
    dev: str | None = None
    dev_size: float = Field(0.1, gt=0, lt=1, description="dev fraction split off train when no dev file")
    format: Literal["auto", "csv", "tsv", "jsonl", "parquet", "hf"] = "auto"
    label_names_file: str | None = None
    sources: list[SourceConfig] = Field(default_factory=list, description="more training data, label-mapped")
    check_against: list[str] = Field(
        default_factory=list, description="files (e.g. the test set) whose texts are removed from the sources"
    )


class PreprocessConfig(Section):
    """Social-media text normalisation, saved with the model and re-applied at prediction time."""

    enabled: bool = True
    language: str = Field("auto", description="emoji names' language; auto: the preset's (cedr: ru), else en")
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

        if self.enabled and self.emoji == "words" and self.language not in (*emoji_lib.LANGUAGES, "auto"):
            known = ", ".join(sorted(emoji_lib.LANGUAGES))
            raise ValueError(
                f"emoji names are not available in language {self.language!r} (known: {known}); "
                "set preprocess.emoji=keep"
            )
        return self


class DialogueConfig(Section):
    """Conversations: what is predicted for each turn, and how much of the dialogue the model sees.

    ``utterance``: the emotion of turn t. ``next_turn``: the emotion of turn t+1 from turns up to t (the
    last turn of a dialogue has no target and is dropped from training and scoring). The input is the
    current turn preceded by up to ``context`` earlier turns, oldest first, joined by ``separator``; when it
    is too long, tokens are cut from the oldest turn first, so the current turn always fits.
    """

    task: Literal["none", "utterance", "next_turn"] = "none"
    context: Annotated[int, Field(ge=0)] | Literal["auto"] = Field(
        "auto",
        description="previous turns in the input; 0 = the current turn only; auto: 2 for next_turn (forecasting "
        "gains from the last turns), 0 otherwise (context did not help recognition)",
    )
    speakers: bool = Field(True, description="prefix each turn with its speaker ('A: ...')")
    separator: str = Field(" [SEP] ", description="between turns; BERT-style tokenizers read [SEP] as their token")

    @property
    def context_turns(self) -> int:
        """``context`` with ``auto`` settled by the task (BENCHMARKS.md, "Effect of K with MiniLM on all of
        train"): forecasting gains most from 2 earlier turns, recognition gains nothing from any."""
        if self.context == "auto":
            return 2 if self.task == "next_turn" else 0
        return self.context


class SamplingConfig(Section):
    """Rebalancing of the training rows (never of dev): majority downsampling and rare-label oversampling."""

    downsample: str | None = Field(None, description="a label name, or 'empty' for rows without a label")
    keep_ratio: float = Field(1.0, gt=0, le=1, description="share of the downsampled rows to keep")
    oversample_below: int = Field(0, ge=0, description="repeat rows of labels with fewer positives than this")
