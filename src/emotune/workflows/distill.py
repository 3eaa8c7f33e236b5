"""``emotune distill``: train a student model on a teacher bundle's probabilities.

The teacher is any bundle (a ``cv`` fold ensemble is the main use: one student keeps most of five models'
quality at a fifth of their prediction cost). Each training row's target is ``w * teacher probabilities +
(1 - w) * gold labels`` (``distill.teacher_weight``); texts from ``distill.unlabelled`` are added with the
teacher's probabilities alone. BCE (multilabel) and cross-entropy (multiclass) take such soft targets as they
are. Epoch selection and thresholds use the gold dev labels as in ``emotune train``; the run folder is the
same, and ``metrics.json`` adds the teacher's own scores on dev next to the student's. The bundle's config
records the teacher (``distill.*``).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from emotune.classifier import EmotionClassifier
from emotune.config import RunConfig
from emotune.data.dataset import EmotionDataset
from emotune.data.readers import check_texts, read_texts
from emotune.errors import DataError, SettingError
from emotune.inference import predict_proba_batched
from emotune.models.base import kind_of
from emotune.runs.training import TrainResult
from emotune.runs.training import run as train_run
from emotune.settling import settle

log = logging.getLogger("emotune")

STUDENT_KINDS = ("encoder", "decoder")  # trained on float targets by a registry loss


class SoftTargets:
    """The :class:`~emotune.classifier.Targets` of a student: the teacher's probabilities mixed with gold."""

    def __init__(self, teacher: EmotionClassifier, weight: float, unlabelled: list[str], source: str) -> None:
        self.teacher, self.weight, self.unlabelled, self.source = teacher, weight, unlabelled, source

    def _probabilities(self, texts: list[str], what: str) -> np.ndarray:
        log.info("teacher %s: labelling %d %s", self.source, len(texts), what)
        return predict_proba_batched(self.teacher.predict_proba, texts, len(self.teacher.label_names))

    def __call__(self, train: EmotionDataset) -> tuple[list[str], np.ndarray]:
        schema = self.teacher.schema
        if (schema.names, schema.task) != (train.schema.names, train.schema.task):
            raise DataError(f"{self.source}: the teacher predicts {schema.task} {list(schema.names)}, the "
                            f"training data has {train.schema.task} {list(train.schema.names)}; "
                            "distil on the teacher's data")  # fmt: skip
        texts = list(train.texts)
        y = self.weight * self._probabilities(texts, "training texts") + (1 - self.weight) * train.y
        if self.unlabelled:
            texts += self.unlabelled
            y = np.vstack([y, self._probabilities(self.unlabelled, "unlabelled texts")])
        return texts, y.astype(np.float32)

    def report(self, dev: EmotionDataset) -> dict[str, Any]:
        """The teacher's scores on the student's dev rows, with its own thresholds (and held out)."""
        probs = self._probabilities(list(dev.texts), "dev texts")
        scores = self.teacher.score(dev.y, probs, held_out=True, groups=dev.groups)
        keep = ("dev", "dev_at_default_threshold", "dev_two_fold")
        return {"teacher": {"bundle": self.source, "kind": self.teacher.model_.kind,
                            **{k: v for k, v in scores.items() if k in keep}}}  # fmt: skip


def read_unlabelled(cfg: RunConfig) -> list[str]:
    """The texts of ``distill.unlabelled`` (none when unset)."""
    if cfg.distill.unlabelled is None:
        return []
    path = Path(cfg.distill.unlabelled)
    if not path.is_file():
        raise DataError(f"{path}: no such file (distill.unlabelled / --unlabelled)")
    table = read_texts(path, cfg.distill.text_column)
    texts = table.frame[cfg.distill.text_column].tolist()
    check_texts(table, texts, path)
    return [str(t) for t in texts]


def run(cfg: RunConfig, output: str | Path, overwrite: bool = False) -> TrainResult:
    """Distil ``cfg.distill.teacher`` into the model ``cfg.model`` describes; writes a run folder like
    :func:`emotune.runs.training.run`."""
    if cfg.distill.teacher is None:
        raise SettingError("distill.teacher", "no teacher bundle; pass --teacher BUNDLE")
    kind = kind_of(cfg.model)
    if kind not in STUDENT_KINDS:
        raise SettingError("model.name", f"a {kind} student cannot learn soft targets; distil into an encoder "
                                         "(model=minilm, optionally model.layers=3) or a decoder")  # fmt: skip
    teacher = EmotionClassifier.load(cfg.distill.teacher)
    if teacher.config.dialogue != settle(cfg).dialogue:  # the teacher's config is settled; compare like with like
        raise SettingError("dialogue", "the student must read the data as the teacher did; drop the dialogue.* "
                                       "overrides (the teacher's are used)")  # fmt: skip
    targets = SoftTargets(teacher, cfg.distill.teacher_weight, read_unlabelled(cfg), cfg.distill.teacher)
    log.info("distilling %s (%s) into %s, teacher weight %.2f%s", cfg.distill.teacher, teacher.model_.kind,
             cfg.model.name, cfg.distill.teacher_weight,
             f", {len(targets.unlabelled)} unlabelled texts" if targets.unlabelled else "")  # fmt: skip
    return train_run(cfg, output, overwrite, targets=targets, report=targets.report)
