"""Combining datasets (``data.sources``): label maps, masks, de-duplication, leakage, and training on the result."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.linear_model import LogisticRegression

from emotune.config import DataConfig, SourceConfig, load_config
from emotune.data.combine import combine, map_labels, near_key
from emotune.data.dataset import EmotionDataset
from emotune.data.labels import LabelSchema
from emotune.errors import DataError
from emotune.models.tfidf import PerLabel

TARGET = LabelSchema(("anger", "joy", "trust"), "multilabel")
SOURCE_CSV = ("text,labels\nso angry right now,annoyance\nthis is hilarious,amusement\ngreat day,joy\n"
              "meh,neutral\nwhat a joke,\"annoyance,amusement\"\n")  # fmt: skip


def _source(tmp_path: Path, body: str = SOURCE_CSV) -> Path:
    path = tmp_path / "source.csv"
    path.write_text(body, encoding="utf-8")
    return path


def _spec(path: Path, **kwargs: object) -> SourceConfig:
    return SourceConfig.model_validate({"name": "other", "train": str(path), "options": {"label_column": "labels"},
                                        "label_map": {"anger": ["annoyance"], "joy": ["joy", "amusement"],
                                                      "drop": ["neutral"]}, **kwargs})  # fmt: skip


def _primary(texts: list[str]) -> EmotionDataset:
    return EmotionDataset(texts, np.tile([1, 0, 1], (len(texts), 1)).astype(np.int8), TARGET, source="primary")


def test_many_to_one_map_masks_what_the_source_does_not_annotate(tmp_path: Path) -> None:
    from emotune.data.combine import load_source

    spec = _spec(_source(tmp_path))
    source = load_source(spec)
    assert source is not None
    y, mask, keep = map_labels(source, TARGET, spec, "map")
    by_text = dict(zip(source.texts, y.tolist(), strict=True))
    assert by_text["what a joke"] == [1, 1, 0] and by_text["this is hilarious"] == [0, 1, 0]
    assert by_text["meh"] == [0, 0, 0]  # only a dropped label: a row with every mapped label absent
    assert mask.tolist() == [[True, True, False]] * len(source) and keep.all()
    _, negative, _ = map_labels(source, TARGET, _spec(_source(tmp_path), unmapped="negative"), "map")
    assert negative.all()


def test_a_single_label_source_gives_one_positive_and_masks_the_rest(tmp_path: Path) -> None:
    from emotune.data.combine import load_source

    path = tmp_path / "dair.txt"
    path.write_text("i am so mad;anger\ntoday is lovely;joy\nscary night;fear\n", encoding="utf-8")
    spec = SourceConfig(preset="dair-emotion", train=str(path), label_map={"anger": "anger", "joy": "joy"})
    source = load_source(spec)
    assert source is not None and source.schema.task == "multiclass"
    y, mask, _ = map_labels(source, TARGET, spec, "map")
    assert y.tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 0]]
    assert not mask[:, 2].any() and mask[:, :2].all()


@pytest.mark.parametrize(("label_map", "message"), [
    ({"anger": ["rage"]}, "anger <- 'rage': other has no label 'rage'"),
    ({"fury": ["annoyance"]}, "target label 'fury' is not one of the run's labels"),
    ({"drop": ["nothing"]}, "drop 'nothing': other has no label 'nothing'"),
])  # fmt: skip
def test_bad_label_maps_are_one_line_naming_the_map_file(tmp_path: Path, label_map: dict, message: str) -> None:
    from emotune.data.combine import load_source

    map_file = tmp_path / "map.yaml"
    map_file.write_text(yaml.safe_dump(label_map))
    spec = _spec(_source(tmp_path), label_map=str(map_file))
    source = load_source(spec)
    assert source is not None
    with pytest.raises(DataError, match=message) as error:
        map_labels(source, TARGET, spec, "data.sources[0].label_map")
    assert str(error.value).startswith(str(map_file)) and "\n" not in str(error.value)


def test_duplicates_near_duplicates_and_leakage_are_dropped_and_counted(tmp_path: Path) -> None:
    body = ("text,labels\nSo angry right now,annoyance\nso  ANGRY right now!!!,annoyance\ngreat day,joy\n"
            "a test sentence,joy\nbrand new text,joy\n")  # fmt: skip
    check = tmp_path / "test.csv"
    check.write_text("text,labels\nA test sentence.,joy\n", encoding="utf-8")
    spec = _spec(_source(tmp_path, body), label_map={"anger": "annoyance", "joy": "joy"})
    cfg = DataConfig(sources=[spec], check_against=[str(check)],
                     label_column="labels")  # fmt: skip
    primary = _primary(["so angry right now", "unrelated"])
    dev = _primary(["great day"])
    combined = combine(primary, dev, cfg)
    assert combined.texts == ["so angry right now", "unrelated", "brand new text"]
    assert combined.problems == {"other: duplicate of an earlier row": 1, "other: near-duplicate of an earlier row": 1,
                                 "other: in dev or check_against": 2}  # fmt: skip
    assert combined.origin.tolist() == ["generic", "generic", "other"]
    assert combined.mask.tolist() == [[True] * 3, [True] * 3, [True, True, False]]
    assert near_key("RT @sam: Great day!! https://t.co/x") == near_key("rt great day")


def test_per_label_fits_each_label_on_its_annotated_rows() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    y = (X[:, :2] + rng.normal(scale=0.5, size=(60, 2)) > 0).astype(float)
    y[:20, 1] = np.nan
    model = PerLabel(LogisticRegression()).fit(X, y)
    alone = LogisticRegression().fit(X[20:], y[20:, 1].astype(int))
    np.testing.assert_allclose(model.predict_proba(X)[:, 1], alone.predict_proba(X)[:, 1])


def _config(tmp_path: Path, sample_dir: Path, model: str) -> Path:
    source = tmp_path / "extra.csv"
    texts = [f"so angry about thing {i}" for i in range(20)] + [f"what a happy day number {i}" for i in range(20)]
    labels = ["annoyance"] * 20 + ["amusement"] * 20
    pd.DataFrame({"text": texts, "labels": labels}).to_csv(source, index=False)
    cfg = {"data": {"preset": "semeval2018-ec", "data_dir": str(sample_dir),
                    "sources": [{"name": "extra", "train": str(source), "options": {"label_column": "labels"},
                                 "label_map": {"anger": "annoyance", "joy": "amusement"}}]},
           "model": {"name": model}}  # fmt: skip
    path = tmp_path / "combine.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


@pytest.mark.parametrize("model", ["tfidf", "tiny_bert"])
def test_training_on_combined_sources_reports_each_source(model: str, sample_dir: Path, cli, tmp_path: Path,
                                                         request: pytest.FixtureRequest) -> None:  # fmt: skip
    name = str(request.getfixturevalue("tiny_bert")) if model == "tiny_bert" else model
    config = _config(tmp_path, sample_dir, name)
    result = cli("-q", "train", "--config", config, "--output", tmp_path / "run", "epochs=1", "max_length=32")
    assert result.code == 0, result.err
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["sources"]["extra"]["train_rows"] == 40
    assert metrics["sources"]["semeval2018-ec"]["train_rows"] == metrics["train_rows"] - 40


def test_config_show_counts_the_rows_of_every_source(sample_dir: Path, cli, tmp_path: Path, tiny_bert: Path) -> None:
    config = _config(tmp_path, sample_dir, str(tiny_bert))
    long_texts = [f"so angry {' and angry' * 60} {i}" for i in range(40)]  # far longer than the sample tweets
    labels = ["annoyance", "amusement"] * 20
    pd.DataFrame({"text": long_texts, "labels": labels}).to_csv(tmp_path / "extra.csv", index=False)
    shown = cli("config", "show", "--config", config, "train.precision=fp32")
    assert shown.code == 0, shown.err
    alone = cli("config", "show", "--preset", "semeval2018-ec", "--data-dir", sample_dir, f"model={tiny_bert}",
                "train.precision=fp32")  # fmt: skip
    with_source, own = (yaml.safe_load(r.out)["model"]["max_length"] for r in (shown, alone))
    assert own < 64 < with_source  # the 99th percentile falls among the source's texts


def test_data_combine_writes_masked_cells_empty_and_cv_folds_split_only_own_rows(sample_dir: Path, cli,
                                                                                 tmp_path: Path) -> None:  # fmt: skip
    config = _config(tmp_path, sample_dir, "tfidf")
    out = tmp_path / "combined.csv"
    result = cli("data", "combine", "--config", config, "--output", out)
    assert result.code == 0, result.err
    frame = pd.read_csv(out)
    extra = frame[frame["source"] == "extra"]
    assert len(extra) == 40 and extra["trust"].isna().all() and extra["anger"].notna().all()
    assert frame.loc[frame["source"] == "semeval2018-ec", "trust"].notna().all()
    cv = cli("-q", "cv", "--config", config, "--output", tmp_path / "cv", "--folds", "2")
    assert cv.code == 0, cv.err
    oof = pd.read_csv(tmp_path / "cv" / "oof_probabilities.csv", keep_default_na=False)
    assert len(oof) == 400 and not oof["text"].str.startswith(("so angry about thing", "what a happy day")).any()
    for fold in range(2):
        rows = json.loads((tmp_path / "cv" / "folds" / f"fold-{fold}" / "model" / "emotune.json").read_text())
        own = int((oof["fold"] != fold).sum())  # the run's rows this fold trained on
        assert rows["metrics"]["train_rows"] == own + 40  # plus every source row
    assert load_config(Path("configs/combine_semeval_goemotions.yaml")).data.sources[0].unmapped == "mask"
