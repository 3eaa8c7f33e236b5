"""``emotune evaluate``: score a saved bundle on a labelled file.

With an ``output`` folder it also keeps ``metrics.json``, ``probabilities.csv`` (with gold labels) and the
report ``report.html``, and can send the evaluation to trackers (``track``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from emotune.config import TrackConfig, with_values
from emotune.data.dialogue import dialogue_view
from emotune.data.loading import load_like
from emotune.errors import DataError
from emotune.inference import predict_proba_batched
from emotune.inference.backends import load_classifier
from emotune.runs.scored import keep_scored


@dataclass
class EvalResult:
    """Metrics of one bundle on one labelled file."""

    metrics: dict[str, float]
    per_label: list[dict[str, Any]]
    confusion: np.ndarray | None
    n_texts: int
    at_default_threshold: dict[str, float] | None = None

    def to_json(self) -> dict[str, Any]:
        """A flat JSON object: every metric at the top level, plus ``per_label`` and ``n_texts``."""
        out: dict[str, Any] = dict(self.metrics)
        out["n_texts"] = self.n_texts
        out["per_label"] = self.per_label
        if self.at_default_threshold is not None:
            out["at_default_threshold"] = self.at_default_threshold
        if self.confusion is not None:
            out["confusion_matrix"] = self.confusion.tolist()
        return out


def run(
    model: str | Path,
    preset: str | None,
    data: str | Path,
    progress: bool = True,
    data_options: Mapping[str, Any] | None = None,
    backend: str = "saved",
    output: str | Path | None = None,
    track: TrackConfig | None = None,
) -> EvalResult:
    """Load the bundle ``model``, read ``data`` with ``preset``, predict and score.

    The data is read with the bundle's own data settings (columns, label names), so a generic CSV is read
    the way the training file was, with ``data_options`` (dotted ``data.*`` keys) changed; ``preset=None``
    uses the preset the bundle was trained with. A dialogue bundle is scored on its own task (each turn, or
    each turn's next turn) with its context size. ``backend``: see :mod:`emotune.inference.backends`.
    ``output``: a folder for metrics, probabilities and the report; ``track`` (needs ``output``): trackers.
    """
    track = track or TrackConfig()
    if track.to and output is None:
        raise DataError("--track needs --output DIR: the evaluation's files and local tracker stores go there")
    clf = load_classifier(model, backend)
    preset = preset or clf.config.data.preset
    data_cfg = with_values(clf.config, {**(data_options or {}), "data.preset": preset}, "command line").data
    dataset = dialogue_view(load_like(preset, data, data_cfg, clf.schema), clf.config.dialogue)
    probs = predict_proba_batched(clf.predict_proba, dataset.texts, len(clf.label_names), progress=progress)
    scores = clf.score(dataset.y, probs, prefix="test")
    matrix = scores.get("confusion", {}).get("rows_true_columns_predicted")
    if output is not None:
        _keep(Path(output), model, data, dataset.texts, dataset.y, probs, clf.label_names, scores, track)
    return EvalResult(
        metrics=scores["test"],
        per_label=scores["per_label"],
        confusion=np.asarray(matrix) if matrix is not None else None,
        n_texts=len(dataset),
        at_default_threshold=scores["test_at_default_threshold"],
    )


def _keep(folder: Path, model: str | Path, data: str | Path, texts: list[str], y: np.ndarray, probs: np.ndarray,
          names: Sequence[str], scores: dict[str, Any], track: TrackConfig) -> None:  # fmt: skip
    """The evaluation's files in ``folder`` (made if missing; files of an earlier evaluation are replaced)."""
    if folder.is_file():
        raise DataError(f"{folder}: is a file; --output takes a folder (it is made if missing)")
    folder.mkdir(parents=True, exist_ok=True)
    metrics = {"evaluated": str(data), "bundle": str(Path(model).resolve()), "rows": len(texts), **scores}
    keep_scored(folder, texts, probs, y, names, metrics, track, {"bundle": str(model), "data": str(data)}, Path(model))
