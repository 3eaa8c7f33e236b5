"""Decoder LLMs with adapters, on tiny random Llama / Qwen2 / Gemma models built in-process."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from emotune import EmotionClassifier, RunConfig
from emotune.cli import main
from emotune.errors import ConfigError

DECODER_FAMILIES = ("llama", "qwen2", "gemma", "mistral", "phi3")
# Reload and merge parity is checked at 1e-5, which holds in fp32 only: a bf16 model merged with its adapter
# rounds differently (bf16 parity, at bf16's tolerance, is in test_precision.py).
FAST = ["epochs=1", "batch_size=16", "max_length=48", "train.eval_batch_size=64", "lr=2e-3", "train.precision=fp32"]
TEXTS = ["so happy today", "this is awful", "I am scared", "what a joy", "terrible news", "so afraid"] * 6
LABELS = ["joy", "sadness", "fear", "joy", "sadness", "fear"] * 6


def _train(run: Path, sample_dir: Path, model: Path, *overrides: str) -> Path:
    code = main(["-q", "train", "--preset", "semeval2018-ec", "--data-dir", str(sample_dir), "--output", str(run),
                 f"model={model}", *FAST, *overrides])  # fmt: skip
    assert code == 0
    return run


def _saved_dev_probabilities(run: Path) -> tuple[list[str], np.ndarray]:
    saved = pd.read_csv(run / "dev_probabilities.csv")
    return saved["text"].tolist(), saved[[c for c in saved.columns if c.startswith("prob_")]].to_numpy()


@pytest.mark.parametrize("family", DECODER_FAMILIES)
def test_lora_train_through_cli_then_reload_gives_identical_probabilities(
    family: str, tiny_decoder: Callable[[str], Path], sample_dir: Path, tmp_path: Path
) -> None:
    run = _train(tmp_path / "run", sample_dir, tiny_decoder(family), "peft=lora")
    bundle = run / "model"
    manifest = json.loads((bundle / "emotune.json").read_text())
    assert manifest["model_kind"] == "decoder"
    assert (bundle / "adapter" / "adapter_model.safetensors").is_file()
    assert not (bundle / "model.safetensors").exists()  # the adapter bundle holds no base weights
    metrics = json.loads((run / "metrics.json").read_text())
    assert 0 < metrics["parameters"]["trainable"] < metrics["parameters"]["total"] / 5
    texts, expected = _saved_dev_probabilities(run)
    np.testing.assert_allclose(EmotionClassifier.load(bundle).predict_proba(texts), expected, atol=1e-5)
    assert main(["-q", "predict", "--model", str(bundle), "I am so scared"]) == 0


def test_lora_keeps_base_frozen_and_trains_adapter_and_head(tiny_decoder: Callable[[str], Path]) -> None:
    from transformers import AutoModelForSequenceClassification

    folder = tiny_decoder("llama")
    cfg = RunConfig.model_validate({"model": {"name": str(folder), "peft": {"method": "lora"}, "max_length": 32},
                                    "train": {"epochs": 2, "batch_size": 8, "lr": 5e-3}})  # fmt: skip
    clf = EmotionClassifier(config=cfg).fit(TEXTS, LABELS)
    module = clf.model_.module_  # type: ignore[attr-defined]
    original = AutoModelForSequenceClassification.from_pretrained(folder).state_dict()
    params = dict(module.named_parameters())
    base = {n: p for n, p in params.items() if "lora_" not in n and ".score." not in n}
    assert base and all(not p.requires_grad for p in base.values())
    for name, param in base.items():
        key = name.removeprefix("base_model.model.").replace(".base_layer", "")
        torch.testing.assert_close(param.detach(), original[key], msg=name)
    lora_b = [p for n, p in params.items() if "lora_B" in n]  # peft starts B at zero
    assert lora_b and all(p.requires_grad and p.abs().sum() > 0 for p in lora_b)
    trained = module.base_model.model.score.modules_to_save["default"][-1]
    initial = module.base_model.model.score.original_module[-1]
    assert trained.weight.requires_grad and not torch.equal(trained.weight, initial.weight)


def test_pad_token_added_and_left_padding_pools_the_last_real_token(tiny_decoder: Callable[[str], Path]) -> None:
    # exact padding invariance: fp32 (in bf16, padded and unpadded batches differ at ~1e-3)
    cfg = RunConfig.model_validate({"model": {"name": str(tiny_decoder("llama")), "max_length": 32},
                                    "train": {"epochs": 1, "batch_size": 8, "precision": "fp32"}})  # fmt: skip
    model = EmotionClassifier(config=cfg).fit(TEXTS, LABELS).model_
    tokenizer = model.tokenizer_  # type: ignore[attr-defined]
    assert tokenizer.pad_token == tokenizer.eos_token
    assert model.module_.config.pad_token_id == tokenizer.pad_token_id  # type: ignore[attr-defined]
    texts = ["so happy", "this is a much longer and more terrible piece of news", "scared"]
    right = model.predict_proba(texts)
    tokenizer.padding_side = "left"
    np.testing.assert_allclose(model.predict_proba(texts), right, atol=1e-5)
    alone = np.vstack([model.predict_proba([t]) for t in texts])  # no padding at all
    np.testing.assert_allclose(alone, right, atol=1e-5)


@pytest.mark.parametrize("method", ["rslora", "dora", "ia3"])
def test_every_adapter_method_trains_saves_and_reloads(
    method: str, tiny_decoder: Callable[[str], Path], tmp_path: Path
) -> None:
    cfg = RunConfig.model_validate({"model": {"name": str(tiny_decoder("qwen2")), "peft": {"method": method},
                                              "max_length": 32},
                                    "train": {"epochs": 1, "batch_size": 8, "precision": "fp32"}})  # fmt: skip
    clf = EmotionClassifier(config=cfg).fit(TEXTS, LABELS)
    trainable = [n for n, p in clf.model_.module_.named_parameters() if p.requires_grad]  # type: ignore[attr-defined]
    marker = "ia3_l" if method == "ia3" else "lora_magnitude" if method == "dora" else "lora_A"
    assert any(marker in n for n in trainable)
    expected = clf.predict_proba(TEXTS[:6])
    clf.save(tmp_path / "bundle")
    np.testing.assert_allclose(EmotionClassifier.load(tmp_path / "bundle").predict_proba(TEXTS[:6]), expected,
                               atol=1e-5)  # fmt: skip


def test_merge_writes_a_standalone_bundle_with_the_same_probabilities(
    tiny_decoder: Callable[[str], Path], sample_dir: Path, tmp_path: Path, cli
) -> None:
    run = _train(tmp_path / "run", sample_dir, tiny_decoder("gemma"), "peft=dora")
    result = cli("merge", "--model", run / "model", "--output", tmp_path / "merged")
    assert result.code == 0, result.err
    merged = tmp_path / "merged"
    assert (merged / "model.safetensors").is_file() and not (merged / "adapter").exists()
    assert json.loads((merged / "emotune.json").read_text())["config"]["model"]["peft"]["method"] == "none"
    texts, expected = _saved_dev_probabilities(run)
    np.testing.assert_allclose(EmotionClassifier.load(merged).predict_proba(texts), expected, atol=1e-5)
    again = cli("merge", "--model", merged, "--output", tmp_path / "again")
    assert again.code == 2 and "no adapter" in again.err


def test_lora_on_an_encoder_targets_its_attention(tiny_bert: Path, tmp_path: Path) -> None:
    cfg = RunConfig.model_validate({"model": {"name": str(tiny_bert), "peft": {"method": "lora", "r": 4}},
                                    "train": {"epochs": 1, "batch_size": 8, "precision": "fp32"}})  # fmt: skip
    clf = EmotionClassifier(config=cfg).fit(TEXTS, LABELS)
    names = [n for n, p in clf.model_.module_.named_parameters() if p.requires_grad]  # type: ignore[attr-defined]
    assert {n.split(".")[-4] for n in names if "lora_" in n} == {"query", "value"}  # peft's BERT defaults
    expected = clf.predict_proba(TEXTS[:6])
    clf.save(tmp_path / "bundle")
    np.testing.assert_allclose(EmotionClassifier.load(tmp_path / "bundle").predict_proba(TEXTS[:6]), expected,
                               atol=1e-6)  # fmt: skip


def test_4bit_without_cuda_fails_in_one_line_before_any_work(
    tiny_decoder: Callable[[str], Path], sample_dir: Path, tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    result = cli("train", "--preset", "semeval2018-ec", "--data-dir", sample_dir, "--output", tmp_path / "run",
                 f"model={tiny_decoder('llama')}", "peft=lora", "quantization=4bit")  # fmt: skip
    assert result.code == 2
    assert result.err.count("\n") == 1 and "needs a CUDA GPU" in result.err
    assert not (tmp_path / "run").exists()


def test_bad_adapter_settings_are_config_errors(tiny_decoder: Callable[[str], Path]) -> None:
    with pytest.raises(ConfigError, match="add an adapter"):
        from emotune.config import load_config

        load_config(None, ["quantization=4bit"])
    cfg = RunConfig.model_validate({"model": {"name": str(tiny_decoder("llama")), "max_length": 32,
                                              "peft": {"method": "lora", "target_modules": ["no_such_proj"]}},
                                    "train": {"epochs": 1, "batch_size": 8}})  # fmt: skip
    with pytest.raises(ConfigError, match=r"model\.peft"):
        EmotionClassifier(config=cfg).fit(TEXTS, LABELS)
