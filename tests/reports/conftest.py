"""Run folders shared by the report tests: a multilabel TF-IDF run, a single-label one and a tiny encoder run."""

from __future__ import annotations

from pathlib import Path

import pytest

from emotune.cli import main

DAIR = "i feel so happy today;joy\ni am furious about this;anger\nwhat a sad day;sadness\nthis is scary;fear\n"


@pytest.fixture(scope="session")
def tfidf_run(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> Path:
    run = tmp_path_factory.mktemp("report") / "semeval"
    assert main(["-q", "baseline", "--preset", "semeval2018-ec", "--data-dir", str(sample_dir), "--output",
                 str(run)]) == 0  # fmt: skip
    return run


@pytest.fixture(scope="session")
def encoder_run(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path, tiny_bert: Path) -> Path:
    run = tmp_path_factory.mktemp("report") / "encoder"
    assert main(["-q", "train", "--preset", "semeval2018-ec", "--data-dir", str(sample_dir), "--output", str(run),
                 f"model={tiny_bert}", "epochs=2", "max_length=32"]) == 0  # fmt: skip
    return run


@pytest.fixture(scope="session")
def multiclass_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dair")
    (folder / "train.txt").write_text(DAIR * 15, encoding="utf-8")
    (folder / "val.txt").write_text(DAIR.replace("i ", "we ") * 6, encoding="utf-8")
    run = folder / "run"
    assert main(["-q", "baseline", "--preset", "dair-emotion", "--train", str(folder / "train.txt"), "--dev",
                 str(folder / "val.txt"), "--output", str(run), "model.tfidf.min_df=1"]) == 0  # fmt: skip
    return run
