"""``RunEvidence``: everything a report shows, read back from a run folder's files (no model is loaded).

What is read, when present: ``config.yaml``, ``metrics.json``, the bundle's ``emotune.json`` (labels and
thresholds), scored probabilities with gold labels (``dev_probabilities.csv`` of train,
``oof_probabilities.csv`` of cv, ``probabilities.csv`` of evaluate and blend) and ``epochs.jsonl`` (the run's
own, or each cv fold's).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from emotune.bundle import MANIFEST, read_manifest
from emotune.decisions.thresholds import ThresholdCalibrator
from emotune.errors import DataError

PROBABILITY_FILES = ("dev_probabilities.csv", "oof_probabilities.csv", "probabilities.csv")


@dataclass
class RunEvidence:
    """A run folder's outputs. ``y``, ``probs`` and ``predicted`` are ``(n_rows, n_labels)`` (0/1, floats,
    0/1 decisions) over the rows the run was scored on; ``None`` when the run kept no probabilities."""

    run_dir: Path
    kind: str
    config: dict[str, Any]
    metrics: dict[str, Any]
    names: list[str]
    task: str
    calibrator: ThresholdCalibrator
    scored_on: str = ""
    texts: list[str] = field(default_factory=list)
    y: np.ndarray | None = None
    probs: np.ndarray | None = None
    predicted: np.ndarray | None = None
    epochs: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def thresholds(self) -> np.ndarray | None:
        values = getattr(self.calibrator, "thresholds_", None)
        return None if values is None else np.asarray(values, dtype=float)


def _kind(metrics: dict[str, Any]) -> str:
    if "folds" in metrics:
        return "cv"
    if "weights" in metrics:
        return "blend"
    if "evaluated" in metrics:
        return "evaluate"
    return "train"


def _manifest(run_dir: Path, metrics: dict[str, Any]) -> dict[str, Any]:
    for candidate in (run_dir / "model", run_dir, Path(str(metrics.get("bundle", "")))):
        if str(candidate) and (candidate / MANIFEST).is_file():
            return read_manifest(candidate)
    raise DataError(f"{run_dir}: no bundle found (RUN/model/emotune.json); emotune report takes a run folder "
                    "written by train, cv, blend or evaluate --output")  # fmt: skip


def _epochs(run_dir: Path) -> dict[str, pd.DataFrame]:
    files = {"run": run_dir / "epochs.jsonl"} | {p.parent.name: p for p in sorted(run_dir.glob("folds/*/epochs.jsonl"))}
    out = {}
    for name, path in files.items():
        if path.is_file() and path.stat().st_size:
            out[name] = pd.read_json(path, lines=True)
    return out


def load_evidence(run_dir: str | Path) -> RunEvidence:
    """Read the run folder ``run_dir`` (see module doc); a clear error when it is not one."""
    run_dir = Path(run_dir)
    metrics_file = run_dir / "metrics.json"
    if not metrics_file.is_file():
        raise DataError(f"{run_dir}: no metrics.json; emotune report takes a finished run folder (train, cv, blend "
                        "or evaluate --output)")  # fmt: skip
    metrics = json.loads(metrics_file.read_text(encoding="utf-8"))
    manifest = _manifest(run_dir, metrics)
    config_file = run_dir / "config.yaml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8")) if config_file.is_file() else manifest["config"]
    names = list(manifest["schema"]["names"])
    evidence = RunEvidence(run_dir, _kind(metrics), config, metrics, names, manifest["schema"]["task"],
                           ThresholdCalibrator.from_dict(manifest["thresholds"]), epochs=_epochs(run_dir))  # fmt: skip
    for name in PROBABILITY_FILES:
        path = run_dir / name
        if not path.is_file():
            continue
        frame = pd.read_csv(path, keep_default_na=False)
        gold = [f"true_{n}" for n in names]
        if not set(gold) <= set(frame.columns):
            continue
        evidence.scored_on = name
        evidence.texts = frame["text"].astype(str).tolist()
        evidence.y = frame[gold].to_numpy(dtype=np.int8)
        evidence.probs = frame[[f"prob_{n}" for n in names]].to_numpy(dtype=np.float64)
        evidence.predicted = evidence.calibrator.predict(evidence.probs).astype(np.int8)
        break
    return evidence
