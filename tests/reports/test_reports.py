"""Run reports, dataset reports and model cards: what they show, that they hold together, and bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread
from sklearn.metrics import f1_score

from emotune import EmotionClassifier
from emotune.card import model_card
from emotune.data.labels import LabelSchema
from emotune.decisions.scores import f1_by_threshold
from emotune.decisions.thresholds import ThresholdCalibrator
from emotune.reports.evidence import RunEvidence
from emotune.reports.figures import GRID
from emotune.reports.tables import confident_errors

IMG = re.compile(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="([^"]+)"')


def _figures(run: Path) -> set[str]:
    return {p.stem for p in (run / "report").glob("*.png")}


def test_train_writes_a_report_with_every_figure_that_applies(tfidf_run: Path) -> None:
    html = (tfidf_run / "report.html").read_text(encoding="utf-8")
    assert _figures(tfidf_run) == {"per_label", "thresholds", "pr_curves", "confusion", "co_occurrence", "reliability"}
    assert len(IMG.findall(html)) == 6  # every figure embedded: the page opens offline as one file
    for png in (tfidf_run / "report").glob("*.png"):
        height, width, _ = imread(png).shape
        assert height > 200 and width > 300
    metrics = json.loads((tfidf_run / "metrics.json").read_text())
    assert f"{metrics['dev']['macro_f1']:.4f}" in html and f"{metrics['dev_two_fold']['macro_f1']:.4f}" in html
    assert "Most confident errors" in html and "<script" not in html


def test_encoder_and_cv_reports_add_training_curves_and_fold_spread(encoder_run: Path, sample_dir: Path, cli,
                                                                    tmp_path: Path) -> None:  # fmt: skip
    assert "training" in _figures(encoder_run)
    run = tmp_path / "cv"
    assert cli("-q", "cv", "--preset", "semeval2018-ec", "--data-dir", sample_dir, "--output", run, "--folds", "2",
               "model=tfidf").code == 0  # fmt: skip
    assert {"folds", "thresholds", "per_label"} <= _figures(run)
    assert "out-of-fold, all train rows" in (run / "report.html").read_text(encoding="utf-8")


def test_single_label_report_has_a_confusion_matrix_and_no_threshold_curves(multiclass_run: Path) -> None:
    figures = _figures(multiclass_run)
    assert {"confusion", "reliability", "per_label"} <= figures
    assert not {"thresholds", "co_occurrence"} & figures


def test_report_command_writes_markdown_whose_images_exist(tfidf_run: Path, cli, tmp_path: Path) -> None:
    out = tmp_path / "paper" / "semeval.md"
    result = cli("report", tfidf_run, "--format", "md", "--output", out)
    assert result.code == 0, result.err
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", out.read_text(encoding="utf-8"))
    assert len(links) == 6 and all((out.parent / link).is_file() for link in links)


def test_report_of_a_folder_that_is_no_run_is_one_line(cli, tmp_path: Path) -> None:
    result = cli("report", tmp_path)
    assert result.code == 2 and result.err.count("\n") == 1 and "metrics.json" in result.err


def test_a_report_that_cannot_be_drawn_never_loses_the_run(sample_dir: Path, cli, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    from emotune.reports import run_report

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(run_report, "write_page", broken)
    run = tmp_path / "run"
    result = cli("baseline", "--preset", "semeval2018-ec", "--data-dir", sample_dir, "--output", run)
    assert result.code == 0 and "report not written: RuntimeError: no fonts" in result.err
    assert (run / "model" / "emotune.json").is_file() and not (run / "report.html").exists()
    off = cli("-q", "baseline", "--preset", "semeval2018-ec", "--data-dir", sample_dir, "--output", tmp_path / "off",
              "track.report=false")  # fmt: skip
    assert off.code == 0 and not (tmp_path / "off" / "report.html").exists()


def test_threshold_curve_is_f1_at_each_threshold() -> None:
    rng = np.random.default_rng(0)
    y, p = rng.integers(0, 2, 200), rng.random(200)
    expected = [f1_score(y, p >= t, zero_division=0) for t in GRID]
    np.testing.assert_allclose(f1_by_threshold(p, y, GRID), expected)


def test_confident_errors_put_the_most_confident_mistake_first() -> None:
    schema = LabelSchema(("anger", "joy"), "multilabel")
    y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]], dtype=np.int8)
    probs = np.array([[0.9, 0.1], [0.55, 0.8], [0.7, 0.05], [0.2, 0.3]])
    cal = ThresholdCalibrator("fixed", default=0.5).fit(probs, y, schema)
    ev = RunEvidence(Path("run"), "train", {}, {}, list(schema.names), "multilabel", cal, texts=["a", "b", "c", "d"],
                     y=y, probs=probs, predicted=cal.predict(probs))  # fmt: skip
    rows = confident_errors(ev)
    assert [r["text"] for r in rows] == ["c", "b"]  # c misses joy at 0.05 (0.45 off); b says anger at 0.55 (0.05)
    assert rows[0]["missed"] == "joy 0.05" and rows[1]["predicted"] == "anger 0.55, joy 0.80"


def test_evaluate_output_keeps_its_files_and_report(trained_bundle: Path, sample_dir: Path, cli,
                                                    tmp_path: Path) -> None:  # fmt: skip
    out = tmp_path / "eval"
    result = cli("evaluate", "--model", trained_bundle, "--data", sample_dir / "2018-E-c-En-dev.txt", "--output", out,
                 "--json")  # fmt: skip
    assert result.code == 0, result.err
    assert {"metrics.json", "probabilities.csv", "report.html"} <= {p.name for p in out.iterdir()}
    assert "evaluated file" in (out / "report.html").read_text(encoding="utf-8")


def test_dataset_report_finds_leakage_and_scripts(cli, tmp_path: Path, tiny_bert: Path) -> None:
    train = tmp_path / "train.csv"
    dev = tmp_path / "dev.csv"
    train.write_text('text,labels\nI love it,"joy,love"\nthis is awful,anger\nПривет мир,joy\nso happy,joy\n',
                     encoding="utf-8")  # fmt: skip
    dev.write_text("text,labels\ni LOVE  it,joy\nterrible news,anger\n", encoding="utf-8")
    out = tmp_path / "report" / "data.html"
    result = cli("data", "inspect", "--data", train, "--data", dev, "--report", out, "--model", tiny_bert,
                 "--max-length", "8", "data.label_column=labels")  # fmt: skip
    assert result.code == 0, result.err
    html = out.read_text(encoding="utf-8")
    leakage = html.split("Duplicates and leakage")[1].split("</table>")[0]
    assert '<td>train / dev</td><td class="n">1</td>' in leakage and "i love it" in leakage
    assert "cyrillic" in html and "latin" in html
    assert {p.stem for p in (out.parent / "data").glob("*.png")} == {"labels", "co_occurrence", "lengths"}
    assert "tokens" in html


def test_every_bundle_has_a_model_card_with_its_scores(tfidf_run: Path) -> None:
    from huggingface_hub import ModelCard

    card = ModelCard.load(tfidf_run / "model" / "README.md")
    metrics = json.loads((tfidf_run / "metrics.json").read_text())
    manifest = json.loads((tfidf_run / "model" / "emotune.json").read_text())
    assert card.data.language == "en" and card.data.library_name == "emotune"
    assert card.data.datasets == ["sem_eval_2018_task_1"]
    results = {r.metric_name: r.metric_value for r in card.data.eval_results}
    assert results["macro-F1 (dev, held-out estimate)"] == round(metrics["dev_two_fold"]["macro_f1"], 4)
    for name, threshold in zip(manifest["schema"]["names"], manifest["thresholds"]["thresholds"], strict=True):
        assert f"| {name} | {threshold:.3f} |" in card.text
    assert "## Limitations and bias" in card.text
    assert "at least" not in card.text
    clf = EmotionClassifier.load(tfidf_run / "model")
    clf.calibrator_.min_labels_ = 1  # as thresholds.min_labels=1 (or auto choosing 1) leaves it
    text = model_card(clf.config, clf.schema_, clf.calibrator_, metrics, "tfidf")
    assert "Every text gets at least 1 label(s)" in text


def test_push_without_a_network_is_one_line(tfidf_run: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    closed = cli("push", "--model", tfidf_run / "model", "--repo-id", "me/semeval", "--endpoint", "http://127.0.0.1:9")
    assert closed.code == 2 and closed.err.count("\n") == 1 and "cannot reach http://127.0.0.1:9" in closed.err
    bad = cli("push", "--model", tfidf_run, "--repo-id", "me/semeval")
    assert bad.code == 2 and "did you mean RUN/model" in bad.err
