from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from emotune import EmotionClassifier, RunConfig, load_dataset
from emotune.bundle import MANIFEST
from emotune.errors import ConfigError, DataError, SettingError

TEXTS = [
    "so happy today",
    "this is awful and I hate it",
    "love you all so much",
    "I am furious at them",
    "what a joyful morning",
    "angry and annoyed again",
    "my dear family, I love you",
    "rage everywhere",
] * 6
LABELS = [["joy"], ["anger"], ["joy", "love"], ["anger"], ["joy"], ["anger"], ["love"], ["anger"]] * 6  # fmt: skip


def test_fit_predict_shapes_and_learned_state() -> None:
    clf = EmotionClassifier("tfidf").fit(TEXTS, LABELS)
    assert clf.label_names == ("anger", "joy", "love") and clf.task == "multilabel"
    probs = clf.predict_proba(["I love my family", "so angry"])
    assert probs.shape == (2, 3) and np.all((probs >= 0) & (probs <= 1))
    assert clf.predict(["so angry"]).shape == (1, 3)
    assert clf.predict_labels("I am furious, rage")[0] == ["anger"]
    assert clf.dev_proba_.shape[1] == 3  # thresholds were fit on held-out rows


def test_multiclass_labels_and_dev_set() -> None:
    single = [labels[0] for labels in LABELS]
    clf = EmotionClassifier("tfidf").fit(TEXTS, single, dev_texts=TEXTS[:8], dev_labels=single[:8])
    assert clf.task == "multiclass"
    assert clf.predict(TEXTS[:4]).sum(axis=1).tolist() == [1, 1, 1, 1]  # exactly one class each
    assert clf.dev_proba_.shape == (8, 3)
    without_neutral = RunConfig.model_validate({"thresholds": {"decision": "micro_f1_without_neutral"}})
    with pytest.raises(SettingError, match=r"thresholds\.decision: micro_f1_without_neutral needs a neutral class"):
        EmotionClassifier("tfidf", without_neutral).fit(TEXTS, single)  # refused before any training


def test_indicator_array_needs_names() -> None:
    y = np.array([[1, 0], [0, 1]] * 20)
    with pytest.raises(DataError, match="label_names"):
        EmotionClassifier("tfidf").fit(["a", "b"] * 20, y)
    clf = EmotionClassifier("tfidf").fit(["hate it", "love it"] * 20, y, label_names=["anger", "love"])
    assert clf.label_names == ("anger", "love")


def test_bad_python_input() -> None:
    with pytest.raises(DataError, match="empty or not strings"):
        EmotionClassifier("tfidf").fit(["ok", ""], [["joy"], ["joy"]])
    with pytest.raises(DataError, match="unknown labels"):
        EmotionClassifier("tfidf").fit(TEXTS, ["joy"] * len(TEXTS), dev_texts=["x"], dev_labels=["sadness"])
    with pytest.raises(RuntimeError, match="not fitted"):
        EmotionClassifier("tfidf").predict_proba(["x"])


def test_unknown_model_name_is_tried_as_a_hub_id(monkeypatch: pytest.MonkeyPatch) -> None:
    import transformers

    def offline(*args: object, **kwargs: object) -> None:
        raise OSError("offline")

    monkeypatch.setattr(transformers.AutoConfig, "from_pretrained", offline)
    with pytest.raises(ConfigError, match="cannot load 'bert-ish' from the Hugging Face hub"):
        EmotionClassifier("bert-ish").fit(TEXTS, LABELS)


def test_save_load_gives_identical_probabilities(tmp_path: Path) -> None:
    clf = EmotionClassifier("tfidf", RunConfig.model_validate({"preprocess": {"language": "it"}})).fit(TEXTS, LABELS)
    path = clf.save(tmp_path / "bundle", metrics={"dev": {"macro_f1": 0.5}})
    manifest = json.loads((path / MANIFEST).read_text())
    assert manifest["model_kind"] == "tfidf" and manifest["schema"]["names"] == ["anger", "joy", "love"]
    assert manifest["preprocess"]["language"] == "it" and "scikit-learn" in manifest["versions"]
    loaded = EmotionClassifier.load(path)
    probe = ["I love this 😂", "furious!!!", "#SoHappy @ann"]
    assert np.array_equal(loaded.predict_proba(probe), clf.predict_proba(probe))
    assert loaded.preprocessor("😂") == "faccina con lacrime di gioia"  # preprocessing travels too
    assert loaded.metrics_ == {"dev": {"macro_f1": 0.5}}


def test_save_replaces_a_bundle_whole(tmp_path: Path) -> None:
    first = EmotionClassifier("tfidf").fit(TEXTS, LABELS).save(tmp_path / "m")
    (first / "stale.txt").write_text("old")
    EmotionClassifier("tfidf").fit(TEXTS, LABELS).save(tmp_path / "m")
    assert not (tmp_path / "m" / "stale.txt").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["m"]  # no temporary folders left behind


def test_loading_a_non_bundle(tmp_path: Path) -> None:
    (tmp_path / "run" / "model").mkdir(parents=True)
    (tmp_path / "run" / "model" / MANIFEST).write_text("{}")
    with pytest.raises(DataError, match="did you mean RUN/model"):
        EmotionClassifier.load(tmp_path / "run")


def test_fit_dataset_on_sample_data(sample_dir: Path) -> None:
    train = load_dataset(sample_dir / "2018-E-c-En-train.txt", preset="semeval2018-ec")
    dev = load_dataset(sample_dir / "2018-E-c-En-dev.txt", preset="semeval2018-ec")
    clf = EmotionClassifier("tfidf").fit_dataset(train, dev)
    assert clf.calibrator_.thresholds_ is not None and clf.calibrator_.thresholds_.shape == (11,)
    assert clf.predict_labels(["I am terrified of the exam tomorrow"])[0] == ["fear"]


def test_public_face_decides_records_and_scores_like_the_fitted_parts() -> None:
    """``decide`` / ``labels_from_proba`` / ``records`` / ``score`` use the bundle's own thresholds, so a caller
    never needs the calibrator; thresholds moved by hand change all of them together."""
    clf = EmotionClassifier("tfidf").fit(TEXTS, LABELS)
    texts = ["I love my family", "so angry", "what a joyful day"]
    probs = clf.predict_proba(texts)
    assert clf.labels_from_proba(probs) == clf.predict_labels(texts)
    records = clf.records(texts)
    assert [r["text"] for r in records] == texts and [r["labels"] for r in records] == clf.predict_labels(texts)
    assert list(records[0]["probabilities"]) == list(clf.label_names)
    assert records[1]["probabilities"]["anger"] == round(float(probs[1, 0]), 4)
    clf.calibrator.thresholds_ = np.full(3, 1.01)  # nothing passes: every decision path must follow
    assert clf.decide(probs).sum() == 0 and clf.labels_from_proba(probs) == [[], [], []]
    assert all(r["labels"] == [] for r in clf.records(texts, probs))
    assert clf.thresholds["thresholds"] == [1.01, 1.01, 1.01]
    gold = np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    assert clf.score(gold, probs)["dev"]["macro_f1"] == 0.0
    with pytest.raises(RuntimeError, match="not fitted"):
        EmotionClassifier("tfidf").labels_from_proba(probs)


def test_from_parts_assembles_a_fitted_classifier_and_copies_its_config(tmp_path: Path) -> None:
    fitted = EmotionClassifier("tfidf").fit(TEXTS, LABELS)
    config = fitted.config.model_copy(deep=True)
    clf = EmotionClassifier.from_parts(config, fitted.schema, fitted.calibrator, fitted.model_, {"note": 1})
    config.train.seed = 999  # the caller's object changing later must not reach the classifier
    assert clf.config.train.seed != 999 and clf.metrics_ == {"note": 1}
    np.testing.assert_array_equal(clf.predict_proba(TEXTS[:4]), fitted.predict_proba(TEXTS[:4]))
    loaded = EmotionClassifier.load(clf.save(tmp_path / "bundle", clf.metrics_))
    assert loaded.metrics_ == {"note": 1} and loaded.predict_labels(TEXTS[:4]) == fitted.predict_labels(TEXTS[:4])


def _as_old_pickle(bundle: Path) -> None:
    """Rewrite a TF-IDF bundle the way emotune saved them before the skops format: one joblib pickle."""
    import joblib
    import skops.io as sio

    settings = json.loads((bundle / "tfidf.json").read_text())
    pipeline = sio.load(bundle / "tfidf.skops", trusted=sio.get_untrusted_types(file=bundle / "tfidf.skops"))
    joblib.dump({**settings, "pipeline": pipeline}, bundle / "tfidf.joblib")
    (bundle / "tfidf.skops").unlink()
    (bundle / "tfidf.json").unlink()


def test_tfidf_bundles_hold_no_pickle_and_old_pickled_ones_load_with_a_warning_or_are_refused(
    tmp_path: Path, cli, caplog: pytest.LogCaptureFixture
) -> None:
    clf = EmotionClassifier("tfidf").fit(TEXTS, LABELS)
    bundle = clf.save(tmp_path / "new")
    assert sorted(p.name for p in bundle.iterdir() if p.name.startswith("tfidf")) == ["tfidf.json", "tfidf.skops"]
    import zipfile

    with zipfile.ZipFile(bundle / "tfidf.skops") as archive:  # skops: a zip of JSON and .npy arrays, no pickle
        assert all(name.endswith((".json", ".npy")) for name in archive.namelist())
    probe = ["I love this", "furious!!!"]
    np.testing.assert_array_equal(EmotionClassifier.load(bundle).predict_proba(probe), clf.predict_proba(probe))

    old = clf.save(tmp_path / "old")
    _as_old_pickle(old)
    with caplog.at_level("WARNING", logger="emotune"):
        np.testing.assert_array_equal(EmotionClassifier.load(old).predict_proba(probe), clf.predict_proba(probe))
    assert "is a pickle" in caplog.text and "can run code" in caplog.text
    refused = cli("--safe", "predict", "--model", old, "hello")
    assert refused.code == 2 and "refused by --safe" in refused.err and refused.err.count("\n") == 1
    assert cli("--safe", "predict", "--model", bundle, "hello").code == 0  # the safe format loads under --safe
    assert cli("predict", "--model", old, "hello").code == 0  # --safe did not outlive its command


def test_a_tfidf_bundle_holding_a_foreign_type_is_not_loaded(tmp_path: Path) -> None:
    import skops.io as sio

    bundle = EmotionClassifier("tfidf").fit(TEXTS, LABELS).save(tmp_path / "b")
    pipeline = sio.load(bundle / "tfidf.skops", trusted=sio.get_untrusted_types(file=bundle / "tfidf.skops"))
    pipeline.steps.append(("extra", Path))  # a type no TF-IDF bundle holds
    sio.dump(pipeline, bundle / "tfidf.skops")
    with pytest.raises(DataError, match=r"holds types a TF-IDF bundle never has \(pathlib"):
        EmotionClassifier.load(bundle)
