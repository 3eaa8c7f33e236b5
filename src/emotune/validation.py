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
from collections.abc import Iterable
from pathlib import Path

from emotune.config import RunConfig
from emotune.errors import ConfigError, Problem, SettingError
from emotune.models.base import KIND_MODULES, get_kind, kind_of
from emotune.models.transformer.kinds import runtime_problems as transformer_runtime


def _unknown(where: str, kind: str, name: str, known: Iterable[str], fix_extra: str = "") -> Problem:
    known = sorted(known)
    close = difflib.get_close_matches(name, known, n=1)
    listing = f"use one of {', '.join(known)}"
    if close:  # the suggestion first; a long list is left to fix_extra's command, so that the line stays short
        listing = f"did you mean {close[0]!r}?" + (f" {listing}" if len(known) <= 8 else "")
    return Problem(where, f"unknown {kind} {name!r}", f"{listing}{fix_extra}")


def _looks_like_path(name: str) -> bool:
    """A folder path rather than a hub id (``org/name``, or a bare legacy name)."""
    return name.startswith(("/", ".", "~")) or name.count("/") > 1 or "\\" in name


def _kind(cfg: RunConfig) -> tuple[str | None, list[Problem]]:
    """The model kind of ``cfg`` when it is known without the hub, and the problems of the name itself."""
    from emotune.models.catalogue import CATALOGUE

    name = cfg.model.name
    if name in KIND_MODULES:
        return name, []
    if name in CATALOGUE or Path(name).expanduser().is_dir():
        try:
            return kind_of(cfg.model), []
        except SettingError as exc:
            return None, [Problem(exc.source, exc.what, "use head=linear, or a decoder LLM")]
    if _looks_like_path(name) or Path(name).expanduser().exists():
        fix = "pass a folder holding config.json (or minilm, tfidf, a hub id)"
        return None, [Problem("model.name", f"{name} is not a model folder", fix)]
    if "/" not in name and (close := difflib.get_close_matches(name, [*CATALOGUE, *KIND_MODULES], n=1)):
        return None, [Problem("model.name", f"unknown model {name!r}", f"did you mean {close[0]!r}?")]
    return None, []  # a hub id: checked when it is loaded


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
    kind, name_problems = _kind(cfg)
    problems += name_problems
    if kind is not None:
        problems += get_kind(kind).problems(cfg)
    if runtime:  # a hub id not seen yet is some transformer kind
        problems += get_kind(kind).runtime(cfg) if kind is not None else transformer_runtime(cfg)
        problems += _catalogue_runtime(cfg.model.name)
    return problems


def _catalogue_runtime(name: str) -> list[Problem]:
    """A catalogue model whose packages this machine lacks: the one command that installs them."""
    from emotune.models.catalogue import CATALOGUE
    from emotune.models.catalogue.materialise import is_materialised, missing_packages

    entry = CATALOGUE.get(name)
    if entry is None or (entry.locate is None and is_materialised(entry)):
        return []
    missing = ", ".join(missing_packages(entry))
    return [Problem("model.name", f"{name} needs {missing}, not installed", entry.install)] if missing else []


def check(cfg: RunConfig, source: str = "config", runtime: bool = True) -> None:
    """Raise one :class:`ConfigError` listing every problem :func:`validate` finds."""
    problems = validate(cfg, runtime)
    if problems:
        raise ConfigError(source, [str(p) for p in problems])
