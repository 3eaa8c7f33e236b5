"""Invariants every registered model kind, head, pooling and optimizer must keep (like those over losses and
metrics): a new entry in a registry is tested here without writing a test of its own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from emotune import RunConfig, load_dataset
from emotune.config import ModelConfig
from emotune.errors import ConfigError
from emotune.models import KIND_MODULES, build_model, get_kind, load_model
from emotune.models.transformer.heads import HEADS
from emotune.models.transformer.pooling import POOLING, EncoderClassifier
from emotune.settling import settle
from emotune.training.trainer import OPTIMIZERS
from emotune.tuning import check_space, default_space


@pytest.mark.parametrize("name", sorted(KIND_MODULES))
def test_every_kind_module_exports_its_kind(name: str) -> None:
    kind = get_kind(name)
    assert kind.name == name
    for section in kind.settings:
        assert section in ModelConfig.model_fields, f"{name}: settings names unknown model.{section}"


@pytest.mark.parametrize("name", sorted(n for n in KIND_MODULES if get_kind(n).space))
def test_every_kind_space_is_made_of_real_config_keys(name: str) -> None:
    check_space(RunConfig(), {name: default_space()[name]}, "built-in")


def test_an_unregistered_kind_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="'svm' is not available"):
        load_model("svm", tmp_path)


# Fitting, predicting, saving and reloading every kind: tests/models/test_kind_battery.py.


def test_loading_a_transformer_for_prediction_imports_no_trainer(tiny_bert: Path, sample_dir: Path,
                                                                 tmp_path: Path) -> None:  # fmt: skip
    data = load_dataset(sample_dir / "2018-E-c-En-train.txt", preset="semeval2018-ec")
    cfg = settle(RunConfig.model_validate({"model": {"name": str(tiny_bert), "max_length": 16},
                                           "train": {"epochs": 1, "precision": "fp32"}}))  # fmt: skip
    build_model(cfg).fit(data.texts[:16], data.y[:16], data.schema).save(tmp_path)
    code = ("import sys; from pathlib import Path; from emotune.models import load_model; "
            f"m = load_model('encoder', Path({str(tmp_path)!r})); m.predict_proba(['so happy']); "
            "heavy = [m for m in ('transformers.trainer', 'datasets', 'torch.optim') if m in sys.modules]; "
            "print(heavy); sys.exit(1 if 'transformers.trainer' in heavy else 0)")  # fmt: skip
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("head", sorted(HEADS))
@pytest.mark.parametrize("pooling", sorted(POOLING))
def test_every_head_and_pooling_maps_hidden_states_to_one_logit_per_label(head: str, pooling: str) -> None:
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    encoder = BertModel(BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                   intermediate_size=16))  # fmt: skip
    module = EncoderClassifier(encoder, 3, ModelConfig(head=head, pooling=pooling, head_layers=2)).eval()
    ids = torch.randint(5, 50, (2, 7))
    logits = module(input_ids=ids, attention_mask=torch.ones_like(ids))["logits"]
    assert logits.shape == (2, 3) and torch.isfinite(logits).all()
    logits.sum().backward()  # every head parameter receives a gradient
    assert all(p.grad is not None for p in module.head.parameters())


def _optimizer_cases() -> list[object]:
    gpu = pytest.mark.gpu  # bitsandbytes' paged optimizers run on CUDA only: `make test-gpu`
    return [pytest.param(name, marks=gpu) if name.startswith("paged_") else name for name in sorted(OPTIMIZERS)]


@pytest.mark.parametrize("name", _optimizer_cases())
def test_every_optimizer_takes_param_groups_and_steps(name: str) -> None:
    device = "cuda" if name.startswith("paged_") else "cpu"
    layer = torch.nn.Linear(4, 2).to(device)
    optimizer = OPTIMIZERS[name]([{"params": [layer.weight], "lr": 0.1, "weight_decay": 0.01},
                                  {"params": [layer.bias], "lr": 0.1, "weight_decay": 0.0}])  # fmt: skip
    before = layer.weight.detach().clone()
    layer(torch.ones(3, 4, device=device)).sum().backward()
    optimizer.step()
    assert not torch.equal(before, layer.weight.detach())


def test_max_length_auto_is_fixed_from_the_training_texts_and_recorded(tiny_bert: Path, tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    from emotune.data.labels import LabelSchema
    from emotune.models.transformer.inputs import TextInputs, auto_max_length

    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)
    plain = TextInputs(tokenizer, 0)
    short, long = ["so happy"] * 99, ["word " * 60]
    assert auto_max_length(plain, short) == 16  # the floor
    ramp = ["happy " * i for i in range(1, 101)]  # 100 texts of 1..100 words
    p99 = np.percentile([len(ids) for ids in tokenizer(ramp)["input_ids"]], 99)
    assert auto_max_length(plain, ramp) == 8 * np.ceil(p99 / 8) > p99 - 8  # 99th percentile, rounded up
    assert auto_max_length(plain, long, cap=40) == 40
    schema = LabelSchema(("a", "b"), "multilabel")
    train = {"epochs": 1, "precision": "fp32"}
    cfg = RunConfig.model_validate({"model": {"name": str(tiny_bert)}, "train": train})
    texts, y = short[:8] + long, np.array([[1, 0], [0, 1]] * 4 + [[1, 1]])
    with pytest.raises(RuntimeError, match="max_length is still auto"):  # a model never settles it itself
        build_model(settle(cfg)).fit(texts, y, schema)
    settled = settle(cfg, texts, schema)
    resolved = settled.model.max_length
    assert isinstance(resolved, int) and resolved % 8 == 0 and cfg.model.max_length == "auto"
    assert settled.data.task == "multilabel" and settled.train.loss.name == "bce"
    model = build_model(settled).fit(texts, y, schema)
    model.save(tmp_path)
    assert load_model("encoder", tmp_path).config.model.max_length == resolved  # type: ignore[attr-defined]
