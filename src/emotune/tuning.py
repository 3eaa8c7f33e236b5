"""Hyperparameter search spaces for ``emotune sweep`` (the pruning callback is in ``training/trainer.py``).

A space is a YAML mapping from model kind (``tfidf``, ``encoder``, ``decoder``, ``generative``, or ``all``
for every kind) to config keys (dotted, or the short names of ``emotune train``) and their distributions::

    all:
      model: {type: categorical, choices: [tfidf, minilm]}      # sampled first ...
    encoder:                                                     # ... then the chosen kind's keys
      lr: {type: float, low: 1.0e-5, high: 3.0e-4, log: true}
      batch_size: {type: categorical, choices: [16, 32]}
    tfidf:
      model.tfidf.C: {type: float, low: 0.1, high: 30, log: true}

Each kind has a built-in space (``ModelKind.space``, see :func:`default_space`) used when no file is given.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from emotune.config import RunConfig, read_yaml, with_values
from emotune.errors import ConfigError
from emotune.models.base import KIND_MODULES, get_kind, kind_of

if TYPE_CHECKING:
    import optuna

Scalar = bool | int | float | str | None


class Param(BaseModel):
    """One distribution: ``float`` / ``int`` between ``low`` and ``high`` (``log``, ``step``), or ``categorical``."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["float", "int", "categorical"]
    low: float | None = None
    high: float | None = None
    log: bool = False
    step: float | None = None
    choices: list[Scalar] | None = None

    @model_validator(mode="after")
    def _complete(self) -> Param:
        if self.type == "categorical":
            if not self.choices:
                raise ValueError("categorical needs a non-empty list of choices")
        elif self.low is None or self.high is None or not self.low < self.high:
            raise ValueError(f"{self.type} needs low < high (got low={self.low}, high={self.high})")
        elif self.log and (self.low <= 0 or self.step is not None):
            raise ValueError("log needs low > 0 and no step")
        return self

    def suggest(self, trial: optuna.Trial | optuna.trial.FixedTrial, name: str) -> Scalar:
        if self.type == "categorical":
            assert self.choices is not None
            return trial.suggest_categorical(name, self.choices)
        assert self.low is not None and self.high is not None
        if self.type == "int":
            return trial.suggest_int(name, int(self.low), int(self.high), step=int(self.step or 1), log=self.log)
        return trial.suggest_float(name, self.low, self.high, step=self.step, log=self.log)


Space = dict[str, dict[str, Param]]
SECTIONS = ("all", *KIND_MODULES)


def _space(raw: dict[str, dict[str, dict[str, Any]]]) -> Space:
    return {kind: {key: Param.model_validate(spec) for key, spec in keys.items()} for kind, keys in raw.items()}


def default_space() -> Space:
    """The built-in space: each registered kind's own (``ModelKind.space``)."""
    spaces = {name: get_kind(name).space for name in KIND_MODULES}
    return _space({name: space for name, space in spaces.items() if space})


def load_space(path: str | Path | None) -> Space:
    """The space in the YAML file ``path``, checked, or the built-in spaces when ``path`` is None."""
    if path is None:
        return default_space()
    raw = read_yaml(path)
    problems = [f"{kind}: unknown section; use one of {', '.join(SECTIONS)}" for kind in raw if kind not in SECTIONS]
    problems += [f"{kind}: expected a mapping of config keys to distributions" for kind, keys in raw.items()
                 if not isinstance(keys, dict)]  # fmt: skip
    if problems:
        raise ConfigError(str(path), problems)
    space: Space = {}
    for kind, keys in raw.items():
        space[kind] = {}
        for key, spec in keys.items():
            try:
                space[kind][key] = Param.model_validate(spec)
            except ValidationError as exc:
                reason = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
                problems.append(f"{kind}.{key}: {reason}")
    if problems:
        raise ConfigError(str(path), problems)
    return space


def sample_config(base: RunConfig, space: Space, trial: optuna.Trial, source: str) -> RunConfig:
    """``base`` with the ``all`` keys of ``space`` drawn, then the keys of the resulting model kind."""
    values: dict[str, Any] = {key: param.suggest(trial, key) for key, param in space.get("all", {}).items()}
    cfg = with_values(base, values, source)
    kind = kind_of(cfg.model)
    values |= {key: param.suggest(trial, key) for key, param in space.get(kind, {}).items()}
    trial.set_user_attr("kind", kind)
    return with_values(base, values, source)


def check_space(base: RunConfig, space: Space, source: str) -> None:
    """Fail before the first trial when a key of ``space`` is not a config key (or a value does not fit)."""
    import optuna

    for kind, keys in space.items():
        for key, param in keys.items():
            trial = optuna.trial.FixedTrial({key: (param.choices or [param.low])[0]})
            try:
                with_values(base, {key: param.suggest(trial, key)}, f"{source}: {kind}.{key}")
            except ConfigError as exc:
                raise ConfigError(exc.source, exc.problems) from None
