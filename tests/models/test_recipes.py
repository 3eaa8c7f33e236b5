"""What ``auto`` training settings become per model: the catalogue's recipes, the families', the user's own."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from emotune.config import RunConfig, load_config
from emotune.models.recipes import ADAPTER_LR, ENCODER
from emotune.settling import settle


def _settled(*overrides: str) -> RunConfig:
    return settle(load_config(None, list(overrides)))


def test_minilm_keeps_its_benchmarked_recipe() -> None:
    train = _settled().train
    assert (train.lr, train.batch_size, train.warmup_ratio, train.epochs) == (1e-4, 32, 0.1, 5)


@pytest.mark.parametrize("method", ["lora", "rslora", "dora", "ia3"])
def test_a_decoder_adapter_takes_its_method_s_step(method: str, tiny_decoder) -> None:
    train = _settled(f"model={tiny_decoder('llama')}", f"peft={method}").train
    assert train.lr == ADAPTER_LR[method] and train.lr > ENCODER["lr"]
    assert train.epochs == 5  # not a catalogue model: the preset's epochs


def test_full_fine_tuning_of_a_decoder_and_any_encoder_folder_get_the_encoder_recipe(tiny_decoder, tiny_bert) -> None:
    assert _settled(f"model={tiny_decoder('llama')}").train.lr == ENCODER["lr"]
    assert _settled(f"model={tiny_bert}").train.lr == ENCODER["lr"]


def test_gemma_in_the_catalogue_gets_its_epochs_without_building_its_folder(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("EMOTUNE_CACHE_DIR", str(tmp_path))
    train = _settled("model=gemma3-270m", "peft=ia3").train
    assert (train.lr, train.epochs) == (ADAPTER_LR["ia3"], 2)
    assert not (tmp_path / "models").exists()


def test_what_the_user_sets_wins_over_the_recipe(tiny_decoder) -> None:
    train = _settled(f"model={tiny_decoder('llama')}", "peft=lora", "lr=3e-5", "batch_size=8", "epochs=1").train
    assert (train.lr, train.batch_size, train.epochs, train.warmup_ratio) == (3e-5, 8, 1, 0.1)


def test_tfidf_has_no_recipe_to_settle() -> None:
    assert _settled("model=tfidf").train.lr == "auto"


def test_an_auto_value_that_reaches_training_unsettled_is_refused() -> None:
    from emotune.models.transformer.fitting import settled

    with pytest.raises(RuntimeError, match=r"train\.lr is still auto"):
        settled(RunConfig().train, "lr")


def test_config_show_says_which_recipe_a_run_gets(cli, sample_dir: Path, tiny_decoder) -> None:
    result = cli("config", "show", "--preset", "semeval2018-ec", "--data-dir", sample_dir,
                 f"model={tiny_decoder('llama')}", "peft=lora")  # fmt: skip
    assert result.code == 0, result.err
    assert "# train.lr: auto -> 0.0005" in result.out
    assert "the decoder recipe for peft=lora" in result.out
    assert yaml.safe_load(result.out)["train"]["lr"] == 0.0005


def test_a_trained_bundle_records_the_settled_recipe(tmp_path: Path, sample_dir: Path, tiny_bert: Path, cli) -> None:
    run = tmp_path / "run"
    result = cli("-q", "train", "--preset", "semeval2018-ec", "--data-dir", sample_dir, "--output", run,
                 f"model={tiny_bert}", "epochs=1", "max_length=32")  # fmt: skip
    assert result.code == 0, result.err
    recorded = yaml.safe_load((run / "config.yaml").read_text())["train"]
    assert (recorded["lr"], recorded["batch_size"], recorded["warmup_ratio"]) == (1e-4, 32, 0.1)
