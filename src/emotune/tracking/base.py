"""What every tracker implements: one run's params, metrics, tables and artifacts, and its nested runs."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from emotune.config import TrackConfig
from emotune.errors import SettingError

_KEY = re.compile(r"[^\w\-./ ]")


def clean_key(key: str) -> str:
    """A metric or parameter name every tracker accepts (letters, digits, ``_-./`` and spaces)."""
    return _KEY.sub("_", key)


def missing_extra(tool: str, package: str) -> SettingError:
    return SettingError("track.to", f"{tool} is not installed; pip install 'emotune[track]' (or {package})")


class Backend(ABC):
    """One tracker's handle on one run. ``child(name)`` opens a run nested under it (a cv fold, a sweep
    trial); ``end`` closes it. Metrics with ``step=None`` are final values (a summary), others a series. A tracker
    module exports its subclass as ``BACKEND``; ``start`` opens the top-level run of a run folder."""

    @classmethod
    @abstractmethod
    def start(cls, track: TrackConfig, run_dir: Path, name: str, params: Mapping[str, str]) -> Backend: ...

    @abstractmethod
    def log_params(self, params: Mapping[str, str]) -> None: ...

    @abstractmethod
    def log_metrics(self, metrics: Mapping[str, float], step: int | None) -> None: ...

    @abstractmethod
    def log_table(self, name: str, frame: pd.DataFrame) -> None: ...

    @abstractmethod
    def log_artifact(self, path: Path, kind: str) -> None:
        """Upload the file or folder ``path``; ``kind`` is ``report``, ``file`` or ``model``."""

    @abstractmethod
    def child(self, name: str, params: Mapping[str, str]) -> Backend: ...

    @abstractmethod
    def end(self, failed: bool) -> None: ...


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` -> ``{"a.b": 1}``; lists stay values."""
    out: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out |= flatten(value, f"{name}.")
        else:
            out[name] = value
    return out
