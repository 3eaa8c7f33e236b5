"""Label-aware (SpanEmo-style) inputs: label names before the text, one score per label from its name's tokens;
and the label-correlation term of the loss."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import torch
from transformers import AutoTokenizer

from emotune import EmotionClassifier
from emotune.config import LossConfig, RunConfig
from emotune.errors import ConfigError, SettingError
from emotune.losses import LabelStats, build_loss
from emotune.losses.correlation import label_correlation
from emotune.models.base import build_model
from emotune.models.transformer.heads import prevalence_bias
from emotune.models.transformer.inputs import TextInputs, auto_max_length, label_prefix, label_spans
from emotune.settling import settle

LABELS = ("anger", "joy", "sadness", "no_emotion")
TEXTS = ["i am so angry right now", "what a happy day", "feeling sad and low", "the bus is late",
         "furious about this", "love this so much", "tears all day", "just a normal tuesday"] * 3  # fmt: skip
Y = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1],
              [1, 0, 1, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]] * 3)  # fmt: skip
GOEMOTIONS = ["admiration", "amusement", "anger", "annoyance", "approval", "caring", "confusion", "curiosity",
              "desire", "disappointment", "disapproval", "disgust", "embarrassment", "excitement", "fear",
              "gratitude", "grief", "joy", "love", "nervousness", "optimism", "pride", "realization", "relief",
              "remorse", "sadness", "surprise", "neutral"]  # fmt: skip


def _config(tiny_bert: Path, **model: object) -> RunConfig:
    return settle(RunConfig.model_validate({"model": {"name": str(tiny_bert), "label_aware": True, **model},
                                            "train": {"epochs": 2, "batch_size": 8, "precision": "fp32",
                                                      "lr": 1e-3}}))  # fmt: skip


def test_label_tokens_are_located_in_every_input(tiny_bert: Path) -> None:
    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)
    spans = label_spans(tokenizer, LABELS)
    inputs = TextInputs(tokenizer, 64, label_prefix(LABELS))
    for ids in inputs(["short", "a much longer text about the bus " * 3])["input_ids"]:
        for label, span in zip(LABELS, spans, strict=True):
            assert tokenizer.decode([ids[i] for i in span]).replace(" ", "") == label.replace("_", "")
    assert all(a[-1] < b[0] for a, b in itertools.pairwise(spans))  # in order, disjoint


def test_long_label_sets_keep_every_name_and_leave_room_for_text(tiny_bert: Path) -> None:
    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)
    inputs = TextInputs(tokenizer, 0, label_prefix(GOEMOTIONS))
    length = auto_max_length(inputs, ["a short tweet"] * 50 + ["a very long one " * 100])
    assert length >= inputs.prefix_tokens + 8 and length % 8 == 0
    sized = TextInputs(tokenizer, length, inputs.prefix)
    ids = sized(["a very long one " * 100])["input_ids"][0]
    assert len(ids) == length  # the text was cut, never the names
    assert ids[: inputs.prefix_tokens - 1] == tokenizer(inputs.prefix)["input_ids"][:-1]
    with pytest.raises(SettingError, match="max_length to at least"):
        TextInputs(tokenizer, inputs.prefix_tokens, inputs.prefix).check_room()


@pytest.mark.parametrize("head", ["linear", "mlp"])
def test_label_aware_encoder_fits_predicts_and_reloads_exactly(tiny_bert: Path, tmp_path: Path, head: str) -> None:
    clf = EmotionClassifier(config=_config(tiny_bert, head=head)).fit(TEXTS, [
        [LABELS[j] for j in np.flatnonzero(row)] for row in Y])  # fmt: skip
    probs = clf.predict_proba(TEXTS[:8])
    assert probs.shape == (8, 4) and np.isfinite(probs).all()
    assert clf.model_.config.model.max_length >= clf.model_.inputs_.prefix_tokens + 8  # type: ignore[attr-defined]
    clf.save(tmp_path / "bundle")
    np.testing.assert_allclose(EmotionClassifier.load(tmp_path / "bundle").predict_proba(TEXTS[:8]), probs, atol=1e-6)


def test_label_aware_starts_at_the_prevalence_and_learns(tiny_bert: Path) -> None:
    from emotune.data.labels import LabelSchema

    cfg = _config(tiny_bert, dropout=0.0)
    cfg.train.epochs, cfg.train.lr = 40, 3e-3  # a random 2-layer model needs a while to route text to the names
    schema = LabelSchema(LABELS, "multilabel")
    model = build_model(settle(cfg, TEXTS, schema))  # max_length counted with the label names in front
    stats = LabelStats.from_y(Y, "multilabel")
    module = model._prepare(TEXTS, schema, stats)  # type: ignore[attr-defined]
    np.testing.assert_allclose(module.head.label_bias.detach().numpy(),
                               prevalence_bias(stats.positives, stats.n, "multilabel").numpy(), atol=1e-6)  # fmt: skip
    model.fit(TEXTS, Y, schema)
    probs = model.predict_proba(TEXTS)
    assert probs[Y == 1].mean() > probs[Y == 0].mean() + 0.3  # the labels' own tokens carry the signal


def test_label_aware_with_lora_reloads_exactly(tiny_bert: Path, tmp_path: Path) -> None:
    cfg = _config(tiny_bert, peft={"method": "lora", "r": 4})
    clf = EmotionClassifier(config=cfg).fit(TEXTS, [[LABELS[j] for j in np.flatnonzero(row)] for row in Y])
    expected = clf.predict_proba(TEXTS[:6])
    clf.save(tmp_path / "bundle")
    assert any((tmp_path / "bundle").rglob("adapter_config.json"))  # only the adapter and the head were saved
    np.testing.assert_allclose(EmotionClassifier.load(tmp_path / "bundle").predict_proba(TEXTS[:6]), expected,
                               atol=1e-6)  # fmt: skip


def test_label_aware_is_refused_by_other_kinds(tiny_bert: Path) -> None:
    with pytest.raises(ConfigError, match=r"model\.label_aware"):
        build_model(RunConfig.model_validate({"model": {"name": "tfidf", "label_aware": True}}))


def test_label_correlation_term_ranks_present_above_absent() -> None:
    labels = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])
    good = torch.tensor([[4.0, -4.0, -4.0], [-4.0, 4.0, 4.0]])
    assert label_correlation(good, labels) < label_correlation(-good, labels)
    p = torch.sigmoid(good)  # by hand: mean over (absent, present) pairs of exp(p_absent - p_present)
    by_hand = (torch.exp(p[0, 1] - p[0, 0]) + torch.exp(p[0, 2] - p[0, 0])) / 2 + torch.exp(p[1, 0] - p[1, 1]) / 2 \
        + torch.exp(p[1, 0] - p[1, 2]) / 2  # fmt: skip
    assert float(label_correlation(good, labels)) == pytest.approx(float(by_hand) / 2, rel=1e-5)
    assert float(label_correlation(good, torch.zeros(2, 3))) == 0.0  # no present label: no pairs


@pytest.mark.parametrize("name", ["bce", "focal", "asl"])
def test_label_correlation_mixes_into_any_multilabel_loss(name: str) -> None:
    stats = LabelStats.from_y(Y, "multilabel")
    base = build_loss(LossConfig(name=name), stats)
    mixed = build_loss(LossConfig(name=name, label_correlation=0.2), stats)
    logits, labels = torch.randn(5, 4), torch.tensor(Y[:5], dtype=torch.float32)
    expected = 0.8 * base(logits, labels) + 0.2 * label_correlation(logits, labels)
    assert float(mixed(logits, labels)) == pytest.approx(float(expected), rel=1e-5)
    with pytest.raises(SettingError, match="multilabel"):
        build_loss(LossConfig(label_correlation=0.2), LabelStats.from_y(np.eye(3), "multiclass"))
