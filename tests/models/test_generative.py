"""Generative label mode: robust answer parsing and label-likelihood scores on a tiny random Llama."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from emotune import EmotionClassifier, RunConfig
from emotune.cli import main
from emotune.errors import ConfigError
from emotune.models.transformer.generative import parse_labels

NAMES = ["anger", "anticipation", "disgust", "fear", "joy", "love", "optimism", "pessimism", "sadness", "surprise",
         "trust"]  # fmt: skip


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("joy, optimism", ["joy", "optimism"]),
        (" Optimism, JOY", ["joy", "optimism"]),  # case and order
        ("sadness; fear / anger", ["anger", "fear", "sadness"]),
        ("love and trust.", ["love", "trust"]),
        ("happy, angry", ["anger", "joy"]),  # synonyms
        ("sadnes, dsgust", ["disgust", "sadness"]),  # typos
        ("none", []),
        ("No emotion.", []),
        ("", []),
        ("fear, fear, FEAR", ["fear"]),  # repeats
        ("**surprise**\nText: the next example joy", ["surprise"]),  # junk after the answer
        ("xyzzy, 42, pessimism!!!", ["pessimism"]),  # junk inside
        ("Emotions: anticipation", ["anticipation"]),
    ],
)
def test_parse_labels_reads_tricky_answers(answer: str, expected: list[str]) -> None:
    assert parse_labels(answer, NAMES) == expected


def test_parse_labels_keeps_a_label_that_is_also_a_none_word() -> None:
    assert parse_labels("Neutral", ["neutral", "joy"]) == ["neutral"]
    assert parse_labels("no emotion, happiness", ["no emotion", "happiness"]) == ["no emotion", "happiness"]


def test_generate_head_needs_a_decoder(tiny_bert: Path) -> None:
    cfg = RunConfig.model_validate({"model": {"name": str(tiny_bert), "head": "generate"}})
    with pytest.raises(ConfigError, match="needs a decoder"):
        EmotionClassifier(config=cfg).fit(["a", "b"], ["joy", "fear"], dev_texts=["a", "b"], dev_labels=["joy", "fear"])


def test_prompt_must_name_both_placeholders() -> None:
    with pytest.raises(ValueError, match="placeholders"):
        RunConfig.model_validate({"model": {"head": "generate", "prompt": "Labels: {labels}"}})


def test_generative_lora_through_cli_reloads_to_identical_scores(
    tiny_decoder: Callable[[str], Path], sample_dir: Path, tmp_path: Path
) -> None:
    run = tmp_path / "run"
    code = main(["-q", "train", "--preset", "semeval2018-ec", "--data-dir", str(sample_dir), "--output", str(run),
                 f"model={tiny_decoder('llama')}", "head=generate", "peft=lora", "epochs=1", "batch_size=16",
                 "max_length=32", "lr=2e-3"])  # fmt: skip
    assert code == 0
    assert json.loads((run / "model" / "emotune.json").read_text())["model_kind"] == "generative"
    saved = pd.read_csv(run / "dev_probabilities.csv")
    expected = saved[[c for c in saved.columns if c.startswith("prob_")]].to_numpy()
    assert ((expected > 0) & (expected < 1)).all()
    clf = EmotionClassifier.load(run / "model")
    np.testing.assert_allclose(clf.predict_proba(saved["text"].tolist()), expected, rtol=1e-4, atol=1e-7)
    generated = clf.model_.generate_labels(saved["text"].tolist()[:4])  # type: ignore[attr-defined]
    assert len(generated) == 4 and all(set(labels) <= set(NAMES) for labels in generated)
    assert main(["-q", "merge", "--model", str(run / "model"), "--output", str(tmp_path / "merged")]) == 0
    merged = EmotionClassifier.load(tmp_path / "merged")
    np.testing.assert_allclose(merged.predict_proba(saved["text"].tolist()), expected, rtol=1e-4, atol=1e-7)


def test_generative_model_learns_a_toy_task(tiny_decoder: Callable[[str], Path]) -> None:
    texts = ["so happy today", "this is awful", "I am scared", "what a joy", "terrible news", "so afraid"] * 6
    labels = ["joy", "sadness", "fear", "joy", "sadness", "fear"] * 6
    model = {
        "name": str(tiny_decoder("llama")),
        "head": "generate",
        "max_length": 16,
        "prompt": "Labels: {labels}. Text: {text}. Emotions:",
    }
    cfg = RunConfig.model_validate({"model": model, "train": {"epochs": 10, "batch_size": 6, "lr": 1e-2,
                                                              "warmup_ratio": 0.0}})  # fmt: skip
    clf = EmotionClassifier(config=cfg).fit(texts, labels, dev_texts=texts[:6], dev_labels=labels[:6])
    probs = clf.predict_proba(texts[:6])
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)  # multiclass: normalised over the labels
    assert clf.predict_labels(texts[:6]) == [[label] for label in labels[:6]]
    assert clf.model_.generate_labels(texts[:6]) == [[label] for label in labels[:6]]  # type: ignore[attr-defined]


@pytest.mark.parametrize("family", ["llama", "gemma3_text"])
def test_answer_only_logits_match_the_full_forward(tiny_decoder: Callable[[str], Path], family: str) -> None:
    """Left padding + ``logits_to_keep`` (the LM head on the answer only) gives the same label scores as one
    unpadded forward per (text, label) with every position's logits, and the same training loss as the
    model's own loss on right-padded batches."""
    import torch
    from transformers import DataCollatorForSeq2Seq

    from emotune.models.transformer.generative import AnswerCollator, answer_loss

    texts = ["so happy today", "this is an awful, terrible, long piece of news to read", "scared"]
    model_cfg = {"name": str(tiny_decoder(family)), "head": "generate", "max_length": 32}
    # exact parity holds in fp32 only (bf16's rounding differs between batched and single forwards)
    cfg = RunConfig.model_validate({"model": model_cfg, "train": {"epochs": 1, "precision": "fp32"}})
    # "so" is one token of the tiny vocabulary, the emotion names two or more
    clf = EmotionClassifier(config=cfg).fit(texts * 4, [["joy", "so"], ["sadness", "fear"], ["fear"]] * 4)
    model = clf.model_
    module = model.module_  # type: ignore[attr-defined]
    names = clf.schema_.names
    lengths = {len(model._answer_ids([name])) for name in names}  # type: ignore[attr-defined]
    assert 1 in lengths and max(lengths) > 1  # both ways of scoring: one forward per text, and one per pair
    expected = np.zeros((len(texts), len(names)))
    with torch.inference_mode():
        for i, text in enumerate(texts):
            prompt = model._prompt_ids(text)  # type: ignore[attr-defined]
            for j, name in enumerate(names):
                answer = model._answer_ids([name])  # type: ignore[attr-defined]
                logits = module(input_ids=torch.tensor([prompt + answer])).logits.float()
                logprobs = torch.log_softmax(logits[0, :-1], dim=-1)
                expected[i, j] = sum(logprobs[len(prompt) - 1 + k, t].item() for k, t in enumerate(answer))
    np.testing.assert_allclose(model.predict_proba(texts, batch_size=5), np.exp(expected), rtol=1e-4, atol=1e-7)

    y = clf.schema_.encode([["joy", "so"], ["sadness", "fear"], []])
    features = [dict(row) for row in model._examples(texts, y)]  # type: ignore[attr-defined]
    ours = AnswerCollator(int(model.tokenizer_.pad_token_id))(features)  # type: ignore[attr-defined]
    assert ours["logits_to_keep"] < ours["input_ids"].shape[1]  # the prompt's logits are never computed
    theirs = DataCollatorForSeq2Seq(model.tokenizer_, label_pad_token_id=-100)(features)  # type: ignore[attr-defined]
    with torch.inference_mode():
        reference = module(**theirs).loss
        labels = ours.pop("labels")
        loss = answer_loss(module(**ours), labels)
    assert torch.isclose(loss, reference, rtol=1e-4)
