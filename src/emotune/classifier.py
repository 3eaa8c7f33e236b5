"""``EmotionClassifier``: the Python face of emotune, with the scikit-learn estimator contract.

>>> clf = EmotionClassifier("tfidf")
>>> texts = ["so happy today", "this is awful", "love you all", "I am furious"] * 10
>>> labels = [["joy"], ["anger"], ["joy", "love"], ["anger"]] * 10
>>> clf = clf.fit(texts, labels)
>>> clf.predict_proba(["what a happy day"]).shape
(1, 3)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from emotune.bundle import Bundle, load_bundle, save_bundle
from emotune.config import RunConfig
from emotune.data.dataset import EmotionDataset, Labels, dataset_from_labels
from emotune.data.dialogue import dialogue_view
from emotune.data.labels import LabelSchema
from emotune.data.preprocess import Preprocessor
from emotune.data.sampling import rebalance
from emotune.decisions.offsets import unfit_decision
from emotune.decisions.thresholds import ThresholdCalibrator
from emotune.errors import DataError, SettingError
from emotune.models import TextModel, build_model
from emotune.models.base import get_kind, kind_of
from emotune.settling import settle
from emotune.validation import check

log = logging.getLogger("emotune")


class Targets(Protocol):
    """What a model trains on instead of the gold labels (e.g. a teacher's soft targets, see ``emotune
    distill``): given the training rows as the model sees them, the texts and float targets to fit."""

    def __call__(self, train: EmotionDataset) -> tuple[list[str], np.ndarray]: ...


def probability_map(names: Sequence[str], row: np.ndarray) -> dict[str, float]:
    """``{label: probability}`` rounded to 4 digits, for JSON output."""
    return {name: round(float(p), 4) for name, p in zip(names, row, strict=True)}


class EmotionClassifier:
    """Preprocessing, a model and calibrated thresholds, fitted and saved together.

    Args:
        model: ``tfidf``, ``minilm``, a hub id or a local model folder; overrides ``config.model.name``.
        config: every other setting; defaults to :class:`~emotune.config.RunConfig`.

    Attributes:
        schema_: the label schema learned in :meth:`fit`.
        model_: the fitted model.
        calibrator_: the fitted :class:`~emotune.decisions.thresholds.ThresholdCalibrator`.
        dev_proba_: probabilities ``(n_dev, n_labels)`` on the validation rows the thresholds were fit on.
    """

    metrics_: dict[str, Any]  # set when loaded from a bundle: the metrics saved at training time
    path_: Path  # set when loaded from a bundle: its folder

    def __init__(self, model: str | None = None, config: RunConfig | None = None) -> None:
        self.config = (config or RunConfig()).model_copy(deep=True)
        if model is not None:
            self.config.model.name = model
        self.config = settle(self.config)  # what needs no data; fit_dataset settles the rest
        self.preprocessor = Preprocessor(self.config.preprocess)

    # --- fitting ---------------------------------------------------------------------------------------

    def fit(
        self,
        texts: Sequence[str],
        labels: Labels,
        *,
        label_names: Sequence[str] | None = None,
        dev_texts: Sequence[str] | None = None,
        dev_labels: Labels | None = None,
    ) -> EmotionClassifier:
        """Train on ``texts`` and calibrate thresholds on the dev texts (or a split-off part of train)."""
        train = dataset_from_labels(texts, labels, label_names, "train")
        dev = None
        if dev_texts is not None and dev_labels is not None:
            dev = dataset_from_labels(dev_texts, dev_labels, train.schema.names, "dev")
        return self.fit_dataset(train, dev)

    def fit_dataset(
        self,
        train: EmotionDataset,
        dev: EmotionDataset | None = None,
        work_dir: str | Path | None = None,
        targets: Targets | None = None,
        checked: bool = False,
        callbacks: Sequence[Any] = (),
    ) -> EmotionClassifier:
        """Train on ``train``; select checkpoints and fit thresholds on ``dev`` (without one, ``data.dev_size``
        of train is held out). ``work_dir`` receives checkpoints and per-epoch metrics of encoder training;
        ``targets`` replaces the gold labels the model fits (dev stays gold); ``checked``: the caller has
        validated the config already (a run does, before it reads the data); ``callbacks``: Trainer callbacks
        for the transformer kinds (tracking, sweep pruning). The config is settled on the
        training rows first (:func:`emotune.settling.settle`); the bundle records what was used."""
        if not checked:
            check(self.config)
        if dev is None:
            from emotune.data.splits import train_dev_split  # scikit-learn, iterstrat: not on the prediction path

            train, dev = train_dev_split(train, self.config.data.dev_size, self.config.train.seed)
            log.info("no dev set given: holding out %d rows of train to calibrate thresholds", len(dev))
        if dev.schema.names != train.schema.names:
            raise DataError(f"{dev.source}: dev labels {dev.schema.names} differ from train {train.schema.names}")
        self.schema_ = train.schema
        train, dev = self._training_rows(train), dialogue_view(dev, self.config.dialogue)
        self.dev_ = dev  # what the dev probabilities refer to (with dialogue.task: one row per scored turn)
        texts, y = (list(train.texts), train.targets()) if targets is None else targets(train)
        texts = self.preprocessor.transform(texts)
        self.config = settle(self.config, texts, train.schema)
        _check_masks(train, self.config)
        _check_decision(train.schema, self.config)
        dev_texts = self.preprocessor.transform(dev.texts)
        self.model_: TextModel = build_model(self.config).fit(
            texts,
            y,
            train.schema,
            dev=(dev_texts, dev.y),
            work_dir=Path(work_dir) if work_dir is not None else None,
            callbacks=callbacks,
        )
        self.dev_proba_ = self.model_.predict_proba(dev_texts)
        self.calibrator_ = ThresholdCalibrator.from_config(self.config.thresholds)
        self.calibrator_.fit(self.dev_proba_, dev.y, self.schema_)
        return self

    def settled_config(self, train: EmotionDataset) -> RunConfig:
        """The config a fit on ``train`` uses, every ``auto`` settled as :meth:`fit_dataset` settles it (the
        training rows as the model sees them; see :func:`emotune.settling.settle`). Nothing is trained;
        ``emotune config show`` prints it."""
        rows = self._training_rows(train)
        return settle(self.config, self.preprocessor.transform(rows.texts), rows.schema)

    def _training_rows(self, train: EmotionDataset) -> EmotionDataset:
        """The rows a model is fitted on: the dialogue view of ``train`` (one row per scored turn), rebalanced,
        then augmented (``augment``: training rows only, so inside every cv fold too)."""
        rows = rebalance(dialogue_view(train, self.config.dialogue), self.config.sampling, self.config.train.seed)
        return augment_rows(rows, self.config)

    # --- prediction ------------------------------------------------------------------------------------

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise RuntimeError("this EmotionClassifier is not fitted yet; call fit() or EmotionClassifier.load()")

    def predict_proba(self, texts: Sequence[str] | str) -> np.ndarray:
        """Label probabilities, shape ``(n_texts, n_labels)``, columns in ``schema_.names`` order."""
        self._check_fitted()
        batch = [texts] if isinstance(texts, str) else list(texts)
        return self.model_.predict_proba(self.preprocessor.transform(batch))

    def predict(self, texts: Sequence[str] | str) -> np.ndarray:
        """Indicator predictions ``(n_texts, n_labels)`` with the calibrated thresholds (argmax for multiclass)."""
        return self.decide(self.predict_proba(texts))

    def predict_labels(self, texts: Sequence[str] | str) -> list[list[str]]:
        """The predicted label names of each text."""
        return self.labels_from_proba(self.predict_proba(texts))

    def decide(self, probs: np.ndarray) -> np.ndarray:
        """Indicator decisions ``(n, n_labels)`` for probabilities this classifier (or a faster backend of the
        same bundle) computed: the bundle's thresholds, or its argmax rule for single-label data."""
        self._check_fitted()
        return self.calibrator_.predict(probs)

    def labels_from_proba(self, probs: np.ndarray) -> list[list[str]]:
        """The label names each row of ``probs`` decides for (see :meth:`decide`)."""
        return self.schema.decode(self.decide(probs))

    def records(self, texts: Sequence[str], probs: np.ndarray | None = None) -> list[dict[str, Any]]:
        """``{"text", "labels", "probabilities"}`` per text, probabilities as ``{label: p}`` rounded to 4 digits:
        what ``emotune predict``, the service and Ray write. ``probs`` skips the model when already computed."""
        probs = self.predict_proba(texts) if probs is None else probs
        names = self.label_names
        return [{"text": text, "labels": labels, "probabilities": probability_map(names, row)}
                for text, labels, row in zip(texts, self.labels_from_proba(probs), probs, strict=True)]  # fmt: skip

    def score(self, y: np.ndarray, probs: np.ndarray, prefix: str = "dev", **kwargs: Any) -> dict[str, Any]:
        """``{prefix: metrics}`` of ``probs`` against gold ``y`` with this classifier's thresholds; ``kwargs`` as
        :func:`emotune.evaluation.score.score` (``held_out``, ``groups``)."""
        from emotune.evaluation.score import score  # scikit-learn's metrics: not on the prediction path

        self._check_fitted()
        return score(y, probs, self.calibrator_, self.schema_, prefix=prefix, **kwargs)

    @property
    def schema(self) -> LabelSchema:
        """The label schema: names in column order and the task (multilabel or multiclass)."""
        self._check_fitted()
        return self.schema_

    @property
    def label_names(self) -> tuple[str, ...]:
        """The label names, in the column order of :meth:`predict_proba`."""
        return self.schema.names

    @property
    def task(self) -> str:
        """``multilabel`` or ``multiclass``."""
        return self.schema.task

    @property
    def calibrator(self) -> ThresholdCalibrator:
        """The fitted decision rule, for code that refits or re-scores it (held-out estimates); to decide, use
        :meth:`decide` or :meth:`labels_from_proba`."""
        self._check_fitted()
        return self.calibrator_

    @property
    def thresholds(self) -> dict[str, Any]:
        """The decision rule as saved in the bundle (per-label thresholds, or the argmax rule and its offsets)."""
        self._check_fitted()
        return self.calibrator_.to_dict()

    # --- persistence -----------------------------------------------------------------------------------

    def save(self, path: str | Path, metrics: dict[str, Any] | None = None) -> Path:
        """Write the bundle folder atomically; returns its path."""
        self._check_fitted()
        parts = Bundle(self.config, self.schema_, self.calibrator_, self.model_, metrics or {})
        return save_bundle(parts, Path(path))

    @classmethod
    def load(cls, path: str | Path) -> EmotionClassifier:
        """Load a bundle written by :meth:`save` or ``emotune train``."""
        parts = load_bundle(Path(path), load_member=cls.load)
        clf = cls.from_parts(parts.config, parts.schema, parts.calibrator, parts.model, parts.metrics)
        clf.path_ = Path(path)
        return clf

    @classmethod
    def from_parts(
        cls,
        config: RunConfig,
        schema: LabelSchema,
        calibrator: ThresholdCalibrator,
        model: TextModel,
        metrics: dict[str, Any] | None = None,
    ) -> EmotionClassifier:
        """A fitted classifier assembled from fitted parts, nothing trained: what a bundle loads into and what
        cv (a fold ensemble), blend, export (a faster backend) and distill build. ``config`` is copied."""
        clf = cls(config=config)
        clf.schema_, clf.calibrator_, clf.model_ = schema, calibrator, model
        clf.metrics_ = dict(metrics or {})
        return clf


def _check_masks(train: EmotionDataset, cfg: RunConfig) -> None:
    """Rows that leave labels unannotated need a model kind whose loss can leave them out."""
    if train.mask is None or train.mask.all():
        return
    kind = kind_of(cfg.model)
    if not get_kind(kind).label_masks:
        raise SettingError("data.sources", f"model kind {kind} cannot leave unannotated labels out of its loss; "
                                           "use model=tfidf, an encoder or a decoder classifier, or set the "
                                           "sources' unmapped: negative")  # fmt: skip


def _check_decision(schema: LabelSchema, cfg: RunConfig) -> None:
    """The decision objective fits these labels (checked before training, not after it)."""
    if why := unfit_decision(cfg.thresholds.decision, schema):
        raise SettingError("thresholds.decision", why)


def augment_rows(train: EmotionDataset, cfg: RunConfig) -> EmotionDataset:
    """``train`` with the rows of the config's ``augment`` steps added (synonyms from the run's own encoder)."""
    if not cfg.augment:
        return train
    from emotune.data.augment import Context, augment_dataset
    from emotune.models.families import resolve_model_path

    model = cfg.model.name if kind_of(cfg.model) in ("encoder", "decoder") else "minilm"
    return augment_dataset(train, cfg.augment, cfg.train.seed, Context(model, resolve_model_path))
