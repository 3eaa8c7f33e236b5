"""``emotune sweep``: Optuna study, exported best config, pruning callback, workers sharing a study."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import optuna
import pandas as pd
import pytest
import yaml

from emotune.config import RunConfig, load_config
from emotune.training.trainer import PruningCallback
from emotune.tuning import check_space, default_space

SEMEVAL = ["--preset", "semeval2018-ec"]
TFIDF_SPACE = {"tfidf": {"model.tfidf.C": {"type": "float", "low": 0.01, "high": 10, "log": True},
                         "model.tfidf.max_features": {"type": "categorical", "choices": [30, 3000]}}}  # fmt: skip


def _space(tmp_path: Path, space: dict) -> Path:
    path = tmp_path / "space.yaml"
    path.write_text(yaml.safe_dump(space))
    return path


def test_sweep_exports_a_best_config_that_retrains_to_the_best_score(sample_dir: Path, cli, tmp_path: Path) -> None:
    run = tmp_path / "sweep"
    result = cli("-q", "sweep", *SEMEVAL, "--data-dir", sample_dir, "--output", run, "--space",
                 _space(tmp_path, TFIDF_SPACE), "model=tfidf", "trials=3", "sweep.seed=0")  # fmt: skip
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert summary["trials"] == summary["complete"] == 3
    trials = pd.read_csv(run / "trials.csv")
    assert len(trials) == 3 and trials["value"].max() == pytest.approx(summary["best_value"])
    for name in ("study.db", "history.png", "importance.png", "sweep.log"):
        assert (run / name).is_file(), name
    assert not list(run.glob("trials/*/model"))  # bundles of trials are not kept

    best = load_config(run / "best.yaml")
    assert best.model.name == "tfidf" and best.sweep.trials == RunConfig().sweep.trials
    assert summary["best_params"]["model.tfidf.C"] == pytest.approx(best.model.tfidf.C)
    assert best.model.tfidf.max_features == summary["best_params"]["model.tfidf.max_features"]
    retrained = cli("-q", "train", "--config", run / "best.yaml", "--output", tmp_path / "retrain")
    assert retrained.code == 0, retrained.err
    assert json.loads(retrained.out)["macro_f1"] == pytest.approx(summary["best_value"])


def test_two_worker_processes_share_one_sqlite_study(sample_dir: Path, tmp_path: Path) -> None:
    storage = f"sqlite:///{tmp_path / 'shared.db'}"
    space = _space(tmp_path, TFIDF_SPACE)
    workers = [subprocess.Popen([sys.executable, "-m", "emotune", "-q", "sweep", *SEMEVAL, "--data-dir",
                                 str(sample_dir), "--output", str(tmp_path / f"worker{i}"), "--storage", storage,
                                 "--study", "shared", "--space", str(space), "model=tfidf", "trials=2"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for i in range(2)]  # fmt: skip
    outputs = [w.communicate(timeout=240) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], [err for _, err in outputs]
    study = optuna.load_study(study_name="shared", storage=storage)
    assert len(study.trials) == 4
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials)
    assert len({t.user_attrs["worker"] for t in study.trials}) == 2
    # the trial numbers are unique across workers, so trial folders never collide
    folders = [p.name for i in range(2) for p in (tmp_path / f"worker{i}" / "trials").iterdir()]
    assert sorted(folders) == ["0", "1", "2", "3"]


def test_pruning_callback_stops_a_trial_that_trails_the_median() -> None:
    study = optuna.create_study(direction="maximize", pruner=optuna.pruners.MedianPruner(n_startup_trials=1))
    good = study.ask()
    PruningCallback(good, "macro_f1").on_evaluate(None, SimpleNamespace(epoch=1.0), None, {"eval_macro_f1": 0.6})
    study.tell(good, 0.6)

    bad = study.ask()
    callback = PruningCallback(bad, "macro_f1")
    with pytest.raises(optuna.TrialPruned, match=r"epoch 1: dev macro_f1 0\.1000"):
        callback.on_evaluate(None, SimpleNamespace(epoch=1.0), None, {"eval_macro_f1": 0.1})
    assert bad.storage.get_trial(bad._trial_id).intermediate_values == {1: 0.1}

    better = study.ask()
    PruningCallback(better, "macro_f1").on_evaluate(None, SimpleNamespace(epoch=1.0), None, {"eval_macro_f1": 0.9})


def test_encoder_trials_report_every_epoch_to_the_study(tiny_bert: Path, sample_dir: Path, cli, tmp_path: Path) -> None:
    run = tmp_path / "sweep"
    result = cli("-q", "sweep", *SEMEVAL, "--data-dir", sample_dir, "--output", run, f"model={tiny_bert}",
                 "trials=2", "epochs=2", "max_length=32", "train.early_stopping=null")  # fmt: skip
    assert result.code == 0, result.err
    study = optuna.load_study(study_name="emotune", storage=f"sqlite:///{run / 'study.db'}")
    assert [sorted(t.intermediate_values) for t in study.trials] == [[1, 2], [1, 2]]
    assert set(study.trials[0].params) == set(default_space()["encoder"])
    assert {t.user_attrs["kind"] for t in study.trials} == {"encoder"}


@pytest.mark.parametrize(
    ("space", "message"),
    [
        ({"tfidf": {"model.tfidf.C": {"type": "float", "low": 5, "high": 1}}}, "model.tfidf.C: float needs low < high"),
        ({"encoders": {"lr": {"type": "float", "low": 1, "high": 2}}}, "encoders: unknown section"),
        ({"tfidf": {"model.tfidf.Cee": {"type": "float", "low": 1, "high": 2}}}, "model.tfidf.Cee: unknown key"),
        ({"tfidf": {"model.tfidf.C": {"type": "categorical"}}}, "categorical needs a non-empty list of choices"),
    ],
)  # fmt: skip
def test_bad_space_files_fail_before_any_trial(space: dict, message: str, sample_dir: Path, cli,
                                               tmp_path: Path) -> None:  # fmt: skip
    result = cli("sweep", *SEMEVAL, "--data-dir", sample_dir, "--output", tmp_path / "run", "--space",
                 _space(tmp_path, space), "model=tfidf", "trials=1")  # fmt: skip
    assert result.code == 2
    assert message in result.err and result.err.count("\n") == 1
    assert not (tmp_path / "run").exists()


def test_unknown_metric_is_a_one_line_error(sample_dir: Path, cli, tmp_path: Path) -> None:
    result = cli("sweep", *SEMEVAL, "--data-dir", sample_dir, "--output", tmp_path / "run", "model=tfidf",
                 "sweep.metric=f1")  # fmt: skip
    assert result.code == 2 and "sweep.metric: unknown metric 'f1'" in result.err and result.err.count("\n") == 1


@pytest.mark.parametrize("path", sorted((Path(__file__).parent.parent / "configs" / "sweeps").glob("*.yaml")),
                         ids=lambda p: p.name)  # fmt: skip
def test_shipped_sweep_spaces_are_valid(path: Path) -> None:
    from emotune.tuning import load_space

    space = load_space(path)
    assert space and all(space.values())
    check_space(RunConfig(), space, str(path))


def test_model_kind_drawn_first_then_its_own_keys() -> None:
    from emotune.tuning import load_space, sample_config

    space = load_space(Path(__file__).parent.parent / "configs" / "sweeps" / "tfidf_or_minilm.yaml")
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    kinds = set()
    for _ in range(12):
        trial = study.ask()
        cfg = sample_config(RunConfig(), space, trial, "test")
        kind = trial.user_attrs["kind"]
        kinds.add(kind)
        own = {"tfidf": {"model.tfidf.C", "model.tfidf.min_df"}, "encoder": {"lr", "batch_size", "model.head"}}
        assert set(trial.params) == {"model"} | own[kind]
        assert cfg.model.name == trial.params["model"]
        study.tell(trial, 0.0)
    assert kinds == {"tfidf", "encoder"}
