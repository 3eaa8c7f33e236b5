"""What a finished run sends to its trackers: final metrics, thresholds, the per-label table, files."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from emotune.bundle import MANIFEST, read_manifest
from emotune.tracking.run import TrackedRun

FILES = ("metrics.json", "config.yaml", "report.html", "dev_probabilities.csv", "oof_probabilities.csv")


def tracking_callbacks(run: TrackedRun) -> list[Any]:
    """The Trainer callbacks that log evaluations and losses to ``run`` as they happen (none when not tracked)."""
    if not run:
        return []
    from emotune.tracking.callback import TrackingCallback

    return [TrackingCallback(run)]


def log_outputs(run: TrackedRun, run_dir: Path, metrics: Mapping[str, Any], bundle: Path | None = None,
                log_model: bool = False) -> None:  # fmt: skip
    """Final metrics (``final/...``), the per-label table, thresholds, the run's files and (``log_model``)
    the bundle. Reads the thresholds from the bundle's manifest."""
    if not run:
        return
    run.metrics({k: v for k, v in metrics.items() if k != "per_label"}, prefix="final/")
    if metrics.get("per_label"):
        run.table("per_label", list(metrics["per_label"]))
    if bundle is not None and (bundle / MANIFEST).is_file():
        saved = read_manifest(bundle)
        names = saved["schema"]["names"]
        values = saved["thresholds"].get("thresholds")
        if isinstance(values, list) and len(values) == len(names):
            run.table("thresholds", [{"label": n, "threshold": t} for n, t in zip(names, values, strict=True)])
    for name in FILES:
        run.artifact(run_dir / name, "report" if name.endswith(".html") else "file")
    if log_model and bundle is not None:
        run.artifact(bundle, "model")
