"""Helpers shared by the benchmark scripts: the machine line, running the CLI, honest dev scoring."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from emotune import EmotionClassifier
from emotune.config import DataConfig
from emotune.data.loading import load_like
from emotune.data.presets import find_split_file, get_preset
from emotune.evaluation.score import two_fold

HERE = Path(__file__).resolve().parent
DATA_ROOT = HERE.parent.parent / "shared" / "data"


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    model = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), platform.machine())
    return f"{model}, {len(os.sched_getaffinity(0))} cores, Python {platform.python_version()}"


def run_cli(args: list[str]) -> float:
    """Run ``emotune ARGS`` in a fresh process; returns its wall time in seconds."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "emotune", "-q", *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def wait_healthy(url: str, timeout: float = 300) -> float:
    """Poll ``URL/health`` until it answers 200 (an ``emotune serve`` starting up); returns the seconds waited."""
    import httpx

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            if httpx.get(f"{url}/health").status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"no healthy answer from {url} within {timeout} s")


def two_fold_dev(clf: EmotionClassifier, probs: np.ndarray, dev: Any) -> dict[str, float]:
    """Scores with thresholds fit on one half of dev and applied to the other half, both ways, averaged."""
    return two_fold(dev.y, probs, clf.calibrator, clf.schema, groups=dev.groups)


def score_run(run_dir: Path, preset: str, data_dir: Path) -> dict[str, Any]:
    """The run's own dev metrics plus the held-out 2-fold estimate, from its bundle."""
    metrics = json.loads((run_dir / "metrics.json").read_text())
    clf = EmotionClassifier.load(run_dir / "model")
    dev_path = find_split_file(get_preset(preset), data_dir, "dev")
    dev = load_like(preset, str(dev_path), DataConfig(preset=preset), clf.schema)
    return {
        "task": clf.task,
        "labels": len(clf.label_names),
        "dev_calibrated": metrics["dev"],
        "dev_at_0.5": metrics["dev_at_default_threshold"],
        "dev_two_fold": two_fold_dev(clf, clf.predict_proba(dev.texts), dev),
        "train_rows": metrics["train_rows"],
        "dev_rows": metrics["dev_rows"],
        "fit_seconds": metrics["train_seconds"],
    }


def write_report(name: str, report: dict[str, Any]) -> Path:
    out = HERE / "results" / name
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    return out


def add_result(file_name: str, name: str, result: dict[str, Any]) -> dict[str, Any]:
    """Put one run's ``result`` into ``results/<file_name>`` (replacing its earlier entry) and return the report.

    The file is re-read just before writing: other invocations may have added their runs meanwhile.
    """
    from datetime import UTC, datetime

    path = HERE / "results" / file_name
    report: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {"results": {}}
    report["results"][name] = result
    report.update({"date": datetime.now(UTC).strftime("%Y-%m-%d"), "machine": machine()})
    write_report(file_name, report)
    return report
