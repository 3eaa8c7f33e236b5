"""The command line end to end, in-process through ``main(argv)``."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

CONTRACT_KEYS = {"macro_f1", "micro_f1", "weighted_f1", "jaccard"}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_baseline_writes_a_complete_run(tmp_path: Path, sample_dir: Path, cli) -> None:
    run = tmp_path / "run"
    result = cli("baseline", "--preset", "semeval2018-ec", "--data-dir", sample_dir, "--output", run, "seed=3")
    assert result.code == 0, result.err
    assert json.loads(result.out)["bundle"] == str(run / "model")
    assert (run / "model" / "emotune.json").is_file() and (run / "model" / "tfidf.skops").is_file()
    assert "seed: 3" in (run / "config.yaml").read_text()
    assert "dev macro_f1" in (run / "train.log").read_text()
    metrics = json.loads((run / "metrics.json").read_text())
    assert set(metrics["dev"]) >= CONTRACT_KEYS and len(metrics["per_label"]) == 11
    assert metrics["dev_rows"] == 100 and metrics["dev_split_off_train"] is False


def test_train_without_dev_splits_one_off(tmp_path: Path, sample_dir: Path, cli) -> None:
    run = tmp_path / "run"
    result = cli("train", "--preset", "semeval2018-ec", "--train", sample_dir / "2018-E-c-En-train.txt",
                 "--output", run, "model=tfidf", "data.dev_size=0.25")  # fmt: skip
    assert result.code == 0, result.err
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["dev_split_off_train"] is True and metrics["dev_rows"] == 100


def test_evaluate_json_contract(trained_bundle: Path, sample_dir: Path, cli) -> None:
    result = cli("evaluate", "--model", trained_bundle, "--preset", "semeval2018-ec",
                 "--data", sample_dir / "2018-E-c-En-dev.txt", "--json")  # fmt: skip
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert set(report) >= CONTRACT_KEYS and report["n_texts"] == 100
    assert 0 <= report["macro_f1"] <= 1


def test_evaluate_tables_with_the_bundle_preset(trained_bundle: Path, sample_dir: Path, cli) -> None:
    dev = sample_dir / "2018-E-c-En-dev.txt"
    result = cli("evaluate", "--model", trained_bundle, "--data", dev)  # no --preset: the bundle's
    assert result.code == 0, result.err
    as_json = json.loads(cli("evaluate", "--model", trained_bundle, "--data", dev, "--json").out)
    rows = {line.split()[0]: line.split()[1:] for line in result.out.splitlines()[1:] if line.strip()}
    assert float(rows["macro_f1"][0]) == pytest.approx(as_json["macro_f1"], abs=1e-4)  # the table's summary
    per_label = {r["label"]: r for r in as_json["per_label"]}
    for label in ("anger", "trust"):  # and its per-label rows: precision, recall, f1, support
        assert float(rows[label][2]) == pytest.approx(per_label[label]["f1"], abs=1e-4)
        assert int(rows[label][3]) == per_label[label]["support"]


def write_multiclass(folder: Path) -> None:
    """A tiny ``dair-emotion`` data folder: the same 40 rows as train.txt and val.txt."""
    rows = "".join(f"feel {w} today;{label}\n" for w, label in
                   [("down", "sadness"), ("great", "joy"), ("scared", "fear"), ("mad", "anger")] * 10)  # fmt: skip
    write(folder / "train.txt", "text;label_name\n" + rows)
    write(folder / "val.txt", rows)


def test_evaluate_multiclass_json(tmp_path: Path, cli) -> None:
    write_multiclass(tmp_path)
    assert cli("baseline", "--preset", "dair-emotion", "--data-dir", tmp_path, "--output", tmp_path / "r").code == 0
    result = cli("evaluate", "--model", tmp_path / "r" / "model", "--preset", "dair-emotion",
                 "--data", tmp_path / "val.txt", "--json")  # fmt: skip
    report = json.loads(result.out)
    assert {"macro_f1", "micro_f1", "weighted_f1", "balanced_accuracy"} <= set(report)
    assert len(report["confusion_matrix"]) == 6


def test_the_run_log_reports_the_metric_the_decision_was_tuned_for(tmp_path: Path, cli) -> None:
    write_multiclass(tmp_path)
    run = tmp_path / "r"
    result = cli("baseline", "--preset", "dair-emotion", "--data-dir", tmp_path, "--output", run,
                 "thresholds.decision=balanced_accuracy")  # fmt: skip
    assert result.code == 0, result.err
    dev = json.loads((run / "metrics.json").read_text())["dev"]
    assert f"dev balanced_accuracy {dev['balanced_accuracy']:.4f} (calibrated)" in (run / "train.log").read_text()


def test_predict_texts(trained_bundle: Path, cli) -> None:
    result = cli("predict", "--model", trained_bundle, "--json", "I am terrified of the exam", "so angry")
    assert result.code == 0
    records = [json.loads(line) for line in result.out.splitlines()]
    assert [r["text"] for r in records] == ["I am terrified of the exam", "so angry"]
    assert "fear" in records[0]["labels"] and len(records[0]["probabilities"]) == 11
    plain = cli("predict", "--model", trained_bundle, "I am terrified of the exam")
    assert plain.out.startswith("fear")


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_predict_file(trained_bundle: Path, tmp_path: Path, cli, suffix: str) -> None:
    source = tmp_path / "in.csv"
    pd.DataFrame({"id": [1, 2], "text": ["scared of the dark", "love you all"]}).to_csv(source, index=False)
    out = tmp_path / f"out{suffix}"
    result = cli("predict", "--model", trained_bundle, "--input", source, "--output", out)
    assert result.code == 0, result.err
    if suffix == ".csv":
        frame = pd.read_csv(out)
        assert frame["id"].tolist() == [1, 2] and "prob_fear" in frame.columns and "labels" in frame.columns
    else:
        records = [json.loads(line) for line in out.read_text().splitlines()]
        assert records[1]["id"] == "2" and isinstance(records[1]["labels"], list)


def test_predict_txt_input_one_text_per_line(trained_bundle: Path, tmp_path: Path, cli) -> None:
    source = write(tmp_path / "in.txt", "first text\nsecond text\n")
    result = cli("predict", "--model", trained_bundle, "--input", source, "--output", tmp_path / "o.csv")
    assert result.code == 0 and len(pd.read_csv(tmp_path / "o.csv")) == 2


def test_bad_predict_input_leaves_old_output_intact(trained_bundle: Path, tmp_path: Path, cli) -> None:
    out = write(tmp_path / "out.csv", "previous results\n")
    source = write(tmp_path / "in.csv", 'text\nfine\n""\n')
    result = cli("predict", "--model", trained_bundle, "--input", source, "--output", out)
    assert result.code == 2 and "empty text at line 3" in result.err
    assert out.read_text() == "previous results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]


def test_data_inspect_and_presets(sample_dir: Path, tmp_path: Path, cli) -> None:
    result = cli("data", "inspect", "--preset", "semeval2018-ec", "--data", sample_dir / "2018-E-c-En-train.txt")
    assert result.code == 0
    for section in ("== labels", "most frequent label pairs", "text length", "p95"):
        assert section in result.out
    messy = write(tmp_path / "m.csv", "text,label\nhi,joy\n,joy\nhi,joy\n")
    report = cli("data", "inspect", "--data", messy)
    assert report.code == 0 and "empty text" in report.out and "rows with a duplicate text" in report.out
    assert "semeval2018-ec" in cli("data", "presets").out


def test_usage_errors_exit_2(cli, trained_bundle: Path) -> None:
    assert cli("train").code == 2  # argparse: --output missing
    result = cli("predict", "--model", trained_bundle)
    assert result.code == 2 and result.err.startswith("emotune: error: nothing to predict")


def test_debug_shows_the_traceback(tmp_path: Path, cli) -> None:
    with pytest.raises(Exception, match="file not found"):
        cli("--debug", "data", "inspect", "--data", tmp_path / "missing.csv")


def test_metrics_report_a_held_out_estimate_next_to_the_calibrated_one(trained_bundle: Path) -> None:
    metrics = json.loads((trained_bundle.parent / "metrics.json").read_text())
    held_out = metrics["dev_two_fold"]  # thresholds fitted on one half of dev, scored on the other
    assert set(held_out) == set(metrics["dev"]) and 0 < held_out["macro_f1"] < 1 and 0 < held_out["jaccard"] < 1
    assert held_out != metrics["dev"]
