"""Fine-tuning a tiny in-process BERT end to end: CLI, bundle, reload parity, resume, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from emotune import EmotionClassifier, RunConfig, load_dataset
from emotune.errors import ConfigError
from emotune.settling import settle

FAST = ["epochs=2", "batch_size=32", "max_length=32", "train.eval_batch_size=64", "lr=1e-3"]


@pytest.fixture(scope="module")
def encoder_run(tmp_path_factory: pytest.TempPathFactory, tiny_bert: Path, sample_dir: Path) -> Path:
    from emotune.cli import main

    run = tmp_path_factory.mktemp("encoder") / "run"
    code = main(["-q", "train", "--preset", "semeval2018-ec", "--data-dir", str(sample_dir), "--output", str(run),
                 f"model={tiny_bert}", "train.loss.pos_weight=sqrt", *FAST])  # fmt: skip
    assert code == 0
    return run


def test_cli_run_writes_bundle_epochs_and_cleans_checkpoints(encoder_run: Path) -> None:
    bundle = encoder_run / "model"
    for name in ("emotune.json", "model.safetensors", "encoder.json", "encoder/config.json"):
        assert (bundle / name).is_file(), name
    epochs = [json.loads(line) for line in (encoder_run / "epochs.jsonl").read_text().splitlines()]
    assert [e["epoch"] for e in epochs] == [1.0, 2.0]
    assert all(e["train_loss"] is not None and "macro_f1" in e for e in epochs)
    assert not (encoder_run / "checkpoints").exists()
    metrics = json.loads((encoder_run / "metrics.json").read_text())
    chosen = metrics["dev_two_fold_with_epoch_choice"]  # 2 epochs: the choice between them is held out too
    assert set(chosen) == set(metrics["dev_two_fold"]) and 0 <= chosen["macro_f1"] <= 1
    assert f"{chosen['macro_f1']:.4f} with the epoch also chosen held out" in (encoder_run / "train.log").read_text()
    assert "epoch also chosen held out" in (encoder_run / "report.html").read_text()  # a row of the score table
    assert "epoch also chosen held out" in (bundle / "README.md").read_text()  # and of the card's model-index
    manifest = json.loads((bundle / "emotune.json").read_text())
    assert manifest["model_kind"] == "encoder" and len(manifest["thresholds"]["thresholds"]) == 11


def test_bundle_reloads_to_identical_probabilities(encoder_run: Path, sample_dir: Path) -> None:
    saved = pd.read_csv(encoder_run / "dev_probabilities.csv")
    clf = EmotionClassifier.load(encoder_run / "model")
    probs = clf.predict_proba(saved["text"].tolist())
    expected = saved[[c for c in saved.columns if c.startswith("prob_")]].to_numpy()
    np.testing.assert_allclose(probs, expected, atol=1e-6)


def test_evaluate_and_predict_use_the_encoder_bundle(encoder_run: Path, sample_dir: Path, cli) -> None:
    bundle = encoder_run / "model"
    report = cli("evaluate", "--model", bundle, "--data", sample_dir / "2018-E-c-En-dev.txt", "--json")
    assert report.code == 0, report.err
    trained = json.loads((encoder_run / "metrics.json").read_text())["dev"]  # the same bundle on the same dev file
    assert json.loads(report.out)["macro_f1"] == pytest.approx(trained["macro_f1"], abs=1e-6)
    text = "I am so scared"
    predicted = cli("predict", "--model", bundle, "--json", text)
    assert predicted.code == 0, predicted.err
    record = json.loads(predicted.out)
    clf = EmotionClassifier.load(bundle)
    probs = clf.predict_proba([text])[0]
    assert record["text"] == text
    assert record["probabilities"] == pytest.approx(dict(zip(clf.schema_.names, probs.tolist(), strict=True)), abs=1e-4)
    assert record["labels"] == [name for name, keep in zip(clf.schema_.names, clf.predict([text])[0], strict=True)
                                if keep]  # fmt: skip


def test_python_api_multiclass_with_focal_and_mlp_head(
    tiny_bert: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # fitting without a run folder writes nothing into the working directory
    texts = ["so happy today", "this is awful", "I am scared", "what a joy", "terrible news", "so afraid"] * 8
    labels = ["joy", "sadness", "fear", "joy", "sadness", "fear"] * 8
    cfg = RunConfig.model_validate({"model": {"name": str(tiny_bert), "head": "mlp", "head_hidden": 8},
                                    "train": {"epochs": 1, "batch_size": 16, "loss": {"name": "focal"}}})  # fmt: skip
    clf = EmotionClassifier(config=cfg).fit(texts, labels, dev_texts=texts[:12], dev_labels=labels[:12])
    probs = clf.predict_proba(texts[:6])
    assert probs.shape == (6, 3) and np.allclose(probs.sum(axis=1), 1, atol=1e-5)
    assert [h.shape for h in clf.model_.dev_history_] == [(12, 3)]  # one epoch's dev probabilities
    assert list(tmp_path.iterdir()) == []
    again = EmotionClassifier.load(clf.save(tmp_path / "m")).predict_proba(texts[:6])
    np.testing.assert_allclose(again, probs, atol=1e-6)


def test_frozen_layers_keep_their_weights_and_the_rest_trains(tiny_bert: Path, sample_dir: Path) -> None:
    train = load_dataset(sample_dir / "2018-E-c-En-train.txt", preset="semeval2018-ec").subset(range(64))
    cfg = RunConfig.model_validate({"model": {"name": str(tiny_bert), "freeze_embeddings": True, "freeze_layers": 1},
                                    "train": {"epochs": 1, "batch_size": 32, "lr": 1e-3}})  # fmt: skip
    clf = EmotionClassifier(config=cfg).fit_dataset(train)
    from transformers import AutoModel

    base = AutoModel.from_pretrained(tiny_bert).state_dict()
    tuned = clf.model_.module_.encoder.state_dict()  # type: ignore[attr-defined]
    for frozen in ("embeddings.word_embeddings.weight", "encoder.layer.0.output.dense.weight"):
        assert torch.equal(base[frozen], tuned[frozen]), frozen
    assert not torch.equal(base["encoder.layer.1.output.dense.weight"], tuned["encoder.layer.1.output.dense.weight"])


def test_resume_continues_from_the_last_checkpoint(tiny_bert: Path, sample_dir: Path, tmp_path: Path, cli) -> None:
    run = tmp_path / "run"
    common = ["train", "--preset", "semeval2018-ec", "--data-dir", sample_dir, "--output", run, f"model={tiny_bert}",
              "batch_size=32", "max_length=32", "train.keep_checkpoints=true"]  # fmt: skip
    assert cli(*common, "epochs=1").code == 0
    assert any((run / "checkpoints").glob("checkpoint-*"))
    result = cli(*common, "epochs=2", "--resume")
    assert result.code == 0
    log = (run / "train.log").read_text()
    assert "resuming from" in log and log.count("fine-tuning") == 2  # the first run's log is kept, not rewritten
    epochs = [json.loads(line) for line in (run / "epochs.jsonl").read_text().splitlines()]
    assert [e["epoch"] for e in epochs] == [1.0, 2.0]  # epoch 1 was kept and not redone


def test_unreachable_hub_id_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import transformers

    def offline(*args: object, **kwargs: object) -> None:
        raise OSError("We couldn't connect to the Hugging Face hub")

    monkeypatch.setattr(transformers.AutoConfig, "from_pretrained", offline)
    from emotune.models.families import resolve_model_path

    with pytest.raises(ConfigError, match=r"cannot load 'some-org/some-model'.*model=/path/to/model"):
        resolve_model_path("some-org/some-model")
    assert Path(resolve_model_path("minilm"), "config.json").is_file()


def test_dev_metrics_score_the_sum_of_macro_f1_and_jaccard_for_multilabel_data() -> None:
    from transformers.trainer_utils import EvalPrediction

    from emotune.config import ThresholdConfig
    from emotune.data.labels import LabelSchema
    from emotune.training.trainer import DevMetrics

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, size=(40, 3)).astype(np.float32)
    logits = rng.normal(size=(40, 3)) + 2 * (y - 0.5)
    multilabel = LabelSchema(("a", "b", "c"), "multilabel")
    scores = DevMetrics(multilabel, ThresholdConfig())(EvalPrediction(predictions=logits, label_ids=y))
    assert scores["macro_f1+jaccard"] == pytest.approx(scores["macro_f1"] + scores["jaccard"])
    assert DevMetrics.selectable(multilabel) == ["macro_f1", "micro_f1", "jaccard", "weighted_f1", "macro_f1+jaccard"]
    multiclass = LabelSchema(("a", "b", "c"), "multiclass")
    one_hot = np.eye(3, dtype=np.float32)[rng.integers(0, 3, size=40)]
    scores = DevMetrics(multiclass, ThresholdConfig())(EvalPrediction(predictions=logits, label_ids=one_hot))
    assert "macro_f1+jaccard" not in scores and "jaccard" not in DevMetrics.selectable(multiclass)


def test_select_metric_macro_f1_plus_jaccard_keeps_the_epoch_with_the_best_sum(
    tiny_bert: Path, sample_dir: Path, tmp_path: Path, cli
) -> None:
    run = tmp_path / "run"
    result = cli("train", "--preset", "semeval2018-ec", "--data-dir", sample_dir, "--output", run,
                 f"model={tiny_bert}", *FAST, "epochs=3", "train.select_metric=macro_f1+jaccard")  # fmt: skip
    assert result.code == 0
    epochs = [json.loads(line) for line in (run / "epochs.jsonl").read_text().splitlines()]
    assert all(e["macro_f1+jaccard"] == pytest.approx(e["macro_f1"] + e["jaccard"], abs=2e-4) for e in epochs)
    best = max(e["macro_f1+jaccard"] for e in epochs)
    kept = re.search(
        r"best checkpoint: checkpoint-\d+ \(dev macro_f1\+jaccard ([0-9.]+)\)", (run / "train.log").read_text()
    )
    assert kept is not None and float(kept.group(1)) == pytest.approx(best, abs=2e-4)  # the sum, not macro-F1 alone


def test_select_metric_that_the_task_does_not_score_is_refused(tiny_bert: Path, tmp_path: Path) -> None:
    texts, labels = ["so happy today", "this is awful", "I am scared"] * 4, ["joy", "sadness", "fear"] * 4
    cfg = RunConfig.model_validate({"model": {"name": str(tiny_bert)},
                                    "train": {"epochs": 1, "select_metric": "jaccard"}})  # fmt: skip
    with pytest.raises(
        ConfigError, match=r"train\.select_metric.*multiclass data; use one of macro_f1, micro_f1, weighted_f1$"
    ):
        EmotionClassifier(config=cfg).fit(texts, labels, dev_texts=texts[:3], dev_labels=labels[:3])


class LengthScorer(torch.nn.Module):
    """A stand-in classifier whose logits are plus and minus the text's token count / 10: its probabilities
    say which row they belong to."""

    def __init__(self) -> None:
        super().__init__()
        self.head = torch.nn.Linear(1, 1)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor | None = None,
                labels: torch.Tensor | None = None) -> dict[str, torch.Tensor]:  # fmt: skip
        length = attention_mask.sum(dim=1, keepdim=True).float() / 10 + 0 * self.head.weight.sum()
        return {"logits": torch.cat([length, -length], dim=1)}


def test_dev_probabilities_of_each_evaluation_follow_the_dev_rows(tiny_bert: Path) -> None:
    """Training batches are grouped by length; evaluation must keep the dev order, or the per-epoch
    probabilities (``DevMetrics.history``, the held-out epoch choice) would belong to other rows."""
    from transformers import AutoTokenizer

    from emotune.data.labels import LabelSchema
    from emotune.losses import LabelStats, build_loss
    from emotune.models.transformer import fitting
    from emotune.models.transformer.inputs import TextInputs

    texts = [" ".join(["word"] * n) for n in (9, 1, 14, 3, 20, 2, 7, 11)] * 3  # lengths out of order
    y = np.array([[i % 2, 1 - i % 2] for i in range(len(texts))], dtype=np.float32)
    schema = LabelSchema(("a", "b"), "multilabel")
    cfg = settle(RunConfig.model_validate({"train": {"epochs": 1, "batch_size": 4, "eval_batch_size": 4}}))
    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)
    rows = fitting.encode(TextInputs(tokenizer, 32), texts, y)
    loss = build_loss(cfg.train.loss, LabelStats.from_y(y, "multilabel"))
    trainer = fitting.classifier_trainer(LengthScorer(), tokenizer, cfg, "fp32", schema, rows, rows, loss, "head")
    trainer.evaluate()
    lengths = np.array(rows["length"], dtype=np.float64)
    np.testing.assert_allclose(trainer.compute_metrics.history[0][:, 0], 1 / (1 + np.exp(-lengths / 10)), atol=1e-6)
