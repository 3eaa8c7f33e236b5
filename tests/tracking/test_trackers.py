"""Tracking: what MLflow, TensorBoard and W&B hold after train, cv and sweep, read back with each tool's reader."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

pytest.importorskip("mlflow", reason="the [track] extra is not installed")
SEMEVAL = ["--preset", "semeval2018-ec"]
ALL = "track.to=[mlflow,tensorboard,wandb]"


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_SILENT", "true")


def _mlflow_runs(run_dir: Path) -> tuple[Any, list[Any]]:
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=f"sqlite:///{run_dir.resolve() / 'mlflow.db'}")
    experiment = client.get_experiment_by_name("emotune")
    return client, client.search_runs([experiment.experiment_id], order_by=["attributes.start_time ASC"])


def _scalars(log_dir: Path) -> dict[str, list[tuple[int, float]]]:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(log_dir))
    events.Reload()
    return {tag: [(e.step, e.value) for e in events.Scalars(tag)] for tag in events.Tags()["scalars"]}


def test_a_tfidf_run_lands_in_all_three_trackers(sample_dir: Path, cli, tmp_path: Path, wandb_runs) -> None:
    run = tmp_path / "run"
    result = cli("-q", "baseline", *SEMEVAL, "--data-dir", sample_dir, "--output", run, ALL, "track.tags=[team=nlp]")
    assert result.code == 0, result.err
    metrics = json.loads((run / "metrics.json").read_text())
    macro = metrics["dev"]["macro_f1"]

    client, (tracked,) = _mlflow_runs(run)
    assert tracked.info.run_name == "run" and tracked.info.status == "FINISHED"
    assert tracked.data.params["model.name"] == "tfidf" and tracked.data.tags["team"] == "nlp"
    assert tracked.data.metrics["final/dev/macro_f1"] == pytest.approx(macro)
    artifacts = {a.path for a in client.list_artifacts(tracked.info.run_id)}
    assert {"metrics.json", "report.html", "config.yaml", "tables"} <= artifacts
    per_label = {a.path for a in client.list_artifacts(tracked.info.run_id, "tables")}
    assert per_label == {"tables/per_label.csv", "tables/thresholds.csv"}

    scalars = _scalars(run / "tensorboard")
    assert scalars["final/dev/macro_f1"][0][1] == pytest.approx(macro, abs=1e-6)

    (wb,) = wandb_runs(run)
    assert wb["name"] == "run" and wb["config"]["model.name"] == "tfidf"
    assert wb["summary"]["final/dev/macro_f1"] == pytest.approx(macro)


def test_encoder_epochs_are_logged_as_they_happen(
    tiny_bert: Path, sample_dir: Path, cli, tmp_path: Path, wandb_runs
) -> None:
    run = tmp_path / "run"
    result = cli("-q", "train", *SEMEVAL, "--data-dir", sample_dir, "--output", run, f"model={tiny_bert}", "epochs=2",
                 "train.early_stopping=null", "max_length=32", ALL)  # fmt: skip
    assert result.code == 0, result.err
    epochs = [json.loads(line) for line in (run / "epochs.jsonl").read_text().splitlines()]
    assert len(epochs) == 2

    client, (tracked,) = _mlflow_runs(run)
    history = client.get_metric_history(tracked.info.run_id, "dev/macro_f1")
    assert [round(m.value, 4) for m in sorted(history, key=lambda m: m.step)] == [e["macro_f1"] for e in epochs]
    assert [m.step for m in sorted(history, key=lambda m: m.step)] == [e["step"] for e in epochs]
    assert client.get_metric_history(tracked.info.run_id, "train/loss")

    scalars = _scalars(run / "tensorboard")
    assert [step for step, _ in scalars["dev/macro_f1"]] == [e["step"] for e in epochs]

    (wb,) = wandb_runs(run)
    logged = [row["dev/macro_f1"] for row in wb["history"] if "dev/macro_f1" in row]
    assert [round(v, 4) for v in logged] == [e["macro_f1"] for e in epochs]


def test_cv_folds_are_runs_nested_under_the_cv_run(sample_dir: Path, cli, tmp_path: Path, wandb_runs) -> None:
    run = tmp_path / "cv"
    result = cli("-q", "cv", *SEMEVAL, "--data-dir", sample_dir, "--output", run, "--folds", "2", "model=tfidf", ALL)
    assert result.code == 0, result.err
    metrics = json.loads((run / "metrics.json").read_text())

    _, runs = _mlflow_runs(run)
    by_name = {r.info.run_name: r for r in runs}
    assert set(by_name) == {"cv", "fold-0", "fold-1"}
    parent = by_name["cv"].info.run_id
    assert all(by_name[f"fold-{i}"].data.tags["mlflow.parentRunId"] == parent for i in range(2))
    assert by_name["cv"].data.metrics["final/oof/macro_f1"] == pytest.approx(metrics["oof"]["macro_f1"])
    assert "final/held_out/macro_f1" in by_name["fold-1"].data.metrics

    assert {p.name for p in (run / "tensorboard").iterdir() if p.is_dir()} == {"fold-0", "fold-1"}
    assert "final/oof/macro_f1" in _scalars(run / "tensorboard")
    assert "final/held_out/macro_f1" in _scalars(run / "tensorboard" / "fold-0")

    wb = wandb_runs(run)
    assert sorted(r["name"] for r in wb) == ["cv", "fold-0", "fold-1"] and {r["group"] for r in wb} == {"cv"}


def test_sweep_trials_are_runs_nested_under_the_study(sample_dir: Path, cli, tmp_path: Path, wandb_runs) -> None:
    space = tmp_path / "space.yaml"
    space.write_text(yaml.safe_dump({"tfidf": {"model.tfidf.C": {"type": "float", "low": 0.1, "high": 10}}}))
    run = tmp_path / "sweep"
    result = cli("-q", "sweep", *SEMEVAL, "--data-dir", sample_dir, "--output", run, "--space", space,
                 "model=tfidf", "trials=2", "sweep.seed=0", "track.to=[mlflow,wandb]")  # fmt: skip
    assert result.code == 0, result.err
    summary = json.loads(result.out)

    client, runs = _mlflow_runs(run)
    by_name = {r.info.run_name: r for r in runs}
    assert set(by_name) == {"sweep", "trial-0", "trial-1"}
    for i in range(2):
        trial = by_name[f"trial-{i}"]
        assert trial.data.tags["mlflow.parentRunId"] == by_name["sweep"].info.run_id
        assert "model.tfidf.C" in trial.data.params
    values = [by_name[f"trial-{i}"].data.metrics["final/dev/macro_f1"] for i in range(2)]
    assert max(values) == pytest.approx(summary["best_value"])
    assert by_name["sweep"].data.metrics["best_value"] == pytest.approx(summary["best_value"])
    assert "best.yaml" in {a.path for a in client.list_artifacts(by_name["sweep"].info.run_id)}
    assert sorted(r["name"] for r in wandb_runs(run)) == ["sweep", "trial-0", "trial-1"]


def test_evaluate_and_blend_are_tracked(trained_bundle: Path, sample_dir: Path, cli, tmp_path: Path) -> None:
    out = tmp_path / "eval"
    dev = sample_dir / "2018-E-c-En-dev.txt"
    result = cli("evaluate", "--model", trained_bundle, "--data", dev, "--output", out, "--track", "mlflow", "--json")
    assert result.code == 0, result.err
    _, (tracked,) = _mlflow_runs(out)
    assert tracked.data.metrics["final/test/macro_f1"] == pytest.approx(json.loads(result.out)["macro_f1"])
    assert cli("evaluate", "--model", trained_bundle, "--data", dev, "--track", "mlflow").code == 2

    blend = tmp_path / "blend"
    result = cli("-q", "blend", "--models", trained_bundle, trained_bundle, "--data", dev, "--output", blend,
                 "--track", "tensorboard")  # fmt: skip
    assert result.code == 0, result.err
    assert "weight/0" in _scalars(blend / "tensorboard")


def test_a_missing_tracker_is_one_line_naming_the_extra(sample_dir: Path, cli, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setitem(sys.modules, "mlflow", None)
    monkeypatch.setitem(sys.modules, "mlflow.tracking", None)
    result = cli("baseline", *SEMEVAL, "--data-dir", sample_dir, "--output", tmp_path / "run", "track.to=mlflow")
    assert result.code == 2
    assert result.err.count("\n") == 1 and "pip install 'emotune[track]'" in result.err
    assert not (tmp_path / "run").exists()  # nothing worth keeping was made
    bad = cli("baseline", *SEMEVAL, "--data-dir", sample_dir, "--output", tmp_path / "run", "track.to=comet")
    assert bad.code == 2 and "track.to" in bad.err


@pytest.mark.parametrize("value", ["mlflow,wandb", "[mlflow, wandb]"])
def test_track_to_takes_a_list_or_a_comma_list(value: str) -> None:
    from emotune.config import load_config

    assert load_config(None, [f"track.to={value}"]).track.to == ["mlflow", "wandb"]
