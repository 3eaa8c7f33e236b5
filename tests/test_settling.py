"""The one place every ``auto`` is settled: what it settles without data and on the training rows."""

from __future__ import annotations

from pathlib import Path

from emotune import EmotionClassifier, load_dataset
from emotune.config import RunConfig, load_config
from emotune.data.labels import LabelSchema
from emotune.settling import settle

TEXTS = ["so happy today", "this is awful and I hate it", "love you all"] * 4


def test_without_data_only_what_needs_none_is_settled() -> None:
    cfg = load_config(None, ["data.preset=dailydialog"])
    settled = settle(cfg)
    assert settled.thresholds.decision == "micro_f1_without_neutral"  # the preset's
    assert (settled.train.lr, settled.train.batch_size) == (1e-4, 32)  # the model's recipe
    assert (settled.data.task, settled.train.loss.name, settled.model.max_length) == ("auto", "auto", "auto")
    assert cfg.train.lr == "auto" and cfg.thresholds.decision == "auto"  # a copy: the given config is unchanged


def test_on_the_training_rows_the_task_loss_and_length_are_settled(tiny_bert: Path) -> None:
    cfg = RunConfig.model_validate({"model": {"name": str(tiny_bert)}})
    settled = settle(cfg, ["word " * 40] * 10 + TEXTS, LabelSchema(("joy", "anger", "love"), "multiclass"))
    assert (settled.data.task, settled.train.loss.name) == ("multiclass", "ce")
    assert isinstance(settled.model.max_length, int) and settled.model.max_length >= 40  # the long texts count
    assert settle(settled, TEXTS, LabelSchema(("joy", "anger", "love"), "multiclass")) == settled  # idempotent
    assert settled.train.precision == "auto"  # the machine's, asked where the model runs


def test_a_model_without_a_token_length_keeps_max_length_auto() -> None:
    settled = settle(RunConfig.model_validate({"model": {"name": "tfidf"}}), TEXTS,
                     LabelSchema(("joy", "anger"), "multilabel"))  # fmt: skip
    assert settled.model.max_length == "auto" and settled.train.loss.name == "bce"


def test_the_bundle_records_the_settled_recipe(tiny_bert: Path, sample_dir: Path, tmp_path: Path) -> None:
    data = load_dataset(sample_dir / "2018-E-c-En-train.txt", preset="semeval2018-ec")
    dev = load_dataset(sample_dir / "2018-E-c-En-dev.txt", preset="semeval2018-ec")
    cfg = load_config(None, [f"model={tiny_bert}", "epochs=1", "train.precision=fp32"])
    clf = EmotionClassifier(config=cfg)
    expected = clf.settled_config(data)  # what `emotune config show` prints
    clf.fit_dataset(data, dev)
    assert clf.config.model.max_length == expected.model.max_length != "auto"
    assert clf.config.train.loss.name == expected.train.loss.name == "bce"
    bundle = clf.save(tmp_path / "bundle")
    assert EmotionClassifier.load(bundle).config == clf.config
    card = (bundle / "README.md").read_text()  # the default thresholds say what they chose, and why
    assert f"strategy `auto`, which chose `{clf.calibrator_.chosen_}` (held out on halves of validation" in card


def test_the_shipped_minilm_config_is_the_plain_command() -> None:
    # configs/minilm_semeval.yaml says it reproduces the plain command's BENCHMARKS row: it must settle to the same
    # recipe on the same rows (the loss, as the plain command settles it from the data, is written out there).
    shipped = load_config(Path(__file__).parents[1] / "configs" / "minilm_semeval.yaml", [])
    plain = load_config(None, ["data.preset=semeval2018-ec"])
    schema = LabelSchema(("anger", "joy"), "multilabel")
    assert settle(shipped, TEXTS, schema) == settle(plain, TEXTS, schema)
