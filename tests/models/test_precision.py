"""bf16 is tested on every machine by asking for it (torch emulates bf16 where the CPU lacks it).

Tolerance: bf16 keeps 8 significant bits, a relative rounding error of 2**-9 (about 0.2 %) per operation. In
these 2-layer models with hidden size 16-32 the logits stay within a few units, so bf16 moves a logit by
well under 0.08 and a probability (sigmoid slope at most 1/4) by under 0.02. Exact parity (1e-5) is checked
elsewhere with ``precision=fp32``; here the question is whether the bf16 path runs and stays close.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from emotune import EmotionClassifier, RunConfig
from emotune.models.transformer.precision import AUTO_ENV, native_precision

BF16_ATOL = 0.02
TEXTS = ["so happy today", "this is awful", "I am scared", "what a joy", "terrible news", "so afraid"] * 6
LABELS = ["joy", "sadness", "fear", "joy", "sadness", "fear"] * 6


def _fit(model: Path, **model_options: object) -> EmotionClassifier:
    cfg = RunConfig.model_validate({"model": {"name": str(model), "max_length": 32, **model_options},
                                    "train": {"epochs": 1, "batch_size": 8, "precision": "bf16"}})  # fmt: skip
    return EmotionClassifier(config=cfg).fit(TEXTS, LABELS)


def test_bf16_encoder_predicts_in_bf16_close_to_fp32_and_reloads(tiny_bert: Path, tmp_path: Path) -> None:
    clf = _fit(tiny_bert)
    assert clf.model_.precision_ == "bf16"  # type: ignore[attr-defined]
    trained = clf.predict_proba(TEXTS[:6])
    clf.save(tmp_path / "bundle")
    reloaded = EmotionClassifier.load(tmp_path / "bundle")
    model = reloaded.model_
    # a bundle predicts in bf16 only where this machine runs bf16 natively (or EMOTUNE_AUTO_PRECISION says bf16)
    chosen = os.environ.get(AUTO_ENV) or native_precision()
    assert model.precision_ == ("bf16" if chosen == "bf16" else "fp32")  # type: ignore[attr-defined]
    model.precision_ = "bf16"  # type: ignore[attr-defined]
    bf16 = reloaded.predict_proba(TEXTS[:6])
    np.testing.assert_allclose(bf16, trained, atol=BF16_ATOL)
    model.precision_ = "fp32"  # type: ignore[attr-defined]  # the same weights without autocast
    fp32 = reloaded.predict_proba(TEXTS[:6])
    assert 0 < np.abs(bf16 - fp32).max() < BF16_ATOL  # autocast ran (results differ), and only by rounding


def test_bf16_lora_decoder_reloads_merged_within_bf16_rounding(
    tiny_decoder: Callable[[str], Path], tmp_path: Path
) -> None:
    # the reloaded bundle merges the adapter into the base weights: in bf16 that rounds differently
    clf = _fit(tiny_decoder("llama"), peft={"method": "lora"})
    expected = clf.predict_proba(TEXTS[:6])
    clf.save(tmp_path / "bundle")
    np.testing.assert_allclose(EmotionClassifier.load(tmp_path / "bundle").predict_proba(TEXTS[:6]), expected,
                               atol=BF16_ATOL)  # fmt: skip
