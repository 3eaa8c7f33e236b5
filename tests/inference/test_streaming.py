"""Streaming batch prediction: chunked reading in every format, input order, resume after an interruption."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from emotune import EmotionClassifier
from emotune.inference.workers import core_shares
from emotune.workflows.predict import predict_file

TEXTS = [f"text number {i}: {'so happy today' if i % 3 else 'I am furious and scared'}" for i in range(53)]


def _write(path: Path, texts: list[str]) -> Path:
    frame = pd.DataFrame({"id": range(len(texts)), "text": texts})
    suffix = path.suffix
    if suffix == ".txt":
        path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    elif suffix in (".csv", ".tsv"):
        frame.to_csv(path, sep="," if suffix == ".csv" else "\t", index=False)
    elif suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True)
    else:
        frame.to_parquet(path)
    return path


@pytest.mark.parametrize("suffix", [".txt", ".csv", ".tsv", ".jsonl", ".parquet"])
def test_chunks_give_the_whole_file_result_in_input_order(trained_bundle: Path, tmp_path: Path, suffix: str) -> None:
    clf = EmotionClassifier.load(trained_bundle)
    source = _write(tmp_path / f"in{suffix}", TEXTS)
    assert predict_file(clf, source, tmp_path / "out.csv", batch_size=7, progress=False) == len(TEXTS)
    out = pd.read_csv(tmp_path / "out.csv", keep_default_na=False)
    assert out["text"].tolist() == TEXTS
    expected = clf.predict_proba(TEXTS)
    np.testing.assert_allclose(out[[f"prob_{n}" for n in clf.schema_.names]].to_numpy(), expected, atol=1e-4)
    assert out["labels"].tolist() == [",".join(lab) for lab in clf.schema_.decode(clf.calibrator_.predict(expected))]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([source.name, "out.csv"])  # no partial files left


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_resume_after_an_interruption_writes_every_row_exactly_once(
    trained_bundle: Path, tmp_path: Path, suffix: str
) -> None:
    clf = EmotionClassifier.load(trained_bundle)
    source = _write(tmp_path / "in.csv", TEXTS)
    out = tmp_path / f"out{suffix}"
    predict_file(clf, source, tmp_path / f"whole{suffix}", batch_size=10, progress=False)
    real, calls = clf.predict_proba, []

    def dies_on_the_third_chunk(texts: list[str]) -> np.ndarray:
        calls.append(len(texts))
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(texts)

    clf.predict_proba = dies_on_the_third_chunk  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        predict_file(clf, source, out, batch_size=10, progress=False)
    assert not out.exists()
    partial = tmp_path / f".{out.name}.partial"
    with partial.open("a", encoding="utf-8") as handle:
        handle.write("half a row written when the process was killed")  # past the last recorded chunk
    clf.predict_proba = real  # type: ignore[method-assign]
    assert predict_file(clf, source, out, batch_size=10, progress=False, resume=True) == len(TEXTS)
    assert out.read_text(encoding="utf-8") == (tmp_path / f"whole{suffix}").read_text(encoding="utf-8")
    assert not partial.exists()


def test_resume_from_the_cli_continues_and_without_a_partial_starts_over(
    trained_bundle: Path, tmp_path: Path, cli
) -> None:
    source = _write(tmp_path / "in.jsonl", TEXTS)
    done = cli("predict", "--model", trained_bundle, "--input", source, "--output", tmp_path / "o.jsonl", "--resume")
    assert done.code == 0
    rows = [json.loads(line) for line in (tmp_path / "o.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == list(range(len(TEXTS)))


def test_a_bad_row_in_a_later_chunk_names_its_line_and_leaves_nothing(
    trained_bundle: Path, tmp_path: Path, cli
) -> None:
    texts = [*TEXTS[:30], "   ", *TEXTS[30:]]
    source = _write(tmp_path / "in.txt", texts)
    done = cli("predict", "--model", trained_bundle, "--input", source, "--output", tmp_path / "o.csv",
               "--batch-size", "8")  # fmt: skip
    assert done.code == 2 and "empty text at line 31" in done.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.txt"]


def test_bad_bytes_name_their_line(trained_bundle: Path, tmp_path: Path, cli) -> None:
    source = tmp_path / "in.txt"
    source.write_bytes(b"fine text\nalso fine\nbad \xff byte\n")
    done = cli("predict", "--model", trained_bundle, "--input", source, "--output", tmp_path / "o.csv")
    assert done.code == 2 and "line 3 is not valid UTF-8" in done.err


@pytest.mark.parametrize("name", ["missing.csv", "missing.parquet", "missing.txt"])
def test_a_missing_input_is_one_line_and_leaves_nothing(trained_bundle: Path, tmp_path: Path, cli, name: str) -> None:
    done = cli("predict", "--model", trained_bundle, "--input", tmp_path / name, "--output", tmp_path / "o.csv")
    assert done.code == 2 and "file not found" in done.err
    assert list(tmp_path.iterdir()) == []


def test_core_shares_use_every_core_and_share_one_only_when_workers_outnumber_cores() -> None:
    assert core_shares([0, 1, 2, 3], 2) == [[0, 1], [2, 3]]
    assert core_shares([0, 1, 2], 2) == [[0], [1, 2]]
    assert core_shares([0, 1], 3) == [[0], [1], [0]]


def test_workers_write_the_same_file_as_one_process(trained_bundle: Path, tmp_path: Path, cli) -> None:
    source = _write(tmp_path / "in.csv", TEXTS)
    one = cli("predict", "--model", trained_bundle, "--input", source, "--output", tmp_path / "one.csv",
              "--batch-size", "5")  # fmt: skip
    two = cli("predict", "--model", trained_bundle, "--input", source, "--output", tmp_path / "two.csv",
              "--batch-size", "5", "--workers", "2")  # fmt: skip
    assert one.code == 0 and two.code == 0, two.err
    assert (tmp_path / "two.csv").read_text() == (tmp_path / "one.csv").read_text()  # 11 chunks, in input order


def test_a_worker_that_cannot_load_the_bundle_says_why(trained_bundle: Path, tmp_path: Path, cli) -> None:
    source = _write(tmp_path / "in.csv", TEXTS)
    done = cli("predict", "--model", trained_bundle, "--input", source, "--output", tmp_path / "o.csv",
               "--workers", "2", "--backend", "onnx")  # fmt: skip
    assert done.code == 2 and "runs transformer bundles; this is a tfidf bundle" in done.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]
    without_input = cli("predict", "--model", trained_bundle, "--workers", "2", "hello")
    assert without_input.code == 2 and "--workers labels an --input file" in without_input.err
