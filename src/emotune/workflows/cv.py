"""``emotune cv``: k-fold cross-validation, out-of-fold thresholds and a fold-ensemble bundle.

Folds come from :func:`emotune.data.splits.kfold` (iterative-stratified for multilabel, stratified for
multiclass, grouped by dialogue). Each fold trains on k-1 parts and scores the part it did not see, which
also serves as its dev set (epoch selection). The run folder::

    RUN/
      config.yaml, cv.log
      folds/fold-<i>/           a training run per fold: model/, metrics.json, oof.csv
      oof_probabilities.csv     every train row's out-of-fold probabilities with its fold and gold labels
      metrics.json              per fold, mean and std (per metric and per label), out-of-fold scores,
                                thresholds, and the ensemble on the dev file where there is one
      model/                    the fold ensemble (mean of fold probabilities, out-of-fold thresholds)
      report.html, report/      the report: out-of-fold figures, fold spread, each fold's training curves

With ``track.to`` set, each fold is a run nested under the cv run in the trackers. With ``data.sources``, the
folds split the run's own rows; every fold also trains on all source rows, which are never scored.

A fold that fails is logged and the others go on; ``--resume`` then reuses every finished fold.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from emotune.classifier import EmotionClassifier
from emotune.config import RunConfig
from emotune.data.combine import combine
from emotune.data.dataset import EmotionDataset
from emotune.data.labels import LabelSchema
from emotune.data.loading import load_train_and_dev
from emotune.data.splits import kfold
from emotune.decisions.thresholds import ThresholdCalibrator
from emotune.errors import EmotuneError
from emotune.evaluation.metrics import compute_metrics, per_label_report
from emotune.evaluation.score import score
from emotune.models.ensemble import EnsembleModel, ensemble_config
from emotune.reports import try_report
from emotune.runs.folder import RunFolder, read_oof, remove_checkpoints, write_probabilities
from emotune.settling import settle
from emotune.tracking import log_outputs, start, tracking_callbacks
from emotune.training.distributed import world_size
from emotune.validation import check

log = logging.getLogger("emotune")
OOF_FILE = "oof.csv"


class FoldsFailed(EmotuneError):
    """Some folds raised; the finished ones are kept for ``--resume``."""


@dataclass
class Fold:
    """One finished fold: its bundle and its out-of-fold rows (texts, gold indicators, probabilities)."""

    index: int
    clf: EmotionClassifier
    texts: list[str]
    y: np.ndarray
    probs: np.ndarray
    seconds: float


def _run_fold(cfg: RunConfig, index: int, train: EmotionDataset, held_out: EmotionDataset, fold_dir: Path) -> Fold:
    """Train one fold, or reload it when a previous run finished it (its bundle and oof.csv exist)."""
    bundle, oof = fold_dir / "model", fold_dir / OOF_FILE
    if cfg.train.resume and (bundle / "emotune.json").is_file() and oof.is_file():
        clf = EmotionClassifier.load(bundle)
        log.info("fold-%d: finished in an earlier run, reusing %s", index, bundle)
        _, texts, y, probs = read_oof(oof, clf.schema)
        return Fold(index, clf, texts, y, probs, seconds=float(clf.metrics_.get("train_seconds", 0)))
    fold_dir.mkdir(parents=True, exist_ok=True)
    with start(cfg.track, fold_dir, cfg.model_dump(mode="json"), name=f"fold-{index}") as tracked:
        started = time.perf_counter()
        clf = EmotionClassifier(config=cfg).fit_dataset(
            train, held_out, work_dir=fold_dir, checked=True, callbacks=tracking_callbacks(tracked)
        )
        seconds = time.perf_counter() - started
        rows = clf.dev_  # the held-out part as the model scored it (with dialogue.task: one row per turn)
        clf.save(bundle, {"train_seconds": round(seconds, 2), "fold": index, "train_rows": len(train)})
        write_probabilities(oof, rows.texts, clf.dev_proba_, clf.label_names, y=rows.y, fold=index)
        remove_checkpoints(fold_dir, cfg)
        own = clf.score(rows.y, clf.dev_proba_, prefix="held_out")  # its own thresholds
        log_outputs(tracked, fold_dir, {**own, "train_seconds": round(seconds, 2)}, bundle)
    return Fold(index, clf, list(rows.texts), rows.y, clf.dev_proba_, seconds)


def _summary(per_fold: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    """Mean and sample standard deviation of each key over folds."""
    out = {}
    for key in per_fold[0]:
        values = np.array([f[key] for f in per_fold], dtype=float)
        out[key] = {"mean": float(values.mean()), "std": float(values.std(ddof=1)) if len(values) > 1 else 0.0}
    return out


@dataclass
class CvResult:
    run_dir: Path
    bundle: Path
    metrics: dict[str, Any]


def run(cfg: RunConfig, output: str | Path, folds: int = 5, overwrite: bool = False) -> CvResult:
    """Cross-validate ``cfg`` with ``folds`` folds on the train split; write ``output`` (see module doc)."""
    check(cfg)
    if world_size() > 1:
        raise EmotuneError("emotune cv cannot run under torchrun / accelerate launch; start it as one process")
    cfg = settle(cfg)  # what needs no data; each fold's classifier settles the rest on its rows
    folder = RunFolder(output, "cv.log", resume=cfg.train.resume, overwrite=overwrite)
    run_dir = folder.path
    with folder.open(cfg), start(cfg.track, run_dir, cfg.model_dump(mode="json")) as tracked:
        train, dev = load_train_and_dev(cfg.data)
        schema = train.schema
        splits = kfold(train, folds, cfg.train.seed)
        # data.sources: folds split the run's own rows; every fold trains on the source rows too, never scores them
        combined = combine(train, dev, cfg.data) if cfg.data.sources else train
        extra = np.arange(len(train), len(combined))
        log.info("%d-fold cross-validation of %s on %d train rows%s", folds, cfg.model.name, len(train),
                 f"; the ensemble is scored on {dev.source} ({len(dev)} rows)" if dev is not None else "")  # fmt: skip
        done: list[Fold] = []
        failed: dict[int, str] = {}
        for i, (train_idx, test_idx) in enumerate(splits):
            log.info("fold-%d (%d of %d): train %d rows, held out %d", i, i + 1, folds, len(train_idx), len(test_idx))
            try:
                fold = _run_fold(cfg, i, combined.subset(np.concatenate([np.sort(train_idx), extra])),
                                 train.subset(np.sort(test_idx)), run_dir / "folds" / f"fold-{i}")  # fmt: skip
            except Exception as exc:  # report it, go on with the other folds
                failed[i] = f"{type(exc).__name__}: {exc}"
                log.error("fold-%d failed: %s", i, failed[i])
                continue
            done.append(fold)
        if failed:
            reasons = "; ".join(f"fold-{i}: {msg}" for i, msg in failed.items())
            raise FoldsFailed(f"{run_dir}: {len(failed)} of {folds} folds failed ({reasons}); fix the cause and "
                              f"rerun with --resume, the {len(done)} finished folds are kept")  # fmt: skip
        write_probabilities(run_dir / "oof_probabilities.csv", [t for f in done for t in f.texts],
                            np.concatenate([f.probs for f in done]), schema.names,
                            y=np.concatenate([f.y for f in done]),
                            fold=np.concatenate([np.full(len(f.y), f.index) for f in done]))  # fmt: skip
        metrics, calibrator = _score(cfg, done, schema)
        ensemble = EmotionClassifier.from_parts(ensemble_config(cfg), schema, calibrator,
                                                EnsembleModel([f.clf for f in done]))  # fmt: skip
        if dev is not None:
            metrics["dev"] = _dev_scores(ensemble, dev)
        bundle = ensemble.save(run_dir / "model", metrics)
        folder.write_json("metrics.json", metrics)
        try_report(run_dir, cfg.track.report)
        log_outputs(tracked, run_dir, metrics, bundle, cfg.track.log_model)
        tracked.table("folds", metrics["folds"])
        log.info("out-of-fold macro-F1 %.4f; folds %.4f +- %.4f%s; bundle: %s", metrics["oof"]["macro_f1"],
                 metrics["folds_summary"]["macro_f1"]["mean"], metrics["folds_summary"]["macro_f1"]["std"],
                 f"; ensemble dev macro-F1 {metrics['dev']['ensemble']['macro_f1']:.4f}" if dev is not None else "",
                 bundle)  # fmt: skip
    return CvResult(run_dir, bundle, metrics)


def _score(cfg: RunConfig, done: list[Fold], schema: LabelSchema) -> tuple[dict[str, Any], ThresholdCalibrator]:
    """Thresholds on all out-of-fold probabilities; per-fold and out-of-fold scores with them."""
    y = np.concatenate([f.y for f in done])
    probs = np.concatenate([f.probs for f in done])
    calibrator = ThresholdCalibrator.from_config(cfg.thresholds).fit(probs, y, schema)
    per_fold = [compute_metrics(f.y, calibrator.predict(f.probs), schema) for f in done]
    per_label = [{r["label"]: r["f1"] for r in per_label_report(f.y, calibrator.predict(f.probs), schema)}
                 for f in done]  # fmt: skip
    folds = [{"fold": f.index, "rows": len(f.y), "train_seconds": round(f.seconds, 2), **m}
             for f, m in zip(done, per_fold, strict=True)]  # fmt: skip
    return {
        "folds": folds,
        "folds_summary": _summary(per_fold),
        "per_label_f1_summary": _summary(per_label),
        **score(y, probs, calibrator, schema, prefix="oof"),
        "train_seconds": round(sum(f.seconds for f in done), 2),
    }, calibrator


def _dev_scores(ensemble: EmotionClassifier, dev: EmotionDataset) -> dict[str, Any]:
    """The ensemble and each fold model on the dev file, all with the out-of-fold thresholds."""
    from emotune.data.dialogue import dialogue_view

    dev = dialogue_view(dev, ensemble.config.dialogue)
    model = ensemble.model_
    assert isinstance(model, EnsembleModel)
    members = model.member_probabilities(dev.texts)
    schema = ensemble.schema
    predicted = ensemble.decide(np.tensordot(model.weights, members, axes=1))
    return {
        "rows": len(dev),
        "ensemble": compute_metrics(dev.y, predicted, schema),
        "ensemble_per_label": per_label_report(dev.y, predicted, schema),
        "fold_models": [compute_metrics(dev.y, ensemble.decide(p), schema) for p in members],
    }
