"""Each preset on a tiny file with its dataset's real quirks (see ../shared/data/*/SOURCE.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from emotune.config import DataConfig
from emotune.data.presets import PRESETS, Preset, find_split_file, get_preset, load_file
from emotune.data.presets.semeval import SEMEVAL_EC_LABELS
from emotune.errors import DataError


def test_semeval_sample(sample_dir: Path) -> None:
    ds = load_file("semeval2018-ec", sample_dir / "2018-E-c-En-dev.txt", DataConfig())
    assert ds.schema.n_labels == 11 and ds.schema.task == "multilabel"
    assert len(ds) == 100 and ds.ids is not None and ds.ids[0] == "sample-0401"


def test_semeval_keeps_unbalanced_quotes(tmp_path: Path) -> None:
    header = "\t".join(["ID", "Tweet", *SEMEVAL_EC_LABELS])
    row = "\t".join(["2017-En-1", "“Worry is a down payment'. \"x", "1", *["0"] * 10])
    path = tmp_path / "2018-E-c-En-train.txt"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    ds = load_file("semeval2018-ec", path, DataConfig())
    assert ds.texts == ["“Worry is a down payment'. \"x"]  # a quote is text here, never CSV quoting
    assert ds.schema.decode(ds.y) == [["anger"]]


def _goemotions_dir(tmp_path: Path) -> Path:
    (tmp_path / "train.tsv").write_text(
        'My favourite food\t27\teebbqej\n"""look at you"" Oh, I\'m bawlin. "\t3,27\teex\nWHY\t2\tabc', encoding="utf-8"
    )  # doubled quotes, and no trailing newline
    return tmp_path


def test_goemotions_ids_and_quotes(tmp_path: Path) -> None:
    ds = load_file("goemotions", _goemotions_dir(tmp_path) / "train.tsv", DataConfig())
    assert ds.schema.n_labels == 28 and ds.schema.neutral == "neutral"
    assert ds.texts[1] == '"look at you" Oh, I\'m bawlin. '
    assert ds.schema.decode(ds.y) == [["neutral"], ["annoyance", "neutral"], ["anger"]]


def test_goemotions_groupings(tmp_path: Path) -> None:
    path = _goemotions_dir(tmp_path) / "train.tsv"
    ekman = load_file("goemotions-ekman", path, DataConfig())
    assert ekman.schema.names == ("anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral")
    assert ekman.schema.decode(ekman.y) == [["neutral"], ["anger", "neutral"], ["anger"]]
    sentiment = load_file("goemotions-sentiment", path, DataConfig())
    assert sentiment.schema.names == ("positive", "negative", "ambiguous", "neutral")
    assert sentiment.schema.decode(sentiment.y)[1] == ["negative", "neutral"]


def test_dailydialog_skips_misaligned_dialogue(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    split = tmp_path / "validation"
    split.mkdir()
    (split / "dialogues_validation.txt").write_text(
        "Hi . __eou__ Hello ! __eou__ \nOne __eou__ Two __eou__ Three __eou__ \nGreat news ! __eou__ Wow . __eou__ \n"
    )
    (split / "dialogues_emotion_validation.txt").write_text("0 0 \n0 1 \n4 6 \n")
    ds = load_file("dailydialog", split, DataConfig())
    assert ds.texts == ["Hi .", "Hello !", "Great news !", "Wow ."]
    assert ds.schema.task == "multiclass" and ds.schema.neutral == "no emotion"
    assert ds.schema.decode(ds.y) == [["no emotion"], ["no emotion"], ["happiness"], ["surprise"]]
    assert ds.groups is not None and len(set(ds.groups)) == 2
    assert ds.turns is not None and ds.turns.tolist() == [0, 1, 0, 1]
    assert ds.speakers == ["A", "B", "A", "B"]
    assert "skipped 1 dialogue" in caplog.text and "line 2" in caplog.text
    assert ds.problems == {"dialogue with mismatched label count (skipped)": 1}


def test_dailydialog_bad_label(tmp_path: Path) -> None:
    (tmp_path / "dialogues_x.txt").write_text("Hi . __eou__ \n")
    (tmp_path / "dialogues_emotion_x.txt").write_text("9 \n")
    with pytest.raises(DataError, match=r"line 1 has a label outside 0\.\.6"):
        load_file("dailydialog", tmp_path, DataConfig())


@pytest.mark.parametrize("header", ["text;label_name\n", ""])
def test_dair_header_optional(tmp_path: Path, header: str) -> None:
    path = tmp_path / "train.txt"
    path.write_text(header + "i didnt feel humiliated;sadness\ni feel great;joy\n")
    ds = load_file("dair-emotion", path, DataConfig())
    assert ds.texts == ["i didnt feel humiliated", "i feel great"]
    assert ds.schema.decode(ds.y) == [["sadness"], ["joy"]]


def test_dair_bad_label_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "train.txt"
    path.write_text("text;label_name\nfine;joy\nodd;happy\n")
    with pytest.raises(DataError, match=r"unknown label 'happy' at line 3"):
        load_file("dair-emotion", path, DataConfig())


def test_cedr_bracketed_ids(tmp_path: Path) -> None:
    path = tmp_path / "train.csv"
    path.write_text("text,labels\nУра!,[0]\nСтрашно и грустно,[1 3]\nОбычный день,[]\n", encoding="utf-8")
    ds = load_file("cedr", path, DataConfig())
    assert ds.schema.decode(ds.y) == [["joy"], ["sadness", "fear"], []]


def test_find_split_files(tmp_path: Path) -> None:
    (tmp_path / "2018-E-c-En-train.txt").write_text("x")
    preset = get_preset("semeval2018-ec")
    assert find_split_file(preset, tmp_path, "train") == tmp_path / "2018-E-c-En-train.txt"
    assert find_split_file(preset, tmp_path, "dev") is None
    (tmp_path / "2018-E-c-Es-train.txt").write_text("x")
    with pytest.raises(DataError, match="several train files"):
        find_split_file(preset, tmp_path, "train")
    with pytest.raises(DataError, match="no train file for preset 'goemotions'"):
        find_split_file(get_preset("goemotions"), tmp_path, "train")


def test_unknown_preset_lists_known() -> None:
    with pytest.raises(DataError, match=r"known presets: .*semeval2018-ec"):
        get_preset("semeval")
    assert {"generic", "semeval2018-ec", "goemotions", "goemotions-ekman", "goemotions-sentiment",
            "dailydialog", "dair-emotion", "cedr"} <= set(PRESETS)  # fmt: skip


def _write_example(preset: Preset, folder: Path) -> Path:
    for name, content in preset.example.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(content, encoding="utf-8")
    return folder


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_reads_its_own_example_folder(name: str, tmp_path: Path) -> None:
    preset = PRESETS[name]
    assert preset.example, f"preset {name} has no example folder"
    folder = _write_example(preset, tmp_path)
    train_file, dev_file = find_split_file(preset, folder, "train"), find_split_file(preset, folder, "dev")
    assert train_file is not None and dev_file is not None
    train = load_file(name, train_file, DataConfig(preset=name))
    dev = load_file(name, dev_file, DataConfig(preset=name))
    assert len(train) >= 2 and len(dev) >= 1 and not train.problems
    assert train.schema == dev.schema or train.schema.task == dev.schema.task
    assert train.y.shape == (len(train), train.schema.n_labels) and set(train.y.ravel()) <= {0, 1}
    if train.schema.task == "multiclass":
        assert (train.y.sum(axis=1) == 1).all()


def test_a_third_party_preset_arrives_through_the_entry_point_group(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    from emotune.data.presets import base

    plugin = Preset("my-corpus", "a plugin", PRESETS["generic"].load)
    entries = [importlib.metadata.EntryPoint("my-corpus", "plugin:PRESET", base.ENTRY_POINT_GROUP),
               importlib.metadata.EntryPoint("broken", "no_such_module:PRESET", base.ENTRY_POINT_GROUP)]  # fmt: skip
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group: entries if group == base.ENTRY_POINT_GROUP
                        else [])  # fmt: skip
    monkeypatch.setattr(importlib.metadata.EntryPoint, "load",
                        lambda self: plugin if self.name == "my-corpus" else __import__(self.module))  # fmt: skip
    monkeypatch.setattr(base, "PRESETS", dict(PRESETS))
    base.load_plugins()  # the broken one is logged and skipped
    assert base.PRESETS["my-corpus"] is plugin
    assert "broken" not in base.PRESETS
