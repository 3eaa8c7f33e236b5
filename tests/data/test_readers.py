from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from emotune.data.readers import detect_format, read_table, read_text
from emotune.errors import DataError


def test_formats_round_trip(tmp_path: Path) -> None:
    frame = pd.DataFrame({"text": ["a b", "c"], "label": ["joy", "anger"]})
    frame.to_csv(tmp_path / "d.csv", index=False)
    frame.to_csv(tmp_path / "d.tsv", sep="\t", index=False)
    frame.to_json(tmp_path / "d.jsonl", orient="records", lines=True)
    frame.to_parquet(tmp_path / "d.parquet")
    for name in ("d.csv", "d.tsv", "d.jsonl", "d.parquet"):
        table = read_table(tmp_path / name)
        assert table.frame["text"].tolist() == ["a b", "c"], name
        assert table.frame["label"].tolist() == ["joy", "anger"], name


def test_hf_dataset_folder(tmp_path: Path) -> None:
    import datasets

    datasets.DatasetDict(
        {"train": datasets.Dataset.from_dict({"text": ["x", "y"], "label": [0, 1]}),
         "validation": datasets.Dataset.from_dict({"text": ["z"], "label": [1]})}
    ).save_to_disk(str(tmp_path / "hf"))  # fmt: skip
    assert read_table(tmp_path / "hf").frame["text"].tolist() == ["x", "y"]
    assert read_table(f"{tmp_path / 'hf'}:validation", "hf").frame["text"].tolist() == ["z"]
    with pytest.raises(DataError, match="no split 'test'"):
        read_table(f"{tmp_path / 'hf'}:test", "hf")


def test_unreachable_hub_dataset_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    import datasets

    def offline(*args: object, **kwargs: object) -> None:
        raise ConnectionError("no network")

    monkeypatch.setattr(datasets, "load_dataset", offline)
    with pytest.raises(DataError, match=r"no-such-dataset: cannot load .*ConnectionError.*save_to_disk"):
        read_table("no-such-owner/no-such-dataset", "hf")


def test_doubled_quotes_are_unescaped_in_csv(tmp_path: Path) -> None:
    path = tmp_path / "q.tsv"
    path.write_text('text\tlabel\n"""look at you"" oh"\t1', encoding="utf-8")  # no trailing newline
    assert read_table(path).frame["text"].tolist() == ['"look at you" oh']


def test_non_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("text,label\nfine,joy\ncaf\xe9,joy\n".encode("latin-1"))
    with pytest.raises(DataError, match=r"latin.csv: line 3 is not valid UTF-8.*iconv"):
        read_table(path)


def test_bom_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufefftext,label\nhi,joy\n".encode())
    assert list(read_table(path).frame.columns) == ["text", "label"]


def test_missing_file_and_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="file not found"):
        read_text(tmp_path / "nope.csv")
    with pytest.raises(DataError, match=r"set data\.format"):
        detect_format(tmp_path / "data.xlsx")


def test_bad_jsonl_line(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "a", "label": "joy"}\n{broken\n')
    with pytest.raises(DataError, match="line 2 is not valid JSON"):
        read_table(path)
