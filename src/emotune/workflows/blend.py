"""``emotune blend``: one bundle that averages several (e.g. TF-IDF baseline + fine-tuned encoder).

The weights are chosen on a labelled dev file, or (``--oof``) on the out-of-fold probabilities of
``emotune cv`` runs over the same folds, which leaves the dev file for a clean score. Every point of a
simplex grid (step 0.05) is scored with thresholds calibrated on the blended probabilities, and the best
objective wins (``thresholds.objective``; single-label: the metric of ``thresholds.decision``, macro-F1 for
argmax; ties: the most even weights). That score is optimistic, since weights and thresholds were
both tuned on those rows, so the metrics also hold a held-out estimate (``two_fold``): weights (unless
given) and thresholds chosen on one half, scored on the other, both ways, averaged.

Besides the bundle files, the output folder gets ``metrics.json``, ``probabilities.csv`` (the blend on the
tuning rows, with gold labels) and ``report.html``; with ``track.to`` set the blend is also a tracked run.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from emotune.classifier import EmotionClassifier
from emotune.config import DialogueConfig, RunConfig, TrackConfig
from emotune.data.dataset import EmotionDataset
from emotune.data.dialogue import dialogue_view
from emotune.data.labels import LabelSchema
from emotune.data.loading import load_like
from emotune.decisions.thresholds import ThresholdCalibrator
from emotune.errors import DataError
from emotune.evaluation.metrics import compute_metrics
from emotune.evaluation.score import halves, score, two_fold
from emotune.inference import predict_proba_batched
from emotune.models.ensemble import EnsembleModel, ensemble_config
from emotune.runs.folder import read_oof
from emotune.runs.scored import keep_scored

STEP = 0.05


def weight_grid(n: int, step: float = STEP) -> np.ndarray:
    """Every weight vector of ``n`` non-negative multiples of ``step`` that sum to one, most even first."""
    ticks = round(1 / step)
    points = [c for c in itertools.product(range(ticks + 1), repeat=n - 1) if sum(c) <= ticks]
    grid = np.array([[*c, ticks - sum(c)] for c in points], dtype=float) / ticks
    return grid[np.argsort(np.abs(grid - 1 / n).sum(axis=1), kind="stable")]


def choose_weights(members: np.ndarray, y: np.ndarray, schema: LabelSchema, thresholds: dict[str, Any]
                   ) -> tuple[np.ndarray, ThresholdCalibrator]:  # fmt: skip
    """The grid weights (and their calibrated thresholds) with the best objective on ``(members, y)``: the one
    the thresholds are fitted for (multilabel ``objective``, single-label ``decision``), macro-F1 for argmax."""
    best: tuple[float, np.ndarray, ThresholdCalibrator] | None = None
    for w in weight_grid(len(members)):
        probs = np.tensordot(w, members, axes=1)
        cal = ThresholdCalibrator.from_config(thresholds)
        cal.fit(probs, y, schema)
        plain_argmax = schema.task == "multiclass" and cal.decision == "argmax"
        value = compute_metrics(y, cal.predict(probs), schema)["macro_f1"] if plain_argmax else cal.score_
        if best is None or value > best[0] + 1e-12:
            best = (value, w, cal)
    assert best is not None
    return best[1], best[2]


def _held_out(members: np.ndarray, dev: EmotionDataset, thresholds: dict[str, Any]) -> dict[str, float]:
    """Weights and thresholds fit on one half of dev, scored on the other half, both ways, averaged."""
    scores = []
    for fit_idx, score_idx in halves(dev.y, dev.schema, dev.groups):
        w, cal = choose_weights(members[:, fit_idx], dev.y[fit_idx], dev.schema, thresholds)
        pred = cal.predict(np.tensordot(w, members[:, score_idx], axes=1))
        scores.append(compute_metrics(dev.y[score_idx], pred, dev.schema))
    return {k: float(np.mean([s[k] for s in scores])) for k in scores[0]}


def _but_context(clf: EmotionClassifier) -> DialogueConfig:
    """The bundle's dialogue settings but for the turns of context, which may differ within a blend."""
    return clf.config.dialogue.model_copy(update={"context": 0})


def _check_members(bundles: Sequence[str | Path], clfs: list[EmotionClassifier]) -> None:
    first = clfs[0]
    for path, clf in zip(bundles[1:], clfs[1:], strict=True):
        if clf.label_names != first.label_names or clf.task != first.task:
            mine, theirs = f"{list(clf.label_names)} ({clf.task})", f"{list(first.label_names)}"
            raise DataError(f"{path}: labels {mine} differ from {bundles[0]}'s {theirs} ({first.task}); "
                            "blend models of one task")  # fmt: skip
        if _but_context(clf) != _but_context(first):
            raise DataError(f"{path}: dialogue settings (task, speakers, separator) differ from {bundles[0]}'s; "
                            "blend models of one task (the turns of context may differ)")  # fmt: skip


def _from_file(ensemble: EnsembleModel, config: RunConfig, data: str | Path, preset: str | None
               ) -> tuple[EmotionDataset, np.ndarray]:  # fmt: skip
    """The labelled file as the first bundle reads it, viewed with the blend's ``config`` (dialogues: the
    ensemble's turns of context), and every member's probabilities on it."""
    first = ensemble.members[0]
    preset = preset or first.config.data.preset
    dataset = load_like(preset, data, first.config.data.model_copy(update={"preset": preset}), first.schema)
    dataset = dialogue_view(dataset, config.dialogue)
    return dataset, np.stack([predict_proba_batched(c.predict_proba, ensemble.member_texts(c, dataset.texts),
                                                    len(c.label_names)) for c in ensemble.members])  # fmt: skip


def _from_oof(bundles: Sequence[str | Path], schema: LabelSchema) -> tuple[EmotionDataset, np.ndarray]:
    """The out-of-fold probabilities of ``emotune cv`` runs (``RUN/oof_probabilities.csv`` beside each RUN/model)."""
    read = []
    for bundle in bundles:
        path = Path(bundle).parent / "oof_probabilities.csv"
        if not path.is_file():
            raise DataError(f"{path}: not found; --oof needs bundles made by `emotune cv` (RUN/model)")
        read.append(read_oof(path, schema))
    folds, texts, y, _ = read[0]
    for bundle, (other_folds, other_texts, _, _) in zip(bundles[1:], read[1:], strict=True):
        if other_texts != texts or not np.array_equal(other_folds, folds):
            raise DataError(f"{bundle}: its cross-validation folds differ from {bundles[0]}'s; run `emotune cv` on "
                            "the same data with the same seed and --folds")  # fmt: skip
    return EmotionDataset(texts, y, schema, source="out-of-fold"), np.stack([probs for *_, probs in read])


def _scores(members: np.ndarray, w: np.ndarray, cal: ThresholdCalibrator, dataset: EmotionDataset) -> dict[str, Any]:
    return score(dataset.y, np.tensordot(w, members, axes=1), cal, dataset.schema, prefix="scores")


def _alone(probs: np.ndarray, dataset: EmotionDataset, thresholds: dict[str, Any]) -> dict[str, float]:
    """One member's scores with thresholds tuned on ``dataset`` (as the blend's are)."""
    cal = ThresholdCalibrator.from_config(thresholds).fit(probs, dataset.y, dataset.schema)
    return score(dataset.y, probs, cal, dataset.schema, prefix="scores")["scores"]


def _check_request(bundles: Sequence[str | Path], data: str | Path | None, weights: Sequence[float] | None,
                   oof: bool) -> None:  # fmt: skip
    if len(bundles) < 2:
        raise DataError("blend needs at least two bundles (--models A B ...)")
    if weights is not None and len(weights) != len(bundles):
        raise DataError(f"--weights: {len(weights)} numbers for {len(bundles)} bundles; give one per bundle")
    if data is None and not oof:
        raise DataError("blend needs --data DEV (a labelled file to tune the weights on) or --oof")


def run(bundles: Sequence[str | Path], output: str | Path, data: str | Path | None = None, preset: str | None = None,
        weights: Sequence[float] | None = None, oof: bool = False, track: TrackConfig | None = None,
        ) -> tuple[Path, dict[str, Any]]:  # fmt: skip
    """Blend ``bundles`` into one bundle at ``output``.

    Weights (unless given) and thresholds are tuned on the labelled file ``data``, or with ``oof`` on the
    out-of-fold probabilities of the ``emotune cv`` runs the bundles come from; then ``data``, if given, is
    a clean test of the blend. ``track``: trackers and report (default: a report, no trackers).
    """
    track = track or TrackConfig()
    _check_request(bundles, data, weights, oof)
    clfs = [EmotionClassifier.load(b) for b in bundles]
    _check_members(bundles, clfs)
    ensemble = EnsembleModel(clfs)
    config = ensemble_config(clfs[0].config, ensemble.context)
    schema, thresholds = clfs[0].schema, clfs[0].thresholds
    if oof:
        tune, members = _from_oof(bundles, schema)
    else:
        tune, members = _from_file(ensemble, config, data, preset)  # type: ignore[arg-type]
    if weights is None:
        w, cal = choose_weights(members, tune.y, schema, thresholds)
    else:
        w = np.asarray(weights, dtype=float) / float(np.sum(weights))
        cal = ThresholdCalibrator.from_config(thresholds)
        cal.fit(np.tensordot(w, members, axes=1), tune.y, schema)
    tuned = _scores(members, w, cal, tune)  # on the rows the weights and thresholds were tuned on
    metrics: dict[str, Any] = {
        "weights": {str(b): float(x) for b, x in zip(bundles, w, strict=True)},
        "tuned_on": "out-of-fold probabilities" if oof else str(data),
        "tuning_rows": len(tune),
        "scores": tuned["scores"],
        "per_label": tuned["per_label"],
        "members": [
            {
                "bundle": str(b),
                "scores": _alone(p, tune, thresholds),
                "two_fold": two_fold(tune.y, p, ThresholdCalibrator.from_config(thresholds), schema, tune.groups),
            }
            for b, p in zip(bundles, members, strict=True)
        ],
    }
    if weights is None:
        metrics["two_fold"] = _held_out(members, tune, thresholds)
    else:  # the thresholds were still tuned on these rows
        metrics["two_fold"] = two_fold(tune.y, np.tensordot(w, members, axes=1), cal, schema, tune.groups)
    if oof and data is not None:  # nothing was tuned on this file: a clean score
        dev, dev_members = _from_file(ensemble, config, data, preset)
        metrics["dev"] = {"file": str(data), "rows": len(dev), "blend": _scores(dev_members, w, cal, dev)["scores"],
                          "members": [clf.score(dev.y, p, prefix="scores")["scores"]
                                      for clf, p in zip(clfs, dev_members, strict=True)]}  # fmt: skip
    blend = EmotionClassifier.from_parts(config, schema, cal, EnsembleModel(clfs, w.tolist()))
    path = blend.save(output, metrics)
    keep_scored(path, tune.texts, np.tensordot(w, members, axes=1), tune.y, schema.names, metrics, track,
                {"models": [str(b) for b in bundles], "tuned_on": metrics["tuned_on"]}, path,
                extra={f"weight/{i}": x for i, x in enumerate(w.tolist())})  # fmt: skip
    return path, metrics
