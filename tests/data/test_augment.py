"""Augmentation: each augmenter is deterministic, keeps labels and never touches dev; the cache and the errors."""

from __future__ import annotations

import json
import random
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from emotune.config import AugmentStep
from emotune.data.augment import AUGMENTERS, Context, augment_dataset, target_rows
from emotune.data.augment.eda import delete, insert, swap
from emotune.data.dataset import EmotionDataset
from emotune.data.labels import LabelSchema
from emotune.errors import SettingError

SCHEMA = LabelSchema(("anger", "joy", "trust"), "multilabel")
TEXTS = ["i am so angry about this today", "what a lovely sunny day it is", "i trust you with my life friend",
         "angry and happy at once 😂 wow", "nothing much going on here at all"]  # fmt: skip
Y = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0, 0, 0]], dtype=np.int8)


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EMOTUNE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _data() -> EmotionDataset:
    return EmotionDataset(list(TEXTS), Y.copy(), SCHEMA, source="tiny")


@pytest.mark.parametrize("name", ["swap", "delete", "insert", "noise"])
def test_text_augmenters_are_deterministic_and_keep_labels(name: str, _cache: Path) -> None:
    step = AugmentStep(name=name, p=0.3, target="all", copies=2, max_ratio=2)
    first = augment_dataset(_data(), [step], seed=1, context=Context())
    shutil.rmtree(_cache)  # computed again, not read back
    again = augment_dataset(_data(), [step], seed=1, context=Context())
    other = augment_dataset(_data(), [step], seed=2, context=Context())
    assert first.texts == again.texts and first.texts[5:] != other.texts[5:]
    assert len(first) == 15 and first.texts[:5] == TEXTS
    np.testing.assert_array_equal(first.y[5:], np.repeat(Y, 2, axis=0))
    assert first.origin.tolist()[5:] == [f"data+{name}"] * 10


def test_eda_operations_work_on_the_texts_own_words() -> None:
    rng = random.Random(0)
    text = "one two three four five six"
    assert sorted(swap(text, 0.3, rng).split()) == sorted(text.split())
    assert set(delete(text, 0.3, rng).split()) <= set(text.split())
    inserted = insert(text, 0.3, rng).split()
    assert len(inserted) == 8 and set(inserted) == set(text.split())


def test_targets_rare_labels_or_named_ones_and_caps_rows() -> None:
    data = _data()
    assert target_rows(data, "rare", "augment[0]").tolist() == [2]  # trust: the third of labels with fewest rows
    assert target_rows(data, ["anger"], "augment[0]").tolist() == [0, 3]
    with pytest.raises(SettingError, match=re.escape("augment[0].target: 'fear' is not a label")):
        target_rows(data, ["fear"], "augment[0]")
    capped = augment_dataset(data, [AugmentStep(name="swap", target="all", copies=3, max_ratio=0.4)], 0, Context())
    assert len(capped) == 5 + 2


def test_mix_ors_labels_and_keeps_masks_honest() -> None:
    data = _data()
    data.mask = np.ones_like(Y, dtype=bool)
    data.mask[1, 2] = False  # row 1 does not annotate trust
    mixed = augment_dataset(data, [AugmentStep(name="mix", target="all", max_ratio=1)], 0, Context())
    for text, y, mask in zip(mixed.texts[5:], mixed.y[5:], mixed.mask[5:], strict=True):
        parts = [i for i, t in enumerate(TEXTS) if text.startswith(t + " ") or text.endswith(" " + t)]
        assert (y == Y[parts].max(axis=0)).all()
        assert mask[2] == bool(y[2]) or (1 not in parts)  # trust stays unannotated unless a row has it
    single = EmotionDataset(["a", "b"], np.eye(2, dtype=np.int8), LabelSchema(("x", "y"), "multiclass"))
    with pytest.raises(SettingError, match="mix ORs labels"):
        augment_dataset(single, [AugmentStep(name="mix", target="all")], 0, Context())


def test_cache_is_read_back_by_content_hash(_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    step = AugmentStep(name="noise", p=0.5, target="all")
    first = augment_dataset(_data(), [step], 0, Context())
    assert len(list((_cache / "augment").glob("*.json"))) == 1
    spec = AUGMENTERS["noise"]
    monkeypatch.setitem(AUGMENTERS, "noise", spec.__class__(lambda *a: pytest.fail("recomputed"), spec.description))
    assert augment_dataset(_data(), [step], 0, Context()).texts == first.texts


def test_synonyms_from_the_encoders_embeddings(tiny_bert: Path) -> None:
    step = AugmentStep(name="synonym", p=0.5, target="all", source="embeddings", max_ratio=1)
    out = augment_dataset(_data(), [step], 0, Context(str(tiny_bert)))
    changed = [a != b for a, b in zip(out.texts[5:], TEXTS, strict=True)]
    assert sum(changed) >= 3
    from transformers import AutoTokenizer

    vocab = set(AutoTokenizer.from_pretrained(tiny_bert).get_vocab())
    for new, old in zip(out.texts[5:], TEXTS, strict=True):  # every new word is a word of the tokenizer's own
        assert all(w in old.split() or w.lower() in vocab for w in new.split())


def test_wordnet_without_nltk_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nltk", None)
    monkeypatch.setitem(sys.modules, "nltk.corpus", None)
    step = AugmentStep(name="synonym", source="wordnet")
    with pytest.raises(SettingError, match=re.escape("pip install nltk && python -m nltk.downloader wordnet")):
        augment_dataset(_data(), [step], 0, Context())


@pytest.fixture(scope="module")
def tiny_marian(tmp_path_factory: pytest.TempPathFactory, tiny_bert: Path) -> Path:
    """A random 1-layer MarianMT with the tiny WordPiece tokenizer: translates into nonsense, deterministically."""
    from transformers import AutoTokenizer, MarianConfig, MarianMTModel

    folder = tmp_path_factory.mktemp("tiny-marian")
    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)
    tokenizer.save_pretrained(folder)
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in ("[PAD]", "[SEP]")}
    config = MarianConfig(vocab_size=len(tokenizer), d_model=16, encoder_layers=1, decoder_layers=1,
                          encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32,
                          decoder_ffn_dim=32, max_position_embeddings=128, pad_token_id=ids["[PAD]"],
                          eos_token_id=ids["[SEP]"], decoder_start_token_id=ids["[PAD]"],
                          forced_eos_token_id=ids["[SEP]"])  # fmt: skip
    MarianMTModel(config).save_pretrained(folder)
    return folder


def test_backtranslation_runs_both_models_deterministically(tiny_marian: Path, _cache: Path) -> None:
    step = AugmentStep(name="backtranslate", target="all", max_ratio=1, via=[str(tiny_marian), str(tiny_marian)])
    first = augment_dataset(_data(), [step], 0, Context())
    shutil.rmtree(_cache)
    again = augment_dataset(_data(), [step], 0, Context())
    assert first.texts == again.texts and first.texts[5:] != TEXTS
    np.testing.assert_array_equal(first.y[5:], Y)
    with pytest.raises(SettingError, match="two models"):
        augment_dataset(_data(), [AugmentStep(name="backtranslate", via=[str(tiny_marian)])], 0, Context())


def test_training_augments_train_only_and_the_file_shows_it(sample_dir: Path, cli, tmp_path: Path) -> None:
    steps = "augment=[{name: swap, p: 0.2}, {name: mix, target: [trust, surprise]}]"
    run = tmp_path / "run"
    result = cli("-q", "baseline", "--preset", "semeval2018-ec", "--data-dir", sample_dir, "--output", run, steps)
    assert result.code == 0, result.err
    dev_rows = len(pd.read_csv(sample_dir / "2018-E-c-En-dev.txt", sep="\t"))
    assert len(pd.read_csv(run / "dev_probabilities.csv")) == dev_rows  # dev is never augmented
    out = tmp_path / "augmented.jsonl"
    shown = cli("data", "augment", "--preset", "semeval2018-ec", "--data-dir", sample_dir, "--output", out, steps)
    assert shown.code == 0, shown.err
    rows = json.loads(shown.out)["rows"]
    assert rows["semeval2018-ec"] == 400 and rows["semeval2018-ec+swap"] > 0 and rows["semeval2018-ec+mix"] > 0
    assert len(pd.read_json(out, lines=True)) == sum(rows.values())
    bad = cli("baseline", "--preset", "semeval2018-ec", "--data-dir", sample_dir, "--output", tmp_path / "bad",
              "augment=[{name: shuffle}]")  # fmt: skip
    assert bad.code == 2 and "unknown augmenter 'shuffle'" in bad.err
