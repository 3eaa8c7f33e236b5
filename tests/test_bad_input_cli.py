"""Every bad input of the data layer gives exit code 2 and one line on stderr naming the file and the row."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CASES = {
    "missing-file": (None, "file not found"),
    "missing-column": ("tweet,label\nhi,joy\n", "no column 'text'"),
    "empty-text": ("text,label\nhi,joy\n   ,joy\n", "empty text at line 3"),
    "non-string-text": None,  # JSONL, below
    "nan-label": ("text,label\nhi,joy\nho,NaN\n", "missing label in column 'label' at line 3"),
    "unknown-label": ("text,label\nhi,joy\nho,angry\n", "unknown label 'angry' at line 3"),
    "non-binary-column": ("text,anger,joy\nhi,1,0\nho,0,yes\n", "value 'yes' in label column 'joy' at line 3"),
    "non-utf8": (b"text,label\nhi,joy\ncaf\xe9,joy\n", "line 3 is not valid UTF-8"),
    # one quoted field of 200,000 characters: over the csv module's field limit, once an unexpected error
    "huge-header-field": ('"' + "x" * 200_000 + '"\nhi,joy\n', "line 1 is not a header of column names"),
}


def _make(tmp_path: Path, case: str) -> Path:
    if case == "non-string-text":
        path = tmp_path / "d.jsonl"
        path.write_text('{"text": "ok", "label": "joy"}\n{"text": null, "label": "joy"}\n')
        return path
    body = CASES[case][0]
    path = tmp_path / "d.csv"
    if isinstance(body, bytes):
        path.write_bytes(body)
    elif body is not None:
        path.write_text(body)
    return path


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("command", ["train", "inspect", "evaluate"])
def test_one_line_and_exit_2(tmp_path: Path, cli, trained_bundle: Path, case: str, command: str) -> None:
    expected = "text that is not a string at line 2" if case == "non-string-text" else CASES[case][1]
    path = _make(tmp_path, case)
    extra = ["data.label_names=[joy,anger]"] if case == "unknown-label" else []
    if command == "train":
        args = ["baseline", "--train", path, "--output", tmp_path / "run", *extra]
    elif command == "inspect":
        if case == "unknown-label":
            args = ["data", "inspect", "--data", path, *extra]
        else:
            args = ["data", "inspect", "--data", path]
    else:
        args = ["evaluate", "--model", trained_bundle, "--preset", "generic", "--data", path]
    result = cli(*args)
    if command == "inspect" and case in ("empty-text", "nan-label", "unknown-label", "non-binary-column",
                                         "non-string-text"):  # fmt: skip
        # inspect reads leniently: bad rows are counted in the report instead of stopping it
        assert result.code == 0 and "rows left out" in result.out
        return
    if command == "evaluate" and case in ("unknown-label", "non-binary-column"):
        # the bundle's labels are SemEval's: any other label set is refused, in one line
        assert result.code == 2 and result.err.count("\n") == 1
        return
    assert result.code == 2, result.err
    assert result.err.count("\n") == 1, result.err
    assert result.err.startswith("emotune: error: ")
    assert expected in result.err and str(path) in result.err
    assert "Traceback" not in result.err
    assert not (tmp_path / "run" / "model").exists()


# --- the catalogue of realistic mistakes (issue 11): one line, exit 2, nothing left behind ------------------

BASELINE = ["baseline", "--preset", "semeval2018-ec"]


def _one_line_error(result, *needles: str) -> None:  # type: ignore[no-untyped-def]
    assert result.code == 2, result.err
    assert result.err.count("\n") == 1 and result.err.startswith("emotune: error: "), result.err
    assert len(result.err.rstrip("\n")) < 400 and "Traceback" not in result.err
    for needle in needles:
        assert needle in result.err, result.err


def test_public_csv_with_an_id_column_trains_without_flags(tmp_path: Path, cli) -> None:
    header = "id,text,anger,fear,joy,sadness,surprise\n"
    rows = [f"r{i:04d}-{i * 7919 % 1000:03x},{t},{i % 2},{(i + 1) % 2},{i % 3 == 0:d},{i % 3 == 1:d},{i % 5 == 0:d}\n"
            for i, t in enumerate(["so angry", "so scared", "happy day", "sad day", "wow what"] * 12)]  # fmt: skip
    (tmp_path / "train.csv").write_text(header + "".join(rows[:50]))
    (tmp_path / "dev.csv").write_text(header + "".join(rows[50:]))
    result = cli("baseline", "--preset", "generic", "--train", tmp_path / "train.csv", "--dev", tmp_path / "dev.csv",
                 "--output", tmp_path / "run")  # fmt: skip
    assert result.code == 0, result.err
    labels = json.loads((tmp_path / "run" / "model" / "emotune.json").read_text())["schema"]["names"]
    assert labels == ["anger", "fear", "joy", "sadness", "surprise"]
    scored = cli("evaluate", "--model", tmp_path / "run" / "model", "--data", tmp_path / "dev.csv", "--json",
                 "data.id_column=id")  # fmt: skip
    assert scored.code == 0 and json.loads(scored.out)["n_texts"] == 10
    _one_line_error(cli("evaluate", "--model", tmp_path / "run" / "model", "--data", tmp_path / "dev.csv", "lr=1"),
                    "takes only data.* overrides")  # fmt: skip


def test_many_bad_values_name_three_rows_and_a_count(tmp_path: Path, cli) -> None:
    path = tmp_path / "d.csv"
    path.write_text("text,anger,joy\n" + "".join(f"t{i},{i % 7},x{i % 3}\n" for i in range(2, 5000)))
    _one_line_error(cli("baseline", "--train", path, "--output", tmp_path / "run"), "lines 2, 3, 4 and 4995 more")
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("override", ["loss=focall", "preset=nope", "model=minilmm", "model=/no/such/folder",
                                      "sweep.metric=xx", "peft=lora model=tfidf"])  # fmt: skip
def test_names_are_checked_before_the_data_and_leave_nothing(override: str, tmp_path: Path, cli) -> None:
    result = cli("train", "--train", tmp_path / "missing.csv", "--output", tmp_path / "run", *override.split())
    _one_line_error(result, override.split()[0].split("=")[1])  # about the name, not the missing file
    assert not (tmp_path / "run").exists()


def test_config_validate_lists_every_bad_name(tmp_path: Path, cli) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("train:\n  loss:\n    name: focall\ndata:\n  preset: semevl\n")
    _one_line_error(cli("config", "validate", path), "2 problems", "did you mean 'focal'", "semeval2018-ec")


def test_a_data_error_leaves_no_run_folder_and_an_existing_run_is_refused(
    tmp_path: Path, sample_dir: Path, cli
) -> None:
    run = tmp_path / "run"
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\nhi,joy\n,joy\n")
    _one_line_error(cli("baseline", "--train", bad, "--output", run), "empty text")
    assert not run.exists()
    assert cli(*BASELINE, "--data-dir", sample_dir, "--output", run).code == 0
    before = (run / "metrics.json").read_text()
    _one_line_error(cli(*BASELINE, "--data-dir", sample_dir, "--output", run, "seed=3"), "already holds a run",
                    "--overwrite")  # fmt: skip
    _one_line_error(cli("baseline", "--train", bad, "--output", run, "--overwrite"), "empty text")
    assert (run / "metrics.json").read_text() == before and (run / "model" / "emotune.json").is_file()
    assert cli(*BASELINE, "--data-dir", sample_dir, "--output", run, "--overwrite", "seed=3").code == 0
    assert "seed: 3" in (run / "config.yaml").read_text()
    assert not list(tmp_path.glob(".run.*"))  # the earlier run, moved aside meanwhile, is gone


def test_output_that_is_a_file_and_data_dir_that_is_a_file(tmp_path: Path, sample_dir: Path, cli) -> None:
    taken = tmp_path / "taken"
    taken.write_text("x")
    _one_line_error(cli(*BASELINE, "--data-dir", sample_dir, "--output", taken), "is a file")
    _one_line_error(cli(*BASELINE, "--data-dir", taken, "--output", tmp_path / "r"), "is a file", "--train FILE")
    _one_line_error(cli("baseline", "--train", sample_dir, "--output", tmp_path / "r"), "is a folder")
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("text,anger,joy\nhi,1,0\nho,1,0\n", "anger are positive in every training row"),
        ("text,anger,joy\nhi,1,0\nho,0,0\n", "joy have no positive training rows"),
        ("text,label\nhi,joy\nho,joy\n", "every training row has the label 'joy'"),
        ("text,joy,joy\nhi,1,0\n", "column 'joy' appears twice"),
        ("", "the file is empty"),
        ("text," + ",".join(f"c{i}" for i in range(3000)) + "\nhi," + ",".join("0" * 3000) + "\n", "no label"),
    ],
    ids=["always-positive", "never-positive", "one-class", "duplicate-column", "empty", "huge-header"],
)
def test_data_that_cannot_be_learned(body: str, needle: str, tmp_path: Path, cli) -> None:
    path = tmp_path / "d.csv"
    path.write_text(body)
    result = cli("baseline", "--train", path, "--output", tmp_path / "run")
    if needle == "no label":  # 3,000 columns of zeros: every label never positive; the message stays short
        needle = "have no positive training rows"
    _one_line_error(result, needle, str(path))
    assert not (tmp_path / "run").exists()


def test_compressed_file_gets_the_right_hint(tmp_path: Path, cli) -> None:
    import gzip

    path = tmp_path / "d.csv"
    path.write_bytes(gzip.compress(b"text,label\nhi,joy\n"))
    _one_line_error(cli("baseline", "--train", path, "--output", tmp_path / "run"), "gzip", "gunzip")


@pytest.mark.parametrize("damage", ["no-weights", "truncated-weights", "manifest-cut"])
def test_damaged_bundle_names_the_bundle(damage: str, trained_bundle: Path, tmp_path: Path, cli) -> None:
    import shutil

    bundle = tmp_path / "bundle"
    shutil.copytree(trained_bundle, bundle)
    weights = next(p for p in bundle.iterdir() if p.name != "emotune.json")
    if damage == "no-weights":
        weights.unlink()
    elif damage == "truncated-weights":
        weights.write_bytes(weights.read_bytes()[:100])
    else:
        manifest = bundle / "emotune.json"
        manifest.write_text(manifest.read_text()[:50])
    _one_line_error(cli("predict", "--model", bundle, "so happy"), str(bundle), "damaged")


def test_predict_refuses_its_own_input_an_empty_input_and_a_zero_batch(
    trained_bundle: Path, tmp_path: Path, cli
) -> None:
    texts = tmp_path / "in.csv"
    texts.write_text("text\nso happy\n")
    _one_line_error(cli("predict", "--model", trained_bundle, "--input", texts, "--output", texts), "is also the input")
    assert texts.read_text() == "text\nso happy\n"
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    _one_line_error(cli("predict", "--model", trained_bundle, "--input", empty, "--output", tmp_path / "o.csv"),
                    "no texts")  # fmt: skip
    assert not (tmp_path / "o.csv").exists()
    _one_line_error(cli("predict", "--model", trained_bundle, "--batch-size", "0", "hi"), "--batch-size")


def test_usage_errors_are_one_line(cli) -> None:
    _one_line_error(cli("baseline", "--preset", "generic"), "--output", "emotune baseline --help")


def test_resume_removes_a_half_written_bundle(tmp_path: Path, sample_dir: Path, cli) -> None:
    run = tmp_path / "run"
    assert cli(*BASELINE, "--data-dir", sample_dir, "--output", run).code == 0
    (run / ".model.abc.tmp").mkdir()  # a kill during the bundle write leaves this
    assert cli(*BASELINE, "--data-dir", sample_dir, "--output", run, "--resume").code == 0
    assert not list(run.glob(".*.tmp")) and (run / "model" / "emotune.json").is_file()


def test_repeated_label_names_are_a_config_error(tmp_path: Path, cli) -> None:
    data = tmp_path / "t.csv"
    data.write_text("text,labels\nhi,0\nyo,1\n")
    result = cli("baseline", "--preset", "generic", "--train", data, "--output", tmp_path / "run",
                 "data.label_format=ids", "data.label_names=[joy,joy]")  # fmt: skip
    assert result.code == 2 and "label_names repeats 'joy'" in result.err and "\n" not in result.err.strip()
    assert not (tmp_path / "run").exists()


def test_a_file_this_user_may_not_read_is_named(trained_bundle: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    # the tests may run as root, whom no mode stops: raise what another user would get
    def refuse(self: Path, *args: object, **kwargs: object) -> str:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_text", refuse)
    _one_line_error(cli("predict", "--model", trained_bundle, "so happy"), "permission denied", "emotune.json")
