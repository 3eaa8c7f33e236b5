"""One training run: load data, fit, calibrate on dev, score, save the bundle (``emotune train`` and each
``emotune sweep`` trial).

Writes into the run folder ``RUN/``: ``config.yaml`` (the resolved config), ``train.log``, ``metrics.json``,
``dev_probabilities.csv`` (with the gold labels), ``epochs.jsonl`` (encoders: one line per epoch), the bundle
``model/`` (with its model card ``README.md``) and the report ``report.html`` (figures in ``report/``). With
``track.to`` set, the run also goes to those trackers (a sweep trial nested under its study).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from emotune.classifier import EmotionClassifier, Targets
from emotune.config import RunConfig
from emotune.data.dataset import EmotionDataset
from emotune.data.dialogue import cross_split_duplicates
from emotune.data.loading import load_splits
from emotune.evaluation.score import MIN_HELD_OUT_ROWS, two_fold_with_epoch_choice
from emotune.reports import try_report
from emotune.runs.folder import RunFolder, remove_checkpoints, write_probabilities
from emotune.settling import settle
from emotune.tracking import log_outputs, start, tracking_callbacks
from emotune.training.distributed import finish, world_size
from emotune.validation import check

log = logging.getLogger("emotune")


@dataclass
class TrainResult:
    """What a training run produced. ``metrics`` is the content of ``RUN/metrics.json``."""

    run_dir: Path
    bundle: Path
    metrics: dict[str, Any]


def run(
    cfg: RunConfig,
    output: str | Path,
    overwrite: bool = False,
    targets: Targets | None = None,
    report: Callable[[EmotionDataset], dict[str, Any]] | None = None,
    tracked_as: str | None = None,
    callbacks: Sequence[Any] = (),
) -> TrainResult:
    """Train the model ``cfg`` describes and write the run folder ``output`` (see :class:`RunFolder` for how
    an existing folder, ``cfg.train.resume`` and ``overwrite`` are handled). ``targets`` replaces the gold
    training labels (see :class:`~emotune.classifier.Targets`); ``report(dev)`` adds entries to the metrics;
    ``tracked_as`` names the run in the trackers (default: ``track.run_name`` or the folder's name);
    ``callbacks`` go to the Trainer of transformer kinds (``emotune sweep`` prunes trials with one).

    >>> # result = run(load_config("configs/baseline_semeval.yaml"), "runs/baseline")
    """
    check(cfg)
    cfg = settle(cfg)  # config.yaml and the trackers record what was used
    folder = RunFolder(output, "train.log", resume=cfg.train.resume, overwrite=overwrite)
    run_dir = folder.path
    with folder.open(cfg), start(cfg.track, run_dir, cfg.model_dump(mode="json"), tracked_as) as tracked:
        train, dev, dev_split_off, duplicates = _read_splits(cfg)
        started = time.perf_counter()
        clf = EmotionClassifier(config=cfg).fit_dataset(
            train,
            dev,
            work_dir=run_dir,
            targets=targets,
            checked=True,
            callbacks=[*callbacks, *tracking_callbacks(tracked)],
        )
        seconds = time.perf_counter() - started
        if not folder.main:
            finish()
            return TrainResult(run_dir, run_dir / "model", {})
        dev = clf.dev_  # with dialogue.task: one row per scored turn
        metrics: dict[str, Any] = {
            **clf.score(dev.y, clf.dev_proba_, held_out=True, groups=dev.groups),
            "train_rows": len(train),
            "dev_rows": len(dev),
            "dev_split_off_train": dev_split_off,
            "duplicates_across_splits": duplicates,
            "train_seconds": round(seconds, 2),
            "processes": world_size(),
            **(report(dev) if report is not None else {}),
        }
        metrics.update(epoch_choice_held_out(clf, dev))
        if train.origin is not None:
            metrics["sources"] = per_source(clf, train, cfg)
        if hasattr(clf.model_, "parameters_"):  # transformer kinds: trainable and total parameter counts
            metrics["parameters"] = clf.model_.parameters_
        bundle = clf.save(run_dir / "model", metrics)
        write_probabilities(run_dir / "dev_probabilities.csv", dev.texts, clf.dev_proba_, dev.schema.names, y=dev.y)
        folder.write_json("metrics.json", metrics)
        remove_checkpoints(run_dir, cfg)
        try_report(run_dir, cfg.track.report)
        log_outputs(tracked, run_dir, metrics, bundle, cfg.track.log_model)
        _log_result(tuned_metric(clf.config, dev.schema.task), metrics, bundle)
    finish()
    return TrainResult(run_dir, bundle, metrics)


def _read_splits(cfg: RunConfig) -> tuple[EmotionDataset, EmotionDataset, bool, int]:
    """Train, dev, whether dev was split off train, and how many dev texts (dialogues) train repeats word for
    word (warned about: the dev scores are optimistic by that much)."""
    train, dev, dev_split_off = load_splits(cfg.data, cfg.train.seed)
    duplicates = cross_split_duplicates(train, dev)
    if duplicates:
        unit = "dialogues" if dev.groups is not None else "texts"
        log.warning("%d dev %s also occur in train word for word; dev scores are optimistic by that much",
                    duplicates, unit)  # fmt: skip
    log.info("model %s, %s task, %d labels%s", cfg.model.name, train.schema.task, train.schema.n_labels,
             f", dialogue task {cfg.dialogue.task} with {cfg.dialogue.context} turns of context"
             if cfg.dialogue.task != "none" else "")  # fmt: skip
    return train, dev, dev_split_off, duplicates


def _log_result(name: str, metrics: dict[str, Any], bundle: Path) -> None:
    """The closing line: dev ``name`` calibrated, at the default decision and held out."""
    held_out = metrics.get("dev_two_fold", {}).get(name)
    chosen = metrics.get("dev_two_fold_with_epoch_choice", {}).get(name)
    log.info("dev %s %.4f (calibrated), %.4f at the default decision%s%s; bundle: %s",
             name, metrics["dev"][name], metrics["dev_at_default_threshold"][name],
             f", {held_out:.4f} held out (2-fold dev)" if held_out is not None else "",
             f", {chosen:.4f} with the epoch also chosen held out" if chosen is not None else "",
             bundle)  # fmt: skip


def epoch_choice_held_out(clf: EmotionClassifier, dev: EmotionDataset) -> dict[str, Any]:
    """``dev_two_fold_with_epoch_choice`` (see :func:`~emotune.evaluation.score.two_fold_with_epoch_choice`) where
    the model kept its dev probabilities of two or more epochs (transformer kinds); else nothing."""
    history = getattr(clf.model_, "dev_history_", [])
    if len(history) < 2 or len(dev) < MIN_HELD_OUT_ROWS:  # fitting.dev_history checked its rows against dev
        return {}
    select = clf.config.train.select_metric
    scores = two_fold_with_epoch_choice(dev.y, history, clf.calibrator, dev.schema, select, dev.groups)
    return {"dev_two_fold_with_epoch_choice": scores}


def tuned_metric(cfg: RunConfig, task: str) -> str:
    """The metric the run's decisions were tuned for, as named in ``metrics.json`` (``macro_f1`` where the
    objective is a combination or plain argmax): the one the closing log line reports."""
    objective = cfg.thresholds.decision if task == "multiclass" else cfg.thresholds.objective
    return "macro_f1" if objective in ("argmax", "macro_f1+jaccard") else objective


def per_source(clf: EmotionClassifier, train: EmotionDataset, cfg: RunConfig) -> dict[str, Any]:
    """Combined data (``data.sources``): per source its training rows, the rows dropped and why, and the
    model's scores on the source's own dev file (where it has one) over the labels the source annotates."""
    from emotune.data.combine import source_dev_sets
    from emotune.data.labels import LabelSchema
    from emotune.evaluation.metrics import compute_metrics

    out: dict[str, dict[str, Any]] = {name: {"train_rows": n} for name, n in train.rows_per_origin().items()}
    for problem, count in train.problems.items():
        source, _, reason = problem.partition(": ")
        if reason and source in out:
            out[source].setdefault("dropped", {})[reason] = count
    schema = clf.schema
    for name, dev in source_dev_sets(cfg.data, schema).items():
        assert dev.mask is not None
        columns = np.flatnonzero(dev.mask.all(axis=0))
        predicted = clf.predict(dev.texts)
        sub = LabelSchema(tuple(schema.names[c] for c in columns), schema.task)
        scores = compute_metrics(dev.y[:, columns], predicted[:, columns], sub)
        out.setdefault(name, {})["dev"] = {"file": dev.source, "rows": len(dev), "labels": list(sub.names), **scores}
        log.info("source %s: dev macro-F1 %.4f on its %d annotated labels (%s)", name, scores["macro_f1"],
                 len(columns), dev.source)  # fmt: skip
    return out
