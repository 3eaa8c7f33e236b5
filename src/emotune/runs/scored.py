"""The files of a scoring that is not a training run (``evaluate --output``, ``blend``): the probabilities with
gold labels, ``metrics.json`` and the report, then the trackers."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from emotune.config import TrackConfig
from emotune.io_utils import write_text_atomic
from emotune.reports import try_report
from emotune.runs.folder import write_probabilities
from emotune.tracking import log_outputs, start


def keep_scored(folder: Path, texts: Sequence[str], probs: np.ndarray, y: np.ndarray, names: Sequence[str],
                metrics: dict[str, Any], track: TrackConfig, params: Mapping[str, Any], bundle: Path,
                extra: Mapping[str, float] | None = None) -> None:  # fmt: skip
    """Write ``probabilities.csv`` and ``metrics.json`` into ``folder``, draw its report (``track.report``) and
    send it all to ``track.to`` as one run with ``params`` and the ``extra`` metrics; ``bundle``: the bundle
    scored (its thresholds, and the artifact with ``track.log_model``)."""
    write_probabilities(folder / "probabilities.csv", texts, probs, names, y=y)
    write_text_atomic(folder / "metrics.json", json.dumps(metrics, indent=2) + "\n")
    try_report(folder, track.report)
    with start(track, folder, params) as tracked:
        tracked.metrics(extra or {})
        log_outputs(tracked, folder, metrics, bundle, track.log_model)
