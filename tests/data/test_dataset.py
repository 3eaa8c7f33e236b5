"""Every label layout, task inference, and one clear error for each kind of bad row."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from emotune.data.loading import load_dataset
from emotune.errors import DataError


def _csv(tmp_path: Path, body: str, name: str = "d.csv") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_one_binary_column_per_label(tmp_path: Path) -> None:
    path = _csv(tmp_path, "text,anger,joy\nugh,1,0\nyay,0,1\nmeh,0,0\n")
    ds = load_dataset(path)  # label columns found automatically
    assert ds.schema.names == ("anger", "joy") and ds.schema.task == "multilabel"
    assert ds.y.tolist() == [[1, 0], [0, 1], [0, 0]]


def test_delimited_label_names(tmp_path: Path) -> None:
    path = _csv(tmp_path, 'text,emotions\nugh,anger\nlove it,"joy,love"\nhm,joy\n')
    ds = load_dataset(path, label_column="emotions")
    assert ds.schema.names == ("anger", "joy", "love") and ds.schema.task == "multilabel"
    assert ds.y.tolist() == [[1, 0, 0], [0, 1, 1], [0, 1, 0]]


def test_label_ids_with_names_file(tmp_path: Path) -> None:
    names = _csv(tmp_path, "anger\njoy\nlove\n", "names.txt")
    path = _csv(tmp_path, 'text,labels\na,"0,2"\nb,[1]\nc,[]\nd,2\n')
    ds = load_dataset(path, label_names_file=str(names), label_format="ids")
    assert ds.schema.names == ("anger", "joy", "love")
    assert ds.y.tolist() == [[1, 0, 1], [0, 1, 0], [0, 0, 0], [0, 0, 1]]


def test_single_label_column_is_multiclass(tmp_path: Path) -> None:
    path = _csv(tmp_path, "text,label\na,joy\nb,anger\nc,joy\n")
    ds = load_dataset(path)
    assert ds.schema.task == "multiclass"
    assert ds.schema.class_ids(ds.y).tolist() == [1, 0, 1]


def test_task_can_be_forced(tmp_path: Path) -> None:
    path = _csv(tmp_path, "text,label\na,joy\nb,anger\n")
    assert load_dataset(path, task="multilabel").schema.task == "multilabel"
    multi = _csv(tmp_path, 'text,label\na,"joy,anger"\nb,anger\n', "m.csv")
    with pytest.raises(DataError, match=r"row without exactly one label at line 2"):
        load_dataset(multi, task="multiclass")


def test_jsonl_lists_and_ids(tmp_path: Path) -> None:
    path = _csv(tmp_path, '{"text": "a", "labels": [0, 1]}\n{"text": "b", "labels": []}\n', "d.jsonl")
    ds = load_dataset(path, label_names=["joy", "sadness"])
    assert ds.y.tolist() == [[1, 1], [0, 0]]


def test_ids_and_groups_are_kept(tmp_path: Path) -> None:
    path = _csv(tmp_path, "id,dialog,text,label\nx1,d1,a,joy\nx2,d1,b,anger\n")
    ds = load_dataset(path, id_column="id", group_column="dialog")
    assert ds.ids == ["x1", "x2"]
    assert ds.groups is not None and ds.groups.tolist() == ["d1", "d1"]


# --- bad input: one line, naming the file, the row and the fix ------------------------------------------


@pytest.mark.parametrize(
    ("body", "options", "expected"),
    [
        ("tweet,label\na,joy\n", {}, r"no column 'text' \(columns: tweet, label\); set data.text_column"),
        ("text,label\na,joy\n,anger\n  ,joy\n", {}, r"empty text at lines 3, 4"),
        ("text,label\na,joy\nb,\n", {}, r"missing label in column 'label' at line 3"),
        ("text,anger,joy\na,1,0\nb,2,0\n", {"label_columns": ["anger", "joy"]},
         r"value '2' in label column 'anger' at line 3 \(label columns may hold only 0 or 1\)"),
        ("text,anger,joy\na,1,0\nb,NaN,0\n", {"label_columns": ["anger", "joy"]},
         r"missing label in column 'anger' at line 3"),
        ("text,label\na,joy\nb,angry\n", {"label_names": ["joy", "anger"]},
         r"unknown label 'angry' at line 3 \(known labels: joy, anger\)"),
        ("text,labels\na,[0 5]\n", {"label_names": ["joy", "anger"], "label_format": "ids"},
         r"label id '5' out of range"),
    ],
    ids=["missing-column", "empty-text", "nan-label", "non-binary", "nan-in-binary", "unknown-name", "bad-id"],
)  # fmt: skip
def test_bad_rows_give_one_clear_line(tmp_path: Path, body: str, options: dict[str, object], expected: str) -> None:
    path = _csv(tmp_path, body)
    with pytest.raises(DataError, match=expected) as info:
        load_dataset(path, **options)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_non_string_text_in_jsonl(tmp_path: Path) -> None:
    path = _csv(tmp_path, '{"text": "ok", "label": "joy"}\n{"text": 42, "label": "joy"}\n', "d.jsonl")
    with pytest.raises(DataError, match=r"text that is not a string at line 2"):
        load_dataset(path)


def test_many_bad_rows_are_summarised(tmp_path: Path) -> None:
    path = _csv(tmp_path, "text,label\n" + "".join(",joy\n" for _ in range(9)))
    with pytest.raises(DataError, match=r"empty text at lines 2, 3, 4 and 6 more"):
        load_dataset(path)


def test_duplicates_are_a_warning_with_counts(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = _csv(tmp_path, "text,label\nsame,joy\nsame,joy\nother,anger\nx,joy\nx,joy\nx,anger\n")
    ds = load_dataset(path)
    assert len(ds) == 6
    assert "2 texts occur more than once (5 rows)" in caplog.text


def test_subset_keeps_rows_aligned(tmp_path: Path) -> None:
    path = _csv(tmp_path, "id,text,label\n1,a,joy\n2,b,anger\n3,c,joy\n")
    ds = load_dataset(path, id_column="id").subset(np.array([2, 0]))
    assert ds.texts == ["c", "a"] and ds.ids == ["3", "1"]
    assert ds.schema.class_ids(ds.y).tolist() == [1, 1]
