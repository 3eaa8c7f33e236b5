from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from emotune.config import RunConfig, load_config
from emotune.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_and_aliases() -> None:
    cfg = load_config(None, ["model=tfidf", "seed=7", "task=multiclass", "thresholds.objective=jaccard"])
    assert cfg.model.name == "tfidf"
    assert cfg.train.seed == 7
    assert cfg.data.task == "multiclass"
    assert cfg.thresholds.objective == "jaccard"


def test_yaml_then_flags_then_overrides(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("data:\n  preset: goemotions\n  dev_size: 0.2\ntrain:\n  seed: 1\n")
    cfg = load_config(path, ["seed=3"], {"data": {"preset": "semeval2018-ec"}})
    assert cfg.data.preset == "semeval2018-ec"  # flag beats YAML
    assert cfg.data.dev_size == 0.2  # YAML beats default
    assert cfg.train.seed == 3  # override beats YAML


def test_override_values_are_typed() -> None:
    cfg = load_config(None, ["model.tfidf.word_ngrams=[1,3]", "preprocess.lowercase=true", "model.tfidf.C=0.5"])
    assert cfg.model.tfidf.word_ngrams == (1, 3)
    assert cfg.preprocess.lowercase is True
    assert cfg.model.tfidf.C == 0.5


def test_every_problem_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("data:\n  dev_size: 2\n  colour: red\nthresholds:\n  strategy: best\n")
    with pytest.raises(ConfigError) as info:
        load_config(path, ["nonsense", "train.sed=1"])
    message = str(info.value)
    assert str(path) in message
    for fragment in ("data.dev_size", "data.colour: unknown key", "thresholds.strategy", "nonsense", "train.sed"):
        assert fragment in message
    assert len(info.value.problems) == 5
    assert "\n" not in message


def test_a_bad_value_of_an_auto_setting_is_one_problem() -> None:
    with pytest.raises(ConfigError) as info:
        load_config(None, ["epochs=0", "max_length=x"])
    assert len(info.value.problems) == 2, info.value.problems
    assert "train.epochs: Input should be greater than 0, or 'auto' (got 0)" in info.value.problems
    assert any(p.startswith("model.max_length: ") and "or 'auto'" in p for p in info.value.problems)


@pytest.mark.parametrize(("preset", "epochs"), [("semeval2018-ec", 5), ("goemotions", 3), ("dailydialog", 1),
                                                ("generic", 5), ("no-such-preset", 5)])  # fmt: skip
def test_epochs_auto_is_what_benchmarked_best_on_the_preset(preset: str, epochs: float) -> None:
    from emotune.data.presets import settle_autos

    cfg = RunConfig.model_validate({"data": {"preset": preset}})
    assert cfg.train.epochs == "auto" and settle_autos(cfg).train.epochs == epochs
    chosen = RunConfig.model_validate({"data": {"preset": preset}, "train": {"epochs": 2}})
    assert settle_autos(chosen).train.epochs == 2  # a user's choice stays


def test_cross_field_check() -> None:
    with pytest.raises(ConfigError, match="not both"):
        load_config(None, ["data.label_columns=[a,b]", "data.label_column=labels"])


def test_emoji_language_must_be_known() -> None:
    with pytest.raises(ConfigError, match=r"preprocess\.emoji=keep"):
        load_config(None, ["language=xx"])
    assert load_config(None, ["language=xx", "preprocess.emoji=keep"]).preprocess.language == "xx"


def test_yaml_errors_name_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("data: [unclosed\n")
    with pytest.raises(ConfigError, match=r"broken\.yaml: 1 problem: not valid YAML"):
        load_config(broken)
    listing = tmp_path / "list.yaml"
    listing.write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="mapping"):
        load_config(listing)
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "missing.yaml")


def test_resolved_config_round_trips(tmp_path: Path) -> None:
    cfg = load_config(None, ["seed=5", "thresholds.objective=micro_f1"])
    path = tmp_path / "resolved.yaml"
    path.write_text(cfg.to_yaml())
    assert load_config(path) == cfg


@pytest.mark.parametrize("path", sorted((ROOT / "configs").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_configs_are_valid(path: Path, cli) -> None:
    assert isinstance(load_config(path), RunConfig)
    result = cli("config", "validate", path)
    assert result.code == 0 and "ok" in result.out


def test_config_validate_cli_reports_all_problems(tmp_path: Path, cli) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("model:\n  tfidf:\n    C: -1\n    min_df: 0\n")
    result = cli("config", "validate", path)
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "model.tfidf.C" in result.err and "model.tfidf.min_df" in result.err


def test_config_show_prints_resolved_yaml(cli) -> None:
    overrides = ["seed=11", "model=tfidf", "thresholds.objective=jaccard", "data.dev_size=0.2"]
    result = cli("config", "show", *overrides)
    assert result.code == 0, result.err
    shown = RunConfig.model_validate(yaml.safe_load(result.out))  # every key printed, and only known keys
    assert shown == load_config(None, overrides)


def test_decision_short_names_set_the_single_label_decision() -> None:
    assert load_config(None, ["decision=balanced_accuracy"]).thresholds.decision == "balanced_accuracy"
    assert load_config(None, ["decision.objective=macro_f1"]).thresholds.decision == "macro_f1"
    with pytest.raises(ConfigError, match=r"thresholds\.decision"):
        load_config(None, ["decision=f2"])


def test_config_show_with_data_settles_the_multilabel_recipe(cli, sample_dir: Path, tiny_bert: Path) -> None:
    result = cli("config", "show", "--preset", "semeval2018-ec", "--data-dir", sample_dir, f"model={tiny_bert}",
                 "train.precision=fp32")  # fmt: skip
    assert result.code == 0, result.err
    shown = yaml.safe_load(result.out)
    assert shown["data"]["task"] == "multilabel"
    assert shown["train"]["loss"]["name"] == "bce" and shown["train"]["loss"]["pos_weight"] == "sqrt"
    length = shown["model"]["max_length"]
    assert isinstance(length, int) and 8 <= length <= 512 and length % 8 == 0
    assert f"# model.max_length: auto -> {length}" in result.out
    assert "# train.loss.name: auto -> bce" in result.out
    assert "# train.epochs: auto -> 5" in result.out
    assert "train.precision" not in "".join(line for line in result.out.splitlines() if line.startswith("#"))
    # the label names in front of every text need room too: label-aware inputs are counted longer
    aware = yaml.safe_load(cli("config", "show", "--preset", "semeval2018-ec", "--data-dir", sample_dir,
                               f"model={tiny_bert}", "label_aware=true").out)  # fmt: skip
    assert aware["model"]["max_length"] > length


def test_config_show_with_data_settles_the_single_label_recipe(cli, tmp_path: Path) -> None:
    rows = ["text,label"] + [f"text number {i} {'good' if i % 2 else 'bad'},{'joy' if i % 2 else 'anger'}"
                             for i in range(40)]  # fmt: skip
    (tmp_path / "train.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = cli("config", "show", "--train", tmp_path / "train.csv", "model=tfidf", "data.label_column=label")
    assert result.code == 0, result.err
    shown = yaml.safe_load(result.out)
    assert shown["data"]["task"] == "multiclass" and shown["train"]["loss"]["name"] == "ce"
    assert shown["model"]["max_length"] == "auto"  # TF-IDF reads no tokens: nothing to count
    assert "# data.task: auto -> multiclass" in result.out


def test_config_show_with_missing_data_is_one_line(cli, tmp_path: Path) -> None:
    result = cli("config", "show", "--train", tmp_path / "nope.csv")
    assert result.code == 2 and result.err.count("\n") == 1 and "nope.csv" in result.err
