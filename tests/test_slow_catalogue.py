"""Slow tests with the real catalogue models (``make test-slow``): each installed one fine-tunes a few steps on the
sample data through its short name, and Gemma 3 270M goes through every adapter method, generative mode, merge,
ONNX export, cv, blend and distillation.
A model whose packages are missing is skipped, saying how to install it (``make mpnet``, ``make gemma``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from emotune import EmotionClassifier
from emotune.models.catalogue import CATALOGUE
from emotune.models.catalogue.materialise import is_materialised, missing_packages

pytestmark = pytest.mark.slow
FEW_STEPS = ["epochs=1", "max_length=32", "train.early_stopping=null"]
TEXTS = ["I can't believe they cancelled the show, this is outrageous", "so happy and grateful today #blessed"]


def _need(name: str) -> None:
    entry = CATALOGUE[name]
    if missing_packages(entry) and not is_materialised(entry):
        pytest.skip(f"{name} is not installed: {entry.install}")


def _all_positive_macro_f1(dev_probabilities: Path) -> float:
    """The macro-F1 of predicting every label for every text: what a model that learned nothing can reach."""
    import pandas as pd

    frame = pd.read_csv(dev_probabilities)
    gold = frame[[c for c in frame.columns if c.startswith("true_")]].to_numpy(dtype=float)
    prevalence = gold.mean(axis=0)
    return float(np.mean(2 * prevalence / (1 + prevalence)))


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("minilm", []),
        ("mpnet", []),
        ("gemma3-270m", ["peft=lora"]),
        ("gemma3-270m", ["peft=rslora"]),
        ("gemma3-270m", ["peft=dora"]),
    ],
)
def test_each_catalogue_model_fine_tunes_by_its_short_name(name: str, extra: list[str], tmp_path: Path,
                                                           sample_dir: Path, cli) -> None:  # fmt: skip
    _need(name)
    run = tmp_path / "run"
    result = cli("-q", "train", "--preset", "semeval2018-ec", "--data-dir", sample_dir, "--output", run,
                 f"model={name}", *extra, *FEW_STEPS)  # fmt: skip
    assert result.code == 0, result.err
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["dev"]["macro_f1"] > _all_positive_macro_f1(run / "dev_probabilities.csv") + 0.05
    probs = EmotionClassifier.load(run / "model").predict_proba(TEXTS)
    assert np.abs(probs[0] - probs[1]).max() > 0.05, "the two texts must not get the same answer"


def test_gemma_with_ia3_generative_labels_merge_and_onnx(tmp_path: Path, sample_dir: Path, cli) -> None:
    _need("gemma3-270m")
    data = ["--preset", "semeval2018-ec", "--data-dir", sample_dir]
    lora, ia3, generative = tmp_path / "lora", tmp_path / "ia3", tmp_path / "generative"
    for run, extra in ((lora, ["peft=lora"]), (ia3, ["peft=ia3"]), (generative, ["peft=lora", "head=generate"])):
        result = cli("-q", "train", *data, "--output", run, "model=gemma3-270m", *extra, *FEW_STEPS)
        assert result.code == 0, f"{run.name}: {result.err}"
    dev = sample_dir / "2018-E-c-En-dev.txt"
    scored = cli("evaluate", "--model", generative / "model", "--preset", "semeval2018-ec", "--data", dev, "--json")
    assert scored.code == 0 and 0 <= json.loads(scored.out)["macro_f1"] <= 1, scored.err
    merged = tmp_path / "merged"
    assert cli("merge", "--model", lora / "model", "--output", merged).code == 0
    adapter_probs = EmotionClassifier.load(lora / "model").predict_proba(TEXTS)
    np.testing.assert_allclose(EmotionClassifier.load(merged).predict_proba(TEXTS), adapter_probs, atol=2e-3)
    exported = cli("export", "--model", merged, "--output", tmp_path / "onnx")
    assert exported.code == 0, exported.err
    np.testing.assert_allclose(EmotionClassifier.load(tmp_path / "onnx").predict_proba(TEXTS), adapter_probs,
                               atol=2e-3)  # fmt: skip


def test_gemma_through_cv_blend_and_distillation(tmp_path: Path, sample_dir: Path, cli) -> None:
    """The workflows that hold several models: a 2-fold Gemma LoRA ensemble, its blend with a MiniLM bundle, and a
    MiniLM student distilled from it; each a bundle that loads and tells two texts apart."""
    _need("gemma3-270m")
    data = ["--preset", "semeval2018-ec", "--data-dir", sample_dir]
    folds, minilm = tmp_path / "cv", tmp_path / "minilm"
    assert cli("-q", "cv", *data, "--output", folds, "--folds", "2", "model=gemma3-270m", "peft=lora",
               *FEW_STEPS).code == 0  # fmt: skip
    assert cli("-q", "train", *data, "--output", minilm, *FEW_STEPS).code == 0
    blended = tmp_path / "blend"
    result = cli("-q", "blend", "--models", folds / "model", minilm / "model", "--data",
                 sample_dir / "2018-E-c-En-dev.txt", "--output", blended)  # fmt: skip
    assert result.code == 0, result.err
    student = tmp_path / "student"
    result = cli("-q", "distill", "--teacher", folds / "model", *data, "--output", student, *FEW_STEPS)
    assert result.code == 0, result.err
    for bundle in (folds / "model", blended, student / "model"):
        probs = EmotionClassifier.load(bundle).predict_proba(TEXTS)
        assert probs.shape == (2, 11) and np.abs(probs[0] - probs[1]).max() > 0.02, bundle
