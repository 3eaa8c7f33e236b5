"""Decision thresholds as a fitted object, like scikit-learn's ``TunedThresholdClassifierCV``.

Fit it on validation (or out-of-fold) probabilities, never on the data the model was trained on; its
``thresholds_`` (multilabel) or ``offsets_`` (single-label) travel in the model bundle and
:meth:`ThresholdCalibrator.predict` applies them.

Multilabel strategies: ``per_label`` (one threshold per label, the best on the fitting rows), ``global`` (one
for all), ``fixed`` (``default``, nothing tuned), and two that overfit a small dev set less: ``bootstrap``
(per-label thresholds fitted on bootstrap resamples of the rows, their median kept) and ``shrunk`` (each
label's threshold pulled toward the global one, the more the fewer positives the label has). ``auto`` decides
from the evidence which of ``fixed``, ``global``, ``shrunk`` and ``per_label`` to use: each is fitted on one half of
the fitting rows and scored on the other, both ways. A tuned candidate must beat ``fixed`` (plain ``default``) on each
half; of those that do, the best on average wins. Otherwise, and below :data:`AUTO_MIN_ROWS` rows, ``fixed`` is
kept: tuning is used only where it beat ``default`` on rows it had not seen. The chosen strategy is then fitted
on all rows.
``min_labels=1`` gives every text at least one label: where no label reaches its threshold, the label
nearest to its threshold is taken. Thresholds are then fitted with that rule applied. ``min_labels="auto"``
fits with 0 and with 1 and keeps whichever scores better on the fitting rows.

Single-label (multiclass) tasks decide by argmax; with ``decision`` set to an objective (``macro_f1``,
``balanced_accuracy``, ``accuracy``, or ``micro_f1_without_neutral``: micro-F1 over every class but the
schema's neutral one, the DailyDialog convention), per-class offsets are fitted for it
(:mod:`emotune.decisions.offsets`).

>>> import numpy as np
>>> from emotune.data.labels import LabelSchema
>>> schema = LabelSchema(("a", "b"), "multilabel")
>>> probs = np.array([[0.9, 0.2], [0.3, 0.35], [0.8, 0.4], [0.1, 0.1]])
>>> y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]])
>>> cal = ThresholdCalibrator().fit(probs, y, schema)
>>> cal.predict(probs).tolist() == y.tolist()
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from emotune.data.labels import LabelSchema
from emotune.decisions.offsets import DECISIONS, fit_offsets
from emotune.decisions.scores import GRID, OBJECTIVES, class_objective, f1_by_threshold

if TYPE_CHECKING:
    from emotune.config import ThresholdConfig

STRATEGIES = ("per_label", "global", "fixed", "bootstrap", "shrunk", "auto")
AUTO_CANDIDATES = ("fixed", "global", "shrunk", "per_label")  # in order of preference: the first of equals wins
AUTO_MIN_ROWS = 40  # two halves of 20: fewer rows cannot show that tuning beats the default
BOOTSTRAP_ROUNDS = 30
SHRINK_POSITIVES = 20  # a label with this many positives keeps half of its own threshold's distance


class ThresholdCalibrator:
    """Per-label (or one global) thresholds that maximise an objective on validation probabilities.

    For a multiclass schema there is nothing to tune: :meth:`predict` takes the argmax.

    Args:
        strategy: ``per_label`` (one threshold per label), ``global`` (one for all) or ``fixed``
            (``default`` for all, no tuning).
        objective: ``macro_f1``, ``micro_f1`` or ``jaccard``, computed on the fitting data.
        default: threshold kept for labels with no positive example in the fitting data.
        decision: single-label tasks: ``argmax``, or the objective per-class offsets are fitted for; ``auto``
            is ``argmax`` here (:class:`~emotune.EmotionClassifier` settles it from the data's preset first).
        min_labels: multilabel: each text gets at least this many labels (those nearest their thresholds);
            ``auto``: 0 or 1, whichever scores better on the fitting data.

    Attributes:
        thresholds_: shape ``(n_labels,)``; ``None`` for multiclass.
        score_: the objective on the fitting data with ``thresholds_`` (optimistic: it was tuned there).
        chosen_: the strategy used (``strategy``, or what ``auto`` chose).
        held_out_: ``auto``: each candidate's objective fitted on one half of the rows and scored on the other,
            both ways, averaged (empty when there were too few rows to split).
    """

    def __init__(
        self,
        strategy: str = "per_label",
        objective: str = "macro_f1",
        default: float = 0.5,
        decision: str = "argmax",
        min_labels: int | str = 0,
    ) -> None:
        if strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
        if objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {tuple(OBJECTIVES)}, got {objective!r}")
        if decision not in (*DECISIONS, "auto"):
            raise ValueError(f"decision must be one of {DECISIONS} or auto, got {decision!r}")
        if min_labels != "auto" and not (isinstance(min_labels, int) and min_labels >= 0):
            raise ValueError(f"min_labels must be 0 or more, or 'auto', got {min_labels!r}")
        self.strategy = strategy
        self.objective = objective
        self.default = default
        self.decision = "argmax" if decision == "auto" else decision  # no preset here to ask (see settle_autos)
        self.min_labels = min_labels

    def fit(self, probs: np.ndarray, y_true: np.ndarray, schema: LabelSchema) -> ThresholdCalibrator:
        """Choose thresholds on ``probs`` ``(n, n_labels)`` against indicator ``y_true`` of the same shape."""
        probs, y = np.asarray(probs, dtype=float), np.asarray(y_true).astype(bool)
        if probs.shape != y.shape or probs.shape[1] != schema.n_labels:
            raise ValueError(f"expected probs and labels of shape (n, {schema.n_labels}), got {probs.shape}, {y.shape}")
        self.min_labels_ = 0 if self.min_labels == "auto" else int(self.min_labels)
        if self.min_labels_ > schema.n_labels:
            raise ValueError(f"min_labels is {self.min_labels} but there are only {schema.n_labels} labels")
        self.task_ = schema.task
        self.thresholds_: np.ndarray | None = None
        self.offsets_: np.ndarray | None = None
        self.chosen_: str = self.strategy
        self.held_out_: dict[str, float] = {}
        if schema.task == "multiclass":
            return self._fit_offsets(probs, y, schema)
        if self.strategy == "auto":
            return self._fit_auto(probs, y, schema)
        if self.min_labels == "auto":
            return self._fit_min_labels(probs, y, schema)
        score = OBJECTIVES[self.objective]
        thresholds = np.full(schema.n_labels, self.default)
        if self.strategy == "global":
            thresholds[:] = self._global(probs, y)
        elif self.strategy == "per_label":
            thresholds = self._per_label(probs, y)
        elif self.strategy == "bootstrap":
            rng = np.random.default_rng(0)
            rounds = [self._per_label(probs[idx], y[idx])
                      for idx in (rng.integers(0, len(y), len(y)) for _ in range(BOOTSTRAP_ROUNDS))]  # fmt: skip
            thresholds = np.round(np.median(rounds, axis=0), 2)
        elif self.strategy == "shrunk":
            weight = y.sum(axis=0) / (y.sum(axis=0) + SHRINK_POSITIVES)
            shrunk = np.round(weight * self._per_label(probs, y) + (1 - weight) * self._global(probs, y), 2)
            thresholds = np.where(y.any(axis=0), shrunk, self.default)  # no positives: nothing to learn from
        self.thresholds_ = thresholds
        self.score_ = score(self.predict(probs).astype(bool), y)
        return self

    def _fit_auto(self, probs: np.ndarray, y: np.ndarray, schema: LabelSchema) -> ThresholdCalibrator:
        """``strategy="auto"``: the candidate with the best objective on held-out halves, fitted on all rows."""
        chosen = "fixed"
        if len(y) >= AUTO_MIN_ROWS:
            folds = halves(y, schema)
            values = {name: np.array([self._with(name).fit(probs[a], y[a], schema)._objective(probs[b], y[b])
                                      for a, b in folds]) for name in AUTO_CANDIDATES}  # fmt: skip
            self.held_out_ = {name: round(float(v.mean()), 4) for name, v in values.items()}
            # tuning must beat the default on each half, not on average: one lucky half is not evidence
            winners = [name for name in AUTO_CANDIDATES if (values[name] > values["fixed"]).all()]
            chosen = max(winners, key=lambda name: self.held_out_[name], default="fixed")
        fitted = self._with(chosen).fit(probs, y, schema)
        self.thresholds_, self.score_, self.min_labels_ = fitted.thresholds_, fitted.score_, fitted.min_labels_
        self.chosen_ = chosen
        return self

    def _with(self, strategy: str) -> ThresholdCalibrator:
        return ThresholdCalibrator(strategy, self.objective, self.default, self.decision, self.min_labels)

    def _objective(self, probs: np.ndarray, y: np.ndarray) -> float:
        return OBJECTIVES[self.objective](self.predict(probs).astype(bool), np.asarray(y).astype(bool))

    def _fit_min_labels(self, probs: np.ndarray, y: np.ndarray, schema: LabelSchema) -> ThresholdCalibrator:
        """``min_labels="auto"``: fitted with 0 and with 1, the better on these rows kept (0 on a tie)."""
        fits = [ThresholdCalibrator(self.strategy, self.objective, self.default, min_labels=k).fit(probs, y, schema)
                for k in (0, 1)]  # fmt: skip
        best = max(fits, key=lambda cal: cal.score_)
        self.thresholds_, self.score_, self.min_labels_ = best.thresholds_, best.score_, best.min_labels_
        return self

    def _global(self, probs: np.ndarray, y: np.ndarray) -> float:
        score = OBJECTIVES[self.objective]
        return self._best(lambda t: score(self._decide(probs, np.full(probs.shape[1], t)), y))

    def _per_label(self, probs: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The best threshold of each label on ``(probs, y)``; labels without positives keep ``default``."""
        if self.objective == "macro_f1" and not self.min_labels_:
            return self._per_label_f1(probs, y)  # macro-F1 is a mean of per-label F1s: tune each alone
        score = OBJECTIVES[self.objective]
        starts = [np.full(y.shape[1], self._global(probs, y))]
        if self.min_labels_:  # the rule only adds labels: each label's own best threshold is a second start
            starts.append(self._per_label_f1(probs, y))
        ends = [self._ascend(probs, y, start) for start in starts]
        return max(ends, key=lambda t: score(self._decide(probs, t), y))  # the first on a tie

    def _ascend(self, probs: np.ndarray, y: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
        """Two rounds of coordinate ascent on the objective from ``thresholds``, one label at a time."""
        score = OBJECTIVES[self.objective]
        for _ in range(2):
            for j in np.flatnonzero(y.any(axis=0)):

                def with_j(t: float, j: int = int(j)) -> float:
                    trial = thresholds.copy()
                    trial[j] = t
                    return score(self._decide(probs, trial), y)

                thresholds[j] = self._best(with_j, start=thresholds[j])
        return thresholds

    def _fit_offsets(self, probs: np.ndarray, y: np.ndarray, schema: LabelSchema) -> ThresholdCalibrator:
        """Per-class offsets for ``decision`` (see :mod:`emotune.decisions.offsets`) and their score here."""
        self.offsets_ = fit_offsets(probs, y, schema, self.decision)
        n, neutral = probs.shape[1], schema.names.index(schema.neutral) if schema.neutral is not None else None
        objective = "accuracy" if self.decision == "argmax" else self.decision
        decided = self.predict(probs).argmax(axis=1)
        self.score_ = class_objective(decided, y.argmax(axis=1), n, objective, neutral) if len(y) else 0.0
        return self

    def _best(self, score: Callable[[float], float], start: float | None = None) -> float:
        """The grid value with the best score; ties go to the value nearest ``start`` (or ``default``)."""
        values = np.array([score(float(t)) for t in GRID])
        anchor = self.default if start is None else start
        ties = GRID[values >= values.max() - 1e-12]
        return float(ties[np.argmin(np.abs(ties - anchor))])

    def _per_label_f1(self, probs: np.ndarray, y: np.ndarray) -> np.ndarray:
        thresholds = np.full(y.shape[1], self.default)
        for j in np.flatnonzero(y.any(axis=0)):
            f1 = f1_by_threshold(probs[:, j], y[:, j])
            ties = GRID[f1 >= f1.max() - 1e-12]
            thresholds[j] = ties[np.argmin(np.abs(ties - self.default))]
        return thresholds

    def predict(self, probs: np.ndarray) -> np.ndarray:
        """Indicator predictions ``(n, n_labels)`` as ``int8``."""
        if not hasattr(self, "task_"):
            raise RuntimeError("ThresholdCalibrator is not fitted yet; call fit(probs, y, schema) first")
        probs = np.asarray(probs, dtype=float)
        if self.task_ == "multiclass":
            scores = probs if self.offsets_ is None else np.log(np.clip(probs, 1e-12, None)) + self.offsets_
            out = np.zeros(probs.shape, dtype=np.int8)
            out[np.arange(len(probs)), scores.argmax(axis=1)] = 1
            return out
        assert self.thresholds_ is not None
        return self._decide(probs, self.thresholds_).astype(np.int8)

    def _decide(self, probs: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
        """Boolean decisions: each label at its threshold, then ``min_labels`` per row made up from the
        labels with the largest ``probability - threshold``."""
        pred = probs >= thresholds
        k = self.min_labels_
        if k:
            short = np.flatnonzero(pred.sum(axis=1) < k)
            if len(short):
                top = np.argpartition(thresholds - probs[short], k - 1, axis=1)[:, :k]
                pred[short[:, None], top] = True
        return pred

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready state for the bundle."""
        return {
            "strategy": self.strategy,
            "objective": self.objective,
            "default": self.default,
            "decision": self.decision,
            "min_labels": self.min_labels,
            "min_labels_fitted": getattr(self, "min_labels_", None),
            "chosen": getattr(self, "chosen_", None),
            "held_out": getattr(self, "held_out_", None),
            "task": getattr(self, "task_", None),
            "thresholds": None if getattr(self, "thresholds_", None) is None else self.thresholds_.tolist(),  # type: ignore[union-attr]
            "offsets": None if getattr(self, "offsets_", None) is None else self.offsets_.tolist(),  # type: ignore[union-attr]
        }

    @classmethod
    def from_config(cls, cfg: ThresholdConfig | Mapping[str, Any]) -> ThresholdCalibrator:
        """An unfitted calibrator as ``cfg`` (a ``thresholds:`` config section, or a bundle's saved
        thresholds) describes it."""
        if isinstance(cfg, Mapping):  # older bundles have no "decision" or "min_labels"
            return cls(cfg["strategy"], cfg["objective"], cfg["default"], cfg.get("decision", "argmax"),
                       cfg.get("min_labels", 0))  # fmt: skip
        return cls(cfg.strategy, cfg.objective, cfg.default, cfg.decision, cfg.min_labels)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ThresholdCalibrator:
        cal = cls.from_config(data)
        if data.get("task"):
            cal.task_ = data["task"]
            cal.thresholds_ = None if data["thresholds"] is None else np.asarray(data["thresholds"], dtype=float)
            offsets = data.get("offsets")
            cal.offsets_ = None if offsets is None else np.asarray(offsets, dtype=float)
            cal.min_labels_ = int(data.get("min_labels_fitted") or 0)
            cal.chosen_, cal.held_out_ = data.get("chosen") or cal.strategy, dict(data.get("held_out") or {})
        return cal


def halves(y: np.ndarray, schema: LabelSchema, groups: np.ndarray | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Two ``(fit, score)`` index pairs: the rows split in two, stratified over the labels (seed 0; with
    ``groups``, dialogues kept whole). The split of ``auto`` here and of every held-out estimate."""
    from emotune.data.dataset import EmotionDataset
    from emotune.data.splits import kfold  # scikit-learn: only a fit needs it

    rows = EmotionDataset([""] * len(y), np.asarray(y).astype(np.int8), schema, groups=groups, source="dev")
    return kfold(rows, k=2, seed=0)
