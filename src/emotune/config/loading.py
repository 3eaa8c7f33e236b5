"""Loading a :class:`RunConfig`: YAML, command-line flags and ``key=value`` overrides, every problem at once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from emotune.config.run import RunConfig
from emotune.errors import ConfigError

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
    "label_aware": "model.label_aware",
    "layers": "model.layers",
    "label_correlation": "train.loss.label_correlation",
    "soft_f1": "train.loss.soft_f1",
    "rdrop": "train.loss.rdrop",
    "ema": "train.ema",
    "adversarial": "train.adversarial",
    "trials": "sweep.trials",
    "decision": "thresholds.decision",
    "decision.objective": "thresholds.decision",
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


def _fold_auto_unions(errors: list[Any]) -> list[Any]:
    """One error per ``X | Literal["auto"]`` key instead of one per member: pydantic reports both the value's
    problem, once per other member (``('train', 'epochs', 'constrained-int')``), and that it is not ``'auto'``;
    keep the first, with its key shortened to the setting's and ``or 'auto'`` added."""
    literal = {tuple(e["loc"][:-1]): e for e in errors
               if e["type"] == "literal_error" and str(e["loc"][-1]).startswith("literal[")}  # fmt: skip
    paired = {tuple(e["loc"][:-1]) for e in errors if e["type"] != "literal_error"} & set(literal)
    folded, done = [], set()
    for error in errors:
        key = tuple(error["loc"][:-1])
        if key not in paired:
            folded.append(error)
        elif key not in done and error["type"] != "literal_error":
            done.add(key)
            expected = literal[key]["ctx"]["expected"]
            folded.append({**error, "loc": key, "msg": f"{error['msg']}, or {expected}"})
    return folded


def build_config(values: Mapping[str, Any], source: str = "config") -> RunConfig:
    """Validate a nested mapping into a :class:`RunConfig`, reporting every problem at once."""
    try:
        return RunConfig.model_validate(dict(values))
    except ValidationError as exc:
        raise ConfigError(source, [_describe(e) for e in _fold_auto_unions(exc.errors())]) from None


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
