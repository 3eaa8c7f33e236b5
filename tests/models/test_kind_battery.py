"""One battery of checks over every registered model kind, as scikit-learn's common estimator checks: what a
user can rely on whatever ``model=`` says. Tiny in-process models keep it fast; a kind added to the registry
without a recipe here fails ``test_every_registered_kind_is_in_the_battery``."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from emotune import EmotionClassifier, RunConfig
from emotune.errors import EmotuneError
from emotune.models import KIND_MODULES

# Label names out of alphabetical order: the column order a user gives must survive fit, save and load.
NAMES = ("love", "anger", "joy")
TEXTS = [
    "so happy today", "this is awful and I hate it", "love you all so much", "I am furious at them",
    "what a joyful morning", "angry and annoyed again", "my dear family, I love you", "rage everywhere",
] * 3  # fmt: skip
Y = np.array([[0, 0, 1], [0, 1, 0], [1, 0, 1], [0, 1, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0], [0, 1, 0]] * 3)
PROBE = ["I love you", "furious!!!", "😂🔥😭"]  # the last: only emoji
TINY_TRAIN = {"epochs": 1, "batch_size": 8, "lr": 1e-3, "warmup_ratio": 0.0, "early_stopping": None}
FITTED = ("tfidf", "encoder", "decoder", "generative")  # kinds that fit; onnx and ensemble are built from these


def _config(kind: str, tiny_bert: Path, tiny_decoder: Callable[[str], Path]) -> RunConfig:
    model: dict[str, Any] = {
        "tfidf": {"name": "tfidf"},
        "encoder": {"name": str(tiny_bert), "max_length": 16},
        "decoder": {"name": str(tiny_decoder("llama")), "max_length": 16},
        "generative": {"name": str(tiny_decoder("llama")), "max_length": 16, "head": "generate"},
    }[kind]
    return RunConfig.model_validate({"model": model, "train": TINY_TRAIN})


def _fit(config: RunConfig) -> EmotionClassifier:
    return EmotionClassifier(config=config).fit(TEXTS, Y, label_names=NAMES, dev_texts=TEXTS[:8], dev_labels=Y[:8])


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory, tiny_bert: Path,
            tiny_decoder: Callable[[str], Path]) -> dict[str, Path]:  # fmt: skip
    """One saved bundle per registered kind."""
    from emotune.inference.export import export_onnx
    from emotune.models.ensemble import EnsembleModel, ensemble_config

    root = tmp_path_factory.mktemp("kinds")
    fitted = {kind: _fit(_config(kind, tiny_bert, tiny_decoder)) for kind in FITTED}
    out = {kind: clf.save(root / kind) for kind, clf in fitted.items()}
    out["onnx"] = export_onnx(out["encoder"], root / "onnx")
    members = [fitted["tfidf"], fitted["encoder"]]
    ensemble = EmotionClassifier.from_parts(ensemble_config(members[0].config), members[0].schema,
                                            members[0].calibrator, EnsembleModel(members, [0.3, 0.7]))  # fmt: skip
    out["ensemble"] = ensemble.save(root / "ensemble")
    return out


def test_every_registered_kind_is_in_the_battery(bundles: dict[str, Path]) -> None:
    assert set(bundles) == set(KIND_MODULES)
    for kind, path in bundles.items():
        assert json.loads((path / "emotune.json").read_text())["model_kind"] == kind


@pytest.mark.parametrize("kind", sorted(KIND_MODULES))
def test_each_kind_answers_consistently_and_keeps_its_label_order(kind: str, bundles: dict[str, Path]) -> None:
    clf = EmotionClassifier.load(bundles[kind])
    assert clf.label_names == NAMES
    probs = clf.predict_proba(PROBE)
    assert probs.shape == (3, 3) and np.isfinite(probs).all() and ((probs >= 0) & (probs <= 1)).all()
    np.testing.assert_allclose(clf.predict_proba(PROBE[1]), clf.predict_proba([PROBE[1]]), rtol=1e-5, atol=1e-6)
    assert clf.predict_labels(PROBE[1]) == clf.predict_labels([PROBE[1]])
    assert clf.predict_proba([]).shape == (0, 3) and clf.predict_labels([]) == []
    assert set(clf.predict_labels(PROBE)[0]) <= set(NAMES)


def test_each_kind_predicts_the_same_in_a_fresh_process(bundles: dict[str, Path]) -> None:
    ours = {kind: EmotionClassifier.load(path).predict_proba(PROBE).tolist() for kind, path in bundles.items()}
    paths = {kind: str(path) for kind, path in bundles.items()}
    code = ("import json, sys; from emotune import EmotionClassifier; "
            f"paths = json.loads({json.dumps(paths)!r}); probe = json.loads({json.dumps(PROBE)!r}); "
            "out = {k: EmotionClassifier.load(p).predict_proba(probe).tolist() for k, p in paths.items()}; "
            "print(json.dumps(out))")  # fmt: skip
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    theirs = json.loads(result.stdout.splitlines()[-1])
    for kind in bundles:
        np.testing.assert_allclose(theirs[kind], ours[kind], rtol=1e-5, atol=1e-6, err_msg=kind)


@pytest.mark.parametrize("kind", FITTED)
def test_each_fitted_kind_refits_to_the_same_probabilities_with_the_same_seed(
    kind: str, bundles: dict[str, Path], tiny_bert: Path, tiny_decoder: Callable[[str], Path]
) -> None:
    refit = _fit(_config(kind, tiny_bert, tiny_decoder))
    np.testing.assert_allclose(refit.predict_proba(PROBE), EmotionClassifier.load(bundles[kind]).predict_proba(PROBE),
                               rtol=1e-5, atol=1e-6)  # fmt: skip


@pytest.mark.parametrize("kind", sorted(KIND_MODULES))
def test_each_kind_unfitted_or_unfittable_says_so(kind: str, bundles: dict[str, Path], tiny_bert: Path,
                                                  tiny_decoder: Callable[[str], Path]) -> None:  # fmt: skip
    if kind in FITTED:
        with pytest.raises(RuntimeError, match="not fitted yet; call fit"):
            EmotionClassifier(config=_config(kind, tiny_bert, tiny_decoder)).predict_proba(PROBE)
        return
    loaded = EmotionClassifier.load(bundles[kind])  # onnx and ensemble bundles predict but never train
    with pytest.raises(EmotuneError, match=r"cannot be trained|not trained directly|not fit"):
        loaded.model_.fit(TEXTS, Y, loaded.schema)
