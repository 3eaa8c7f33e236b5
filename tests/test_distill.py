"""Knowledge distillation (``emotune distill``), soft targets through the losses, and smaller students
(``model.layers``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml

from emotune import EmotionClassifier
from emotune.config import LossConfig, RunConfig
from emotune.data.dataset import dataset_from_labels
from emotune.data.labels import LabelSchema
from emotune.errors import SettingError
from emotune.losses import LabelStats, build_loss
from emotune.models.base import build_model
from emotune.settling import settle
from emotune.workflows.distill import SoftTargets

TEXTS = ["so happy today", "this is awful", "love you all", "i am furious", "what a great day", "so angry now"] * 4


def test_soft_targets_mix_teacher_and_gold_and_add_unlabelled_texts() -> None:
    labels = [["joy"], ["anger"], ["joy"], ["anger"], ["joy"], ["anger"]] * 4
    teacher = EmotionClassifier("tfidf").fit(TEXTS, labels)
    train = dataset_from_labels(TEXTS, labels)
    texts, y = SoftTargets(teacher, 0.25, ["a new text", "another one"], "t")(train)
    p = teacher.predict_proba(TEXTS)
    np.testing.assert_allclose(y[: len(TEXTS)], 0.25 * p + 0.75 * train.y, rtol=1e-6)
    np.testing.assert_allclose(y[len(TEXTS) :], teacher.predict_proba(["a new text", "another one"]), rtol=1e-6)
    assert texts == [*TEXTS, "a new text", "another one"] and y.dtype == np.float32


def test_a_student_learns_soft_targets(tiny_bert: Path) -> None:
    """Targets that are not 0/1 (a teacher's 0.8 / 0.2) are what the student ends up predicting."""
    joy = np.array(["happy" in t or "great" in t or "love" in t for t in TEXTS])
    y = np.stack([np.where(joy, 0.8, 0.2), np.where(joy, 0.3, 0.6)], axis=1).astype(np.float32)
    model_cfg = {"name": str(tiny_bert), "dropout": 0.0, "bias_init": False, "max_length": 16}
    cfg = settle(RunConfig.model_validate({"model": model_cfg,
                                           "train": {"epochs": 25, "lr": 1e-2, "batch_size": 24, "precision": "fp32",
                                                     "loss": {"pos_weight": "none"}}}))  # fmt: skip
    model = build_model(cfg).fit(TEXTS, y, LabelSchema(("joy", "anger"), "multilabel"))
    probs = model.predict_proba(TEXTS)
    assert np.abs(probs - y).max() < 0.1  # soft, not pushed to 0 / 1


def test_cross_entropy_takes_soft_class_targets() -> None:
    loss = build_loss(LossConfig(), LabelStats.from_y(np.eye(3), "multiclass"))
    logits, soft = torch.randn(4, 3), torch.softmax(torch.randn(4, 3), dim=-1)
    expected = -(soft * torch.log_softmax(logits, dim=-1)).sum(dim=1).mean()
    assert float(loss(logits, soft)) == pytest.approx(float(expected), rel=1e-5)
    weight = torch.tensor([1.0, 2.0, 4.0])  # one-hot labels: exactly PyTorch's class-index loss, weights included
    weighted = build_loss(LossConfig(class_weight=weight.tolist()), LabelStats.from_y(np.eye(3), "multiclass"))
    classes = torch.tensor([0, 2, 1, 0])
    expected_hard = torch.nn.functional.cross_entropy(logits, classes, weight=weight)
    assert float(weighted(logits, torch.eye(3)[classes])) == pytest.approx(float(expected_hard), rel=1e-5)


def test_distill_cli_trains_a_smaller_student_on_the_teachers_data(
    trained_bundle: Path, tiny_bert: Path, tmp_path: Path, cli
) -> None:
    unlabelled = tmp_path / "more.txt"
    unlabelled.write_text("what a lovely morning\nthis is so unfair\n", encoding="utf-8")
    run = tmp_path / "student"
    result = cli("-q", "distill", "--teacher", trained_bundle, "--output", run, "--unlabelled", unlabelled,
                 f"model={tiny_bert}", "layers=1", "epochs=1", "train.precision=fp32")  # fmt: skip
    assert result.code == 0, result.err
    metrics = json.loads((run / "metrics.json").read_text())
    teacher_cfg = EmotionClassifier.load(trained_bundle).config
    assert metrics["teacher"]["kind"] == "tfidf" and "macro_f1" in metrics["teacher"]["dev_two_fold"]
    assert metrics["train_rows"] == 400 and metrics["dev_rows"] == 100  # the teacher's data by default
    student = EmotionClassifier.load(run / "model")
    assert student.config.distill.teacher == str(trained_bundle.resolve())  # the bundle records its teacher
    assert student.config.data.data_dir == teacher_cfg.data.data_dir
    assert student.model_.module_.encoder.config.num_hidden_layers == 1  # type: ignore[attr-defined]
    assert yaml.safe_load((run / "config.yaml").read_text())["distill"]["unlabelled"] == str(unlabelled.resolve())


def test_distill_with_the_data_named_again_reads_it_as_the_teacher_did(
    trained_bundle: Path, tiny_bert: Path, tmp_path: Path, cli, sample_dir: Path
) -> None:
    """The teacher's saved config has every ``auto`` settled (``dialogue.context: 0``), a fresh command line has
    not: naming the teacher's own data again must still pass the same-reading check."""
    assert EmotionClassifier.load(trained_bundle).config.dialogue.context == 0
    run = tmp_path / "student"
    result = cli("-q", "distill", "--teacher", trained_bundle, "--preset", "semeval2018-ec", "--data-dir", sample_dir,
                 "--output", run, f"model={tiny_bert}", "epochs=1", "train.precision=fp32")  # fmt: skip
    assert result.code == 0, result.err
    refused = cli("-q", "distill", "--teacher", trained_bundle, "--preset", "semeval2018-ec", "--data-dir",
                  sample_dir, "--output", tmp_path / "other", f"model={tiny_bert}", "dialogue.context=2")  # fmt: skip
    assert refused.code == 2 and "the student must read the data as the teacher did" in refused.err


def test_distill_refuses_bad_teachers_and_students_before_any_work(
    trained_bundle: Path, tmp_path: Path, cli, sample_dir: Path
) -> None:
    missing = cli("distill", "--teacher", tmp_path / "nowhere", "--output", tmp_path / "a")
    assert missing.code == 2 and missing.err.count("\n") == 1 and "nowhere" in missing.err
    tfidf = cli("distill", "--teacher", trained_bundle, "--output", tmp_path / "b", "model=tfidf")
    assert tfidf.code == 2 and "cannot learn soft targets" in tfidf.err
    no_file = cli(
        "distill", "--teacher", trained_bundle, "--output", tmp_path / "c", "--unlabelled", tmp_path / "x.txt"
    )
    assert no_file.code == 2 and "x.txt" in no_file.err
    assert not any((tmp_path / name).exists() for name in "abc")


def test_model_layers_keeps_evenly_spaced_layers_and_reloads(tiny_bert: Path, tmp_path: Path) -> None:
    cfg = RunConfig.model_validate({"model": {"name": str(tiny_bert), "layers": 1},
                                    "train": {"epochs": 1, "precision": "fp32"}})  # fmt: skip
    labels = [["joy"], ["anger"]] * 12
    clf = EmotionClassifier(config=cfg).fit(TEXTS, labels)
    encoder = clf.model_.module_.encoder  # type: ignore[attr-defined]
    assert len(encoder.encoder.layer) == 1 and encoder.config.num_hidden_layers == 1
    expected = clf.predict_proba(TEXTS[:4])
    clf.save(tmp_path / "b")
    np.testing.assert_allclose(EmotionClassifier.load(tmp_path / "b").predict_proba(TEXTS[:4]), expected, atol=1e-6)
    with pytest.raises(SettingError, match="at most 2"):
        EmotionClassifier(config=RunConfig.model_validate({"model": {"name": str(tiny_bert), "layers": 5}})).fit(
            TEXTS, labels)  # fmt: skip
