"""The preset registry: a :class:`Preset` knows one dataset's file layout, label names and quirks.

Built-in presets are one module each in this package; a third-party package adds its own through the entry
point group ``emotune.presets`` (each entry point names a :class:`Preset`), e.g. in its ``pyproject.toml``::

    [project.entry-points."emotune.presets"]
    my-corpus = "my_package.emotune_preset:PRESET"
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from emotune.config import DataConfig, RunConfig
from emotune.config.train import Decision
from emotune.data.dataset import EmotionDataset
from emotune.data.readers import read_text
from emotune.errors import DataError

log = logging.getLogger("emotune")

Loader = Callable[[Path, DataConfig, bool], EmotionDataset]
ENTRY_POINT_GROUP = "emotune.presets"
DEFAULT_EPOCHS = 5  # the SemEval E-c recipe, with early stopping


@dataclass(frozen=True)
class Preset:
    """How to find and read one dataset.

    Attributes:
        name: the ``--preset`` value.
        description: one line for ``emotune data presets``.
        load: ``(path, data_config, strict) -> EmotionDataset``.
        train_files, dev_files: glob patterns tried inside ``--data-dir``.
        example: a tiny data folder in this preset's layout (file name -> content): documentation for users
            (``emotune data presets --example NAME``) and the fixture every preset is tested on.
        language: the texts' language (ISO 639-1): what ``preprocess.language: auto`` becomes.
        decision: what ``thresholds.decision: auto`` becomes: the single-label decision rule the dataset's
            usual score asks for (DailyDialog: offsets fitted for micro-F1 without ``no emotion``).
        epochs: what ``train.epochs: auto`` becomes: the number of epochs that benchmarks best on the dataset
            (fewer on large ones: GoEmotions' 43,000 texts, DailyDialog's 87,000 utterances).
    """

    name: str
    description: str
    load: Loader
    train_files: tuple[str, ...] = ("train.*",)
    dev_files: tuple[str, ...] = ("dev.*", "validation.*", "val.*")
    example: dict[str, str] = field(default_factory=dict)
    language: str = "en"
    decision: Decision = "argmax"
    epochs: float = DEFAULT_EPOCHS


PRESETS: dict[str, Preset] = {}


def register(preset: Preset) -> Preset:
    PRESETS[preset.name] = preset
    return preset


def load_plugins() -> None:
    """Register the presets of installed packages (entry point group ``emotune.presets``); a broken one is
    logged and skipped, so that it cannot stop emotune."""
    from importlib.metadata import entry_points

    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            preset = entry.load()
        except Exception as exc:
            log.warning("preset plugin %s (%s) failed to load: %s", entry.name, entry.value, exc)
            continue
        if not isinstance(preset, Preset):
            log.warning("preset plugin %s (%s) is not an emotune Preset; skipped", entry.name, entry.value)
            continue
        if preset.name in PRESETS:
            log.warning("preset plugin %s: a preset named %r exists already; skipped", entry.value, preset.name)
            continue
        register(preset)


def settle_autos(cfg: RunConfig) -> RunConfig:
    """``cfg`` (changed in place) with the ``auto`` settings that need no data settled. The preset decides the
    texts' language (``preprocess.language``), the single-label decision (``thresholds.decision``) and the
    number of epochs (``train.epochs``); an unknown preset gives ``en``, ``argmax`` and 5. The dialogue task
    decides the turns of context (``dialogue.context``): 2 to forecast the next turn, else 0.

    >>> settle_autos(RunConfig.model_validate({"data": {"preset": "dailydialog"}})).thresholds.decision
    'micro_f1_without_neutral'
    """
    preset = PRESETS.get(cfg.data.preset)
    if cfg.preprocess.language == "auto":
        cfg.preprocess.language = preset.language if preset else "en"
    if cfg.thresholds.decision == "auto":
        cfg.thresholds.decision = preset.decision if preset else "argmax"
    if cfg.train.epochs == "auto":
        cfg.train.epochs = preset.epochs if preset else DEFAULT_EPOCHS
    cfg.dialogue.context = cfg.dialogue.context_turns
    return cfg


def get_preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise DataError(f"unknown preset {name!r}; known presets: {', '.join(sorted(PRESETS))}") from None


def find_split_file(preset: Preset, data_dir: str | Path, split: str) -> Path | None:
    """The file (or folder) for ``split`` (``train`` / ``dev``) inside ``data_dir``; ``None`` if no dev."""
    folder = Path(data_dir)
    if folder.is_file():
        raise DataError(f"{folder}: is a file; --data-dir takes the folder holding the preset's files (for one "
                        "file: --train FILE --dev FILE)")  # fmt: skip
    if not folder.is_dir():
        raise DataError(f"{folder}: data folder not found; pass --data-dir DIR or --train FILE --dev FILE")
    patterns = preset.train_files if split == "train" else preset.dev_files
    for pattern in patterns:
        found = sorted(p for p in folder.glob(pattern) if not p.name.startswith("."))
        if len(found) > 1:
            names = ", ".join(p.name for p in found)
            raise DataError(f"{folder}: several {split} files match {pattern!r} ({names}); pass --{split} FILE")
        if found:
            return found[0]
    if split == "dev":
        return None
    raise DataError(
        f"{folder}: no {split} file for preset {preset.name!r} (looked for {', '.join(patterns)}); pass --{split} FILE"
    )


def read_label_names(path: str | Path) -> list[str]:
    """Label names, one per line."""
    names = [line.strip() for line in read_text(path).splitlines() if line.strip()]
    if not names:
        raise DataError(f"{path}: label-names file is empty; write one label name per line")
    return names


def load_file(preset_name: str, path: str | Path, cfg: DataConfig, *, strict: bool = True) -> EmotionDataset:
    """Read one file (or split folder) with a preset; duplicates are logged, bad rows raise."""
    dataset = get_preset(preset_name).load(Path(path), cfg, strict)
    if len(dataset) == 0:
        raise DataError(f"{path}: no usable rows; check the file and the --preset")
    return dataset
