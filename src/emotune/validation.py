"""``validate(config) -> list[Problem]``: every name and combination checked before any data is read.

The typed config (:mod:`emotune.config`) already refuses unknown keys and bad values; this module checks what
needs the registries and the machine: preset, loss, metric and model names, combinations that cannot work
(an adapter on TF-IDF, 4-bit weights on an encoder) and the extras or hardware a setting needs. All problems
are reported at once, each as ``where: what; fix``.

>>> from emotune.config import load_config
>>> [str(p) for p in validate(load_config(None, ["loss=focall"]))]
["train.loss.name: unknown loss 'focall'; did you mean 'focal'? use one of asl, bce, ce, class_balanced, focal"]
"""

from __future__ import annotations

import difflib
import importlib.util
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from emotune.config import RunConfig
from emotune.errors import ConfigError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a config: where (a dotted key), what, and how to fix it."""

    where: str
    what: str
    fix: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}; {self.fix}"


def _unknown(where: str, kind: str, name: str, known: Iterable[str], fix_extra: str = "") -> Problem:
    known = sorted(known)
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""  # first: a long list may be cut
    return Problem(where, f"unknown {kind} {name!r}", f"{hint}use one of {', '.join(known)}{fix_extra}")


def _looks_like_path(name: str) -> bool:
    """A folder path rather than a hub id (``org/name``, or a bare legacy name)."""
    return name.startswith(("/", ".", "~")) or name.count("/") > 1 or "\\" in name


def _model_problems(cfg: RunConfig) -> list[Problem]:
    from emotune.models.base import KIND_MODULES
    from emotune.models.families import MODEL_ALIASES

    model, problems = cfg.model, []
    name = model.name
    if name == "ensemble":
        problems.append(Problem("model.name", "an ensemble is not trained directly",
                                "make one with `emotune cv` or `emotune blend`"))  # fmt: skip
    elif name in KIND_MODULES:  # tfidf
        for key, short, value in (("model.peft.method", "peft", model.peft.method),
                                  ("model.quantization", "quantization", model.quantization)):  # fmt: skip
            if value != "none":
                fix = f"drop {short}={value} or pick a transformer model"
                problems.append(Problem(key, f"{value} applies to transformer models, not model={name}", fix))
        if model.head == "generate":
            problems.append(Problem("model.head", f"generate needs a decoder LLM, not model={name}",
                                    "use head=linear or a decoder model"))  # fmt: skip
    elif name not in MODEL_ALIASES and not Path(name).expanduser().is_dir():
        if _looks_like_path(name) or Path(name).expanduser().exists():
            problems.append(Problem("model.name", f"{name} is not a model folder",
                                    "pass a folder holding config.json (or minilm, tfidf, a hub id)"))  # fmt: skip
        elif "/" not in name and (close := difflib.get_close_matches(name, [*MODEL_ALIASES, *KIND_MODULES], n=1)):
            problems.append(Problem("model.name", f"unknown model {name!r}", f"did you mean {close[0]!r}?"))
    return problems


def validate(cfg: RunConfig, runtime: bool = True) -> list[Problem]:
    """Every problem of ``cfg`` that can be found without reading data (see the module doc); ``runtime=False``
    leaves out what only this machine lacks (a GPU, an extra), for configs written to run elsewhere."""
    from emotune.data.presets import PRESETS
    from emotune.evaluation.metrics import METRICS
    from emotune.losses import LOSSES

    problems: list[Problem] = []
    if cfg.data.preset not in PRESETS:
        problems.append(_unknown("data.preset", "preset", cfg.data.preset, PRESETS, " (`emotune data presets`)"))
    loss = cfg.train.loss.name
    if loss != "auto" and loss not in LOSSES:
        problems.append(_unknown("train.loss.name", "loss", loss, LOSSES))
    if cfg.sweep.metric not in METRICS:
        problems.append(_unknown("sweep.metric", "metric", cfg.sweep.metric, METRICS))
    problems += _model_problems(cfg)
    return problems + (runtime_problems(cfg) if runtime else [])


def runtime_problems(cfg: RunConfig) -> list[Problem]:
    """What ``cfg`` needs that this machine lacks: an extra, a CUDA GPU."""
    model, problems = cfg.model, []
    if model.peft.method != "none" and importlib.util.find_spec("peft") is None:
        problems.append(Problem("model.peft.method", f"{model.peft.method} needs peft", "pip install 'emotune[llm]'"))
    needs_bnb = model.quantization == "4bit" or cfg.train.optimizer.startswith("paged_")
    if needs_bnb and importlib.util.find_spec("bitsandbytes") is None:
        where = "model.quantization" if model.quantization == "4bit" else "train.optimizer"
        problems.append(Problem(where, "needs bitsandbytes (CUDA)", "pip install 'emotune[qlora]' on a GPU machine"))
    if model.quantization == "4bit":
        import torch

        if not torch.cuda.is_available():
            fix = "drop quantization=4bit to train the adapter on full-precision weights"
            problems.append(
                Problem("model.quantization", "4bit (QLoRA) needs a CUDA GPU and none is visible here", fix)
            )
    return problems


def check(cfg: RunConfig, source: str = "config", runtime: bool = True) -> None:
    """Raise one :class:`ConfigError` listing every problem :func:`validate` finds."""
    problems = validate(cfg, runtime)
    if problems:
        raise ConfigError(source, [str(p) for p in problems])
