from __future__ import annotations

import numpy as np
import pytest
import torch
from transformers import BertConfig, BertModel

from emotune.config import ModelConfig
from emotune.errors import ConfigError, SettingError
from emotune.models.transformer.freezing import freeze, param_groups, reinit
from emotune.models.transformer.heads import init_bias, mlp_head, prevalence_bias
from emotune.models.transformer.pooling import EncoderClassifier
from emotune.models.transformer.precision import AUTO_ENV, resolve_precision


def _module(**options: object) -> EncoderClassifier:
    config = BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=3, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=32)  # fmt: skip
    return EncoderClassifier(BertModel(config), 4, ModelConfig(**options))  # type: ignore[arg-type]


def test_bias_init_predicts_the_prevalence() -> None:
    positives = np.array([500.0, 100.0, 10.0])
    assert torch.sigmoid(prevalence_bias(positives, 1000, "multilabel")).tolist() == pytest.approx([0.5, 0.1, 0.01])
    prior = torch.softmax(prevalence_bias(np.array([700.0, 200.0, 100.0]), 1000, "multiclass"), dim=0)
    assert prior.tolist() == pytest.approx([0.7, 0.2, 0.1])


def test_bias_lands_in_the_output_layer_of_an_mlp() -> None:
    head = mlp_head(16, 3, 0.1, 8, 2)
    init_bias(head, torch.tensor([1.0, 2.0, 3.0]))
    assert head[-1].bias.tolist() == [1.0, 2.0, 3.0]
    assert sum(isinstance(m, torch.nn.Linear) for m in head) == 3


@pytest.mark.parametrize("pooling", ["mean", "cls"])
def test_forward_shapes_and_padding_invariance(pooling: str) -> None:
    module = _module(pooling=pooling, head="mlp").eval()
    ids = torch.tensor([[2, 7, 9, 3]])
    out = module(ids, torch.ones_like(ids))["logits"]
    assert out.shape == (1, 4)
    padded = module(torch.tensor([[2, 7, 9, 3, 0, 0]]), torch.tensor([[1, 1, 1, 1, 0, 0]]))["logits"]
    assert torch.allclose(out, padded, atol=1e-5)  # padding must not change the pooled vector


def test_freezing() -> None:
    module = _module()
    freeze(module, ModelConfig(freeze_embeddings=True, freeze_layers=2))
    frozen = {n for n, p in module.named_parameters() if not p.requires_grad}
    assert any("embeddings" in n for n in frozen)
    assert any(".layer.1." in n for n in frozen) and not any(".layer.2." in n for n in frozen)
    assert all(p.requires_grad for n, p in module.named_parameters() if n.startswith("head."))


def test_reinit_resets_only_the_top_layers() -> None:
    module = _module()
    with torch.no_grad():  # pretrained-looking values everywhere: no norm at 1, no bias at 0
        for param in module.parameters():
            param.add_(0.5)
    before = {n: p.clone() for n, p in module.named_parameters()}
    reinit(module, ModelConfig(reinit_layers=1))
    after = dict(module.named_parameters())
    changed = {n for n in before if not torch.equal(before[n], after[n])}
    assert changed and all(".layer.2." in n for n in changed)  # the top one of 3 layers, and nothing else
    assert {n for n in before if ".layer.2." in n} == changed
    top = "encoder.encoder.layer.2."
    assert torch.equal(after[top + "output.LayerNorm.weight"], torch.ones(16))
    assert torch.equal(after[top + "attention.self.query.bias"], torch.zeros(16))
    assert after[top + "intermediate.dense.weight"].std().item() == pytest.approx(0.02, rel=0.3)
    with pytest.raises(SettingError, match=r"model\.reinit_layers"):
        reinit(_module(), ModelConfig(reinit_layers=4))


def test_layerwise_lr_decay() -> None:
    module = _module()
    groups = param_groups(module, lr=1.0, weight_decay=0.01, decay=0.5)
    lr_of = {id(p): g["lr"] for g in groups for p in g["params"]}
    named = dict(module.named_parameters())
    assert lr_of[id(named["head.1.weight"])] == 1.0
    assert lr_of[id(named["encoder.encoder.layer.2.attention.self.query.weight"])] == 0.5
    assert lr_of[id(named["encoder.encoder.layer.0.attention.self.query.weight"])] == 0.125
    assert lr_of[id(named["encoder.embeddings.word_embeddings.weight"])] == 0.0625
    no_decay = {id(p) for g in groups if g["weight_decay"] == 0 for p in g["params"]}
    assert id(named["head.1.bias"]) in no_decay and id(named["head.1.weight"]) not in no_decay
    assert sum(len(g["params"]) for g in groups) == len(named)


def test_precision_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_precision("fp32") == "fp32"
    monkeypatch.delenv(AUTO_ENV)
    assert resolve_precision("auto") in ("fp32", "bf16", "fp16")
    monkeypatch.setenv(AUTO_ENV, "bf16")
    assert resolve_precision("auto") == "bf16"  # pinned: the same on every machine
    monkeypatch.setenv(AUTO_ENV, "fp64")
    with pytest.raises(ConfigError, match=AUTO_ENV):
        resolve_precision("auto")
    if not torch.cuda.is_available():
        with pytest.raises(Exception, match="fp16 needs a CUDA GPU"):
            resolve_precision("fp16")
