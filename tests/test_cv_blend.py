"""``emotune cv`` (folds, out-of-fold thresholds, fold ensemble, resume) and ``emotune blend``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from emotune import EmotionClassifier, load_dataset
from emotune.workflows.blend import weight_grid

SEMEVAL = ["--preset", "semeval2018-ec"]


@pytest.fixture(scope="module")
def cv_run(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> Path:
    from emotune.cli import main

    run = tmp_path_factory.mktemp("cv") / "run"
    assert main(["-q", "cv", *SEMEVAL, "--data-dir", str(sample_dir), "--output", str(run), "--folds", "3",
                 "model=tfidf"]) == 0  # fmt: skip
    return run


def test_cv_scores_every_train_row_once_out_of_fold(cv_run: Path, sample_dir: Path) -> None:
    train = load_dataset(sample_dir / "2018-E-c-En-train.txt", preset="semeval2018-ec")
    oof = pd.read_csv(cv_run / "oof_probabilities.csv", keep_default_na=False)
    assert sorted(oof["text"]) == sorted(train.texts)
    assert sorted(oof["fold"].unique()) == [0, 1, 2]
    by_text = dict(zip(train.texts, train.y.tolist(), strict=True))
    truth = oof[[c for c in oof.columns if c.startswith("true_")]].to_numpy().tolist()
    assert truth == [by_text[t] for t in oof["text"]]
    # each fold's held-out rows were scored by the model that did not see them: its bundle reproduces them
    fold1 = oof[oof["fold"] == 1]
    clf = EmotionClassifier.load(cv_run / "folds" / "fold-1" / "model")
    probs = fold1[[c for c in oof.columns if c.startswith("prob_")]].to_numpy()
    np.testing.assert_allclose(clf.predict_proba(fold1["text"].tolist()), probs, atol=1e-5)


def test_cv_metrics_summarise_folds_and_thresholds_come_from_oof(cv_run: Path) -> None:
    metrics = json.loads((cv_run / "metrics.json").read_text())
    folds = [f["macro_f1"] for f in metrics["folds"]]
    assert len(folds) == 3
    assert metrics["folds_summary"]["macro_f1"]["mean"] == pytest.approx(np.mean(folds))
    assert metrics["folds_summary"]["macro_f1"]["std"] == pytest.approx(np.std(folds, ddof=1))
    labels = {"anger", "anticipation", "disgust", "fear", "joy", "love", "optimism", "pessimism", "sadness",
              "surprise", "trust"}  # fmt: skip
    assert set(metrics["per_label_f1_summary"]) == labels
    ensemble = EmotionClassifier.load(cv_run / "model")
    assert ensemble.calibrator_.thresholds_.tolist() == metrics["thresholds"]["thresholds"]
    fold0 = EmotionClassifier.load(cv_run / "folds" / "fold-0" / "model")
    assert fold0.calibrator_.thresholds_.tolist() != metrics["thresholds"]["thresholds"]


def test_fold_ensemble_averages_folds_and_works_with_evaluate_and_predict(cv_run: Path, sample_dir: Path,
                                                                         cli, tmp_path: Path) -> None:  # fmt: skip
    dev_file = sample_dir / "2018-E-c-En-dev.txt"
    dev = load_dataset(dev_file, preset="semeval2018-ec")
    ensemble = EmotionClassifier.load(cv_run / "model")
    folds = [EmotionClassifier.load(cv_run / "folds" / f"fold-{i}" / "model") for i in range(3)]
    expected = np.mean([f.predict_proba(dev.texts) for f in folds], axis=0)
    np.testing.assert_allclose(ensemble.predict_proba(dev.texts), expected, atol=1e-6)

    result = cli("evaluate", "--model", cv_run / "model", "--data", dev_file, "--json")
    assert result.code == 0, result.err
    metrics = json.loads((cv_run / "metrics.json").read_text())
    assert json.loads(result.out)["macro_f1"] == pytest.approx(metrics["dev"]["ensemble"]["macro_f1"])
    assert len(metrics["dev"]["fold_models"]) == 3

    texts = tmp_path / "texts.txt"
    texts.write_text("so happy today\nI hate this\n")
    out = tmp_path / "pred.csv"
    assert cli("predict", "--model", cv_run / "model", "--input", texts, "--output", out).code == 0
    assert len(pd.read_csv(out)) == 2


def test_failed_fold_is_reported_and_resume_redoes_only_that_fold(sample_dir: Path, cli, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    fits: list[int] = []
    crash = [True]
    original = EmotionClassifier.fit_dataset

    def flaky(self, train, dev=None, work_dir=None, **options):  # type: ignore[no-untyped-def]
        fits.append(len(train))
        if str(work_dir).endswith("fold-1") and crash[0]:
            raise MemoryError("simulated crash")
        return original(self, train, dev, work_dir, **options)

    monkeypatch.setattr(EmotionClassifier, "fit_dataset", flaky)
    run = tmp_path / "run"
    args = ["cv", *SEMEVAL, "--data-dir", sample_dir, "--output", run, "--folds", "3", "model=tfidf"]
    first = cli(*args)
    assert first.code == 2
    assert "1 of 3 folds failed (fold-1: MemoryError: simulated crash)" in first.err and "--resume" in first.err
    assert "Traceback" not in first.err
    assert (run / "folds" / "fold-0" / "model").is_dir() and (run / "folds" / "fold-2" / "oof.csv").is_file()
    assert not (run / "model").exists()

    fits.clear()
    crash[0] = False
    second = cli(*args, "--resume")
    assert second.code == 0, second.err
    assert len(fits) == 1  # folds 0 and 2 were reused
    assert (run / "model" / "emotune.json").is_file()


def test_cv_of_an_encoder(tiny_bert: Path, sample_dir: Path, cli, tmp_path: Path) -> None:
    run = tmp_path / "run"
    result = cli("-q", "cv", *SEMEVAL, "--train", sample_dir / "2018-E-c-En-train.txt", "--output", run,
                 "--folds", "2", f"model={tiny_bert}", "epochs=1", "max_length=32", "lr=1e-3")  # fmt: skip
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert "dev_ensemble_macro_f1" not in report  # no dev file given: out-of-fold scores only
    assert 0 <= report["oof_macro_f1"] <= 1
    manifest = json.loads((run / "model" / "emotune.json").read_text())
    assert manifest["model_kind"] == "ensemble"
    assert json.loads((run / "model" / "members" / "1" / "emotune.json").read_text())["model_kind"] == "encoder"
    assert not list(run.glob("folds/*/checkpoints"))


def test_weight_grid_covers_the_simplex_most_even_first() -> None:
    two = weight_grid(2)
    assert len(two) == 21 and two[0].tolist() == [0.5, 0.5]
    np.testing.assert_allclose(two.sum(axis=1), 1)
    assert len(weight_grid(3)) == 231 and np.allclose(weight_grid(3).sum(axis=1), 1)
    assert weight_grid(1).tolist() == [[1.0]]


@pytest.fixture(scope="module")
def word_only_bundle(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> Path:
    from emotune.cli import main

    run = tmp_path_factory.mktemp("words") / "run"
    assert main(["-q", "baseline", *SEMEVAL, "--data-dir", str(sample_dir), "--output", str(run),
                 "model.tfidf.char_ngrams=[1,1]", "model.tfidf.max_features=300"]) == 0  # fmt: skip
    return run / "model"


def test_blend_tunes_weights_on_dev_and_saves_one_bundle(trained_bundle: Path, word_only_bundle: Path,
                                                         sample_dir: Path, cli, tmp_path: Path) -> None:  # fmt: skip
    dev_file = sample_dir / "2018-E-c-En-dev.txt"
    out = tmp_path / "blend"
    result = cli("-q", "blend", "--models", trained_bundle, word_only_bundle, "--data", dev_file, "--output", out)
    assert result.code == 0, result.err
    report = json.loads(result.out)
    weights = list(report["weights"].values())
    assert sum(weights) == pytest.approx(1) and len(weights) == 2
    # the chosen weights are at least as good on dev as either member alone (both are on the grid)
    assert report["macro_f1"] >= max(report["members_macro_f1"]) - 1e-9
    assert 0 <= report["two_fold_macro_f1"] <= 1 and report["tuned_on"] == str(dev_file)

    dev = load_dataset(dev_file, preset="semeval2018-ec")
    members = [EmotionClassifier.load(b).predict_proba(dev.texts) for b in (trained_bundle, word_only_bundle)]
    blend = EmotionClassifier.load(out)
    np.testing.assert_allclose(blend.predict_proba(dev.texts), weights[0] * members[0] + weights[1] * members[1],
                               atol=1e-5)  # fmt: skip
    evaluated = cli("evaluate", "--model", out, "--data", dev_file, "--json")
    assert json.loads(evaluated.out)["macro_f1"] == pytest.approx(report["macro_f1"])


def test_blend_with_fixed_weights(trained_bundle: Path, word_only_bundle: Path, sample_dir: Path, cli,
                                  tmp_path: Path) -> None:  # fmt: skip
    result = cli("-q", "blend", "--models", trained_bundle, word_only_bundle, "--weights", "3", "1",
                 "--data", sample_dir / "2018-E-c-En-dev.txt", "--output", tmp_path / "b")  # fmt: skip
    assert result.code == 0, result.err
    assert list(json.loads(result.out)["weights"].values()) == [0.75, 0.25]
    # the thresholds were still tuned on --data: the held-out estimate tunes them on one half only
    from emotune.evaluation.score import two_fold

    blend = EmotionClassifier.load(tmp_path / "b")
    saved = pd.read_csv(tmp_path / "b" / "probabilities.csv")
    names = blend.schema_.names
    y, probs = saved[[f"true_{n}" for n in names]].to_numpy(int), saved[[f"prob_{n}" for n in names]].to_numpy()
    expected = two_fold(y, probs, blend.calibrator_, blend.schema_)
    metrics = json.loads((tmp_path / "b" / "metrics.json").read_text())
    assert metrics["two_fold"]["macro_f1"] == pytest.approx(expected["macro_f1"], abs=1e-4)
    assert json.loads(result.out)["two_fold_macro_f1"] == metrics["two_fold"]["macro_f1"]


def test_blend_on_out_of_fold_probabilities_leaves_dev_for_a_clean_score(cv_run: Path, sample_dir: Path, cli,
                                                                         tmp_path: Path) -> None:  # fmt: skip
    other = tmp_path / "cv-words"
    assert cli("-q", "cv", *SEMEVAL, "--data-dir", sample_dir, "--output", other, "--folds", "3", "model=tfidf",
               "model.tfidf.char_ngrams=[1,1]", "model.tfidf.max_features=300").code == 0  # fmt: skip
    dev_file = sample_dir / "2018-E-c-En-dev.txt"
    out = tmp_path / "blend"
    result = cli("-q", "blend", "--models", cv_run / "model", other / "model", "--oof", "--data", dev_file,
                 "--output", out)  # fmt: skip
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["tuned_on"] == "out-of-fold probabilities"
    metrics = json.loads((out / "emotune.json").read_text())["metrics"]
    assert metrics["tuning_rows"] == 400  # every train row, out of fold
    # the blend's dev score uses weights and thresholds from the out-of-fold rows only: evaluate agrees
    evaluated = cli("evaluate", "--model", out, "--data", dev_file, "--json")
    assert json.loads(evaluated.out)["macro_f1"] == pytest.approx(report["dev_macro_f1"])
    assert len(report["dev_members_macro_f1"]) == 2

    not_cv = cli("blend", "--models", cv_run / "folds" / "fold-0" / "model", other / "model", "--oof",
                 "--output", tmp_path / "b")  # fmt: skip
    assert not_cv.code == 2 and "oof_probabilities.csv: not found" in not_cv.err
    shifted = tmp_path / "cv-seed"
    assert cli("-q", "cv", *SEMEVAL, "--data-dir", sample_dir, "--output", shifted, "--folds", "3", "model=tfidf",
               "seed=7").code == 0  # fmt: skip
    mismatch = cli("blend", "--models", cv_run / "model", shifted / "model", "--oof", "--output", tmp_path / "b")
    assert mismatch.code == 2 and "folds differ" in mismatch.err


def test_blend_and_ensemble_errors(trained_bundle: Path, sample_dir: Path, cli, tmp_path: Path) -> None:
    dev_file = sample_dir / "2018-E-c-En-dev.txt"
    one = cli("blend", "--models", trained_bundle, "--data", dev_file, "--output", tmp_path / "b")
    assert one.code == 2 and "at least two bundles" in one.err
    nothing = cli("blend", "--models", trained_bundle, trained_bundle, "--output", tmp_path / "b")
    assert nothing.code == 2 and "--data DEV" in nothing.err
    counts = cli("blend", "--models", trained_bundle, trained_bundle, "--weights", "1", "--data", dev_file,
                 "--output", tmp_path / "b")  # fmt: skip
    assert counts.code == 2 and "--weights: 1 numbers for 2 bundles" in counts.err
    csv = tmp_path / "mc.csv"
    pd.DataFrame({"text": ["good day", "bad day", "fine", "awful"] * 5,
                  "label": ["joy", "anger", "joy", "anger"] * 5}).to_csv(csv, index=False)  # fmt: skip
    assert cli("-q", "baseline", "--train", csv, "--output", tmp_path / "mc").code == 0
    mixed = cli("blend", "--models", trained_bundle, tmp_path / "mc" / "model", "--data", dev_file,
                "--output", tmp_path / "b")  # fmt: skip
    assert mixed.code == 2 and "differ from" in mixed.err and "\n" not in mixed.err.strip()
    assert not (tmp_path / "b").exists()
    train = cli("train", *SEMEVAL, "--data-dir", sample_dir, "--output", tmp_path / "r", "model=ensemble")
    assert train.code == 2 and "emotune cv" in train.err


def test_cv_of_a_decoder_with_lora_gives_an_ensemble_of_adapter_bundles(tiny_decoder, sample_dir: Path, cli,
                                                                         tmp_path: Path) -> None:  # fmt: skip
    run = tmp_path / "run"
    result = cli("-q", "cv", *SEMEVAL, "--data-dir", sample_dir, "--output", run, "--folds", "2",
                 f"model={tiny_decoder('llama')}", "peft=lora", "epochs=1", "max_length=48", "lr=2e-3")  # fmt: skip
    assert result.code == 0, result.err
    member = run / "model" / "members" / "0"
    assert json.loads((member / "emotune.json").read_text())["model_kind"] == "decoder"
    assert (member / "adapter").is_dir()  # the members stay small adapter bundles
    dev = load_dataset(sample_dir / "2018-E-c-En-dev.txt", preset="semeval2018-ec")
    ensemble = EmotionClassifier.load(run / "model")
    folds = [EmotionClassifier.load(run / "folds" / f"fold-{i}" / "model") for i in range(2)]
    expected = np.mean([f.predict_proba(dev.texts[:20]) for f in folds], axis=0)
    np.testing.assert_allclose(ensemble.predict_proba(dev.texts[:20]), expected, atol=1e-5)
    # Saving loaded adapter bundles again (a blend copies its members) keeps them adapter bundles that load: a
    # loaded adapter is merged for inference, and saving it once wrote the merged weights where the adapter goes.
    blended = tmp_path / "blend"
    result = cli("-q", "blend", "--models", run / "model", folds[0].path_, "--weights", "1", "1", "--data",
                 sample_dir / "2018-E-c-En-dev.txt", "--output", blended)  # fmt: skip
    assert result.code == 0, result.err
    assert (blended / "members" / "0" / "members" / "0" / "adapter" / "adapter_config.json").is_file()
    np.testing.assert_allclose(EmotionClassifier.load(blended).predict_proba(dev.texts[:20]),
                               (expected + folds[0].predict_proba(dev.texts[:20])) / 2, atol=1e-5)  # fmt: skip


def test_single_label_blend_weights_follow_the_decision_metric() -> None:
    from emotune import ThresholdCalibrator
    from emotune.data.labels import LabelSchema
    from emotune.evaluation.metrics import compute_metrics
    from emotune.workflows.blend import choose_weights, weight_grid

    schema = LabelSchema(("a", "b", "c"), "multiclass")
    rng = np.random.default_rng(1)  # a draw where the weights best for balanced accuracy and macro-F1 differ
    y = np.eye(3, dtype=int)[rng.choice(3, 120, p=[0.8, 0.15, 0.05])]
    members = rng.dirichlet(np.ones(3), size=(2, 120)) * 0.6 + 0.4 * y[None] * rng.random((2, 120, 1))
    members /= members.sum(-1, keepdims=True)

    def scores(w: np.ndarray) -> dict[str, float]:
        probs = np.tensordot(w, members, axes=1)
        cal = ThresholdCalibrator(decision="balanced_accuracy").fit(probs, y, schema)
        return compute_metrics(y, cal.predict(probs), schema)

    grid = {tuple(w): scores(w) for w in weight_grid(2)}
    best_ba = max(s["balanced_accuracy"] for s in grid.values())
    by_macro_f1 = max(grid, key=lambda w: grid[w]["macro_f1"])
    assert grid[by_macro_f1]["balanced_accuracy"] < best_ba - 0.02  # the two metrics want different weights
    w, _ = choose_weights(members, y, schema, {"strategy": "per_label", "objective": "macro_f1", "default": 0.5,
                                               "decision": "balanced_accuracy"})  # fmt: skip
    assert grid[tuple(w)]["balanced_accuracy"] == pytest.approx(best_ba)
