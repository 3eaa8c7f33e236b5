"""``emotune train`` / ``emotune baseline``: load data, fit, calibrate on dev, score, save the bundle.

Writes into the run folder ``RUN/``: ``config.yaml`` (the resolved config), ``train.log``, ``metrics.json``,
``dev_probabilities.csv``, ``epochs.jsonl`` (encoders: one line per epoch) and the bundle ``model/``.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from emotune.calibration.thresholds import ThresholdCalibrator
from emotune.classifier import EmotionClassifier
from emotune.config import RunConfig
from emotune.data.dialogue import cross_split_duplicates
from emotune.data.loading import load_splits
from emotune.evaluation.metrics import compute_metrics, confusion, per_label_report
from emotune.io_utils import atomic_path, write_text_atomic
from emotune.models.base import check_runtime
from emotune.training.distributed import finish, is_main_process, world_size
from emotune.workflows.logs import log_to_file

log = logging.getLogger("emotune")


def _write_dev_probabilities(path: Path, texts: list[str], probs: np.ndarray, names: tuple[str, ...]) -> None:
    """The dev texts with the model's probabilities, for error analysis and blending."""
    frame = pd.DataFrame(probs, columns=[f"prob_{n}" for n in names])
    frame.insert(0, "text", texts)
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, float_format="%.7g")


def remove_checkpoints(run_dir: Path, cfg: RunConfig) -> None:
    """Once the bundle is written, checkpoints only served ``--resume``: drop them unless asked to keep them."""
    if (run_dir / "checkpoints").is_dir() and not cfg.train.keep_checkpoints:
        shutil.rmtree(run_dir / "checkpoints")


@dataclass
class TrainResult:
    """What a training run produced. ``metrics`` is the content of ``RUN/metrics.json``."""

    run_dir: Path
    bundle: Path
    metrics: dict[str, Any]


def run(cfg: RunConfig, output: str | Path) -> TrainResult:
    """Train the model ``cfg`` describes and write the run folder ``output``.

    >>> # result = run(load_config("configs/baseline_semeval.yaml"), "runs/baseline")
    """
    check_runtime(cfg)
    run_dir = Path(output)
    run_dir.mkdir(parents=True, exist_ok=True)
    main_process = is_main_process()  # under torchrun / accelerate launch, rank 0 writes the run folder
    if main_process:
        write_text_atomic(run_dir / "config.yaml", cfg.to_yaml())
    with log_to_file(run_dir / "train.log"):
        train, dev, dev_split_off = load_splits(cfg.data, cfg.train.seed)
        duplicates = cross_split_duplicates(train, dev)
        if duplicates:
            unit = "dialogues" if dev.groups is not None else "texts"
            log.warning("%d dev %s also occur in train word for word; dev scores are optimistic by that much",
                        duplicates, unit)  # fmt: skip
        log.info("model %s, %s task, %d labels%s", cfg.model.name, train.schema.task, train.schema.n_labels,
                 f", dialogue task {cfg.dialogue.task} with {cfg.dialogue.context} turns of context"
                 if cfg.dialogue.task != "none" else "")  # fmt: skip
        started = time.perf_counter()
        clf = EmotionClassifier(config=cfg).fit_dataset(train, dev, work_dir=run_dir)
        seconds = time.perf_counter() - started
        if not main_process:
            finish()
            return TrainResult(run_dir, run_dir / "model", {})
        dev = clf.dev_  # with dialogue.task: one row per scored turn

        fixed = ThresholdCalibrator("fixed", default=cfg.thresholds.default).fit(clf.dev_proba_, dev.y, dev.schema)
        predicted = clf.calibrator_.predict(clf.dev_proba_)
        metrics: dict[str, Any] = {
            "dev": compute_metrics(dev.y, predicted, dev.schema),
            "dev_at_default_threshold": compute_metrics(dev.y, fixed.predict(clf.dev_proba_), dev.schema),
            "per_label": per_label_report(dev.y, predicted, dev.schema),
            "thresholds": clf.calibrator_.to_dict(),
            "train_rows": len(train),
            "dev_rows": len(dev),
            "dev_split_off_train": dev_split_off,
            "duplicates_across_splits": duplicates,
            "train_seconds": round(seconds, 2),
            "processes": world_size(),
        }
        if dev.schema.task == "multiclass":
            metrics["confusion"] = {"labels": list(dev.schema.names), "rows_true_columns_predicted":
                                    confusion(dev.y, predicted, dev.schema).tolist()}  # fmt: skip
        if hasattr(clf.model_, "parameters_"):  # transformer kinds: trainable and total parameter counts
            metrics["parameters"] = clf.model_.parameters_
        bundle = clf.save(run_dir / "model", metrics)
        _write_dev_probabilities(run_dir / "dev_probabilities.csv", dev.texts, clf.dev_proba_, dev.schema.names)
        write_text_atomic(run_dir / "metrics.json", json.dumps(metrics, indent=2) + "\n")
        remove_checkpoints(run_dir, cfg)
        log.info("dev macro-F1 %.4f (calibrated), %.4f at threshold %.2f; bundle: %s",
                 metrics["dev"]["macro_f1"], metrics["dev_at_default_threshold"]["macro_f1"],
                 cfg.thresholds.default, bundle)  # fmt: skip
    finish()
    return TrainResult(run_dir, bundle, metrics)
