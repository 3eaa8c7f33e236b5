"""Shared fixtures: the bundled sample data, tiny files written per test, and an in-process CLI runner."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

import emotune
from emotune.cli import main


def pytest_configure(config: pytest.Config) -> None:
    """``precision: auto`` resolves the same on every machine: fp32, or what ``EMOTUNE_TEST_PRECISION`` says
    (``EMOTUNE_TEST_PRECISION=bf16 make test`` runs the whole suite in bf16, emulated where the CPU lacks it).
    Set in the environment so that the worker processes of torchrun and sweep tests inherit it."""
    from emotune.models.transformer.precision import AUTO_ENV

    os.environ[AUTO_ENV] = os.environ.get("EMOTUNE_TEST_PRECISION", "fp32")


# `make test-fast` (pytest -m fast): pure-Python units and CLI refusals, under a minute on 2 cores. A test module
# is fast when it trains no transformer and starts no subprocess or server; new modules join the full suite only
# until they are listed here.
FAST_MODULES = {
    "test_bad_input_cli.py", "test_classifier.py", "test_config.py", "test_io_utils.py", "test_layers.py",
    "test_public_api.py", "data/test_dataset.py", "data/test_preprocess.py", "data/test_presets.py",
    "data/test_readers.py", "data/test_sampling.py", "data/test_splits.py", "decisions/test_thresholds.py",
    "evaluation/test_metrics.py", "evaluation/test_score.py", "losses/test_losses.py", "losses/test_masks.py",
    "losses/test_soft_f1.py", "models/test_heads.py",
}  # fmt: skip


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(__file__).parent
    for item in items:
        if item.path.relative_to(root).as_posix() in FAST_MODULES:
            item.add_marker(pytest.mark.fast)


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``emotune ARGS...`` in-process; returns exit code, stdout and stderr."""

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return emotune.sample_data_dir()


@pytest.fixture(scope="session")
def trained_bundle(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> Path:
    """A TF-IDF bundle trained once on the sample data through the CLI, shared by read-only tests."""
    run_dir = tmp_path_factory.mktemp("run")
    assert main(["-q", "baseline", "--preset", "semeval2018-ec", "--data-dir", str(sample_dir),
                 "--output", str(run_dir)]) == 0  # fmt: skip
    return run_dir / "model"


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> Path:
    """A 2-layer BERT with hidden size 16 and a WordPiece tokenizer trained here on the sample texts."""
    from tokenizers import BertWordPieceTokenizer
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-bert")
    lines = (sample_dir / "2018-E-c-En-train.txt").read_text(encoding="utf-8").splitlines()[1:]
    wordpiece = BertWordPieceTokenizer(lowercase=True)
    wordpiece.train_from_iterator([line.split("\t")[1] for line in lines], vocab_size=400, min_frequency=1)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=wordpiece._tokenizer, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
        sep_token="[SEP]", mask_token="[MASK]",
    )  # fmt: skip
    tokenizer.save_pretrained(folder)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=128)  # fmt: skip
    BertModel(config).save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_decoder(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> Callable[[str], Path]:
    """``tiny_decoder(family)``: a 2-layer random causal LM of that family (hidden size 32) saved with a
    byte-level BPE tokenizer trained here on the sample texts. Like Llama's, the tokenizer has no pad token
    (Qwen2's tokenizer class adds its own, hence the spare embedding rows)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import AutoConfig, AutoModelForCausalLM, PreTrainedTokenizerFast

    lines = (sample_dir / "2018-E-c-En-train.txt").read_text(encoding="utf-8").splitlines()[1:]
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=600, special_tokens=["<s>", "</s>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())  # fmt: skip
    prompts = ["Which emotions does the text express? Allowed labels: none. Answer with a list.\nText: Emotions:"]
    bpe.train_from_iterator([line.split("\t")[1] for line in lines] + prompts * 20, trainer)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, bos_token="<s>", eos_token="</s>")
    sizes = {"vocab_size": len(tokenizer) + 16, "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
             "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8, "max_position_embeddings": 256,
             "bos_token_id": tokenizer.bos_token_id, "eos_token_id": tokenizer.eos_token_id,
             "pad_token_id": None}  # fmt: skip
    folders: dict[str, Path] = {}

    def build(family: str) -> Path:
        if family not in folders:
            import torch

            torch.manual_seed(0)
            folder = tmp_path_factory.mktemp(f"tiny-{family}")
            tokenizer.save_pretrained(folder)
            AutoModelForCausalLM.from_config(AutoConfig.for_model(family, **sizes)).save_pretrained(folder)
            folders[family] = folder
        return folders[family]

    return build
