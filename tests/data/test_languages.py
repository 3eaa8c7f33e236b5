"""Russian as a first-class language: preset languages, emoji in Russian, Cyrillic TF-IDF, the SGD solver."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import SGDClassifier

from emotune import EmotionClassifier
from emotune.config import load_config


@pytest.mark.parametrize(("preset", "language"), [("cedr", "ru"), ("ru-izard-emotions", "ru"),
                                                  ("semeval2018-ec", "en"), ("generic", "en")])  # fmt: skip
def test_auto_language_comes_from_the_preset(preset: str, language: str) -> None:
    clf = EmotionClassifier(config=load_config(None, [f"data.preset={preset}", "model=tfidf"]))
    assert clf.config.preprocess.language == language
    explicit = EmotionClassifier(config=load_config(None, [f"data.preset={preset}", "preprocess.language=it"]))
    assert explicit.config.preprocess.language == "it"


WORDS = {"neutral": "обычный день", "joy": "я так рада", "sadness": "мне грустно", "anger": "это бесит",
         "enthusiasm": "вперёд к победе", "surprise": "ничего себе", "disgust": "какая мерзость",
         "fear": "мне страшно", "guilt": "я виновата", "shame": "как стыдно"}  # fmt: skip


def _write_russian(folder: Path) -> None:
    """A tiny ru-izard-emotions folder: every label with a few Cyrillic rows of its own."""
    from emotune.data.presets.ru_izard import IZARD_LABELS

    header = "text," + ",".join(IZARD_LABELS)
    for name, repeat in (("train.csv", 6), ("val.csv", 2)):
        rows = [f"{WORDS[label]} {i}," + ",".join("1" if other == label else "0" for other in IZARD_LABELS)
                for label in IZARD_LABELS for i in range(repeat)]  # fmt: skip
        (folder / name).write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


@pytest.mark.parametrize("solver", ["auto", "sgd"])
def test_a_cyrillic_tfidf_run_records_russian_and_predicts(solver: str, cli, tmp_path: Path) -> None:
    _write_russian(tmp_path)
    run = tmp_path / "run"
    result = cli("-q", "baseline", "--preset", "ru-izard-emotions", "--data-dir", tmp_path, "--output", run,
                 "model.tfidf.min_df=1", f"model.tfidf.solver={solver}")  # fmt: skip
    assert result.code == 0, result.err
    clf = EmotionClassifier.load(run / "model")
    assert clf.config.preprocess.language == "ru"
    assert clf.preprocessor.transform(["Ура 😀"]) == ["Ура широко улыбается"]
    probs = clf.predict_proba(["Я так рада!", "Как стыдно"])
    assert probs.shape == (2, 10) and np.all((probs >= 0) & (probs <= 1))
    names = list(clf.schema_.names)
    assert [names[i] for i in probs.argmax(axis=1)] == ["joy", "shame"]  # each label's own Cyrillic words
    estimator = clf.model_.pipeline_.named_steps["clf"].estimators_[1]  # joy
    assert isinstance(estimator, SGDClassifier) == (solver == "sgd")
    card = (run / "model" / "README.md").read_text(encoding="utf-8")
    assert "language: ru" in card and "Russian texts" in card
    assert json.loads((run / "metrics.json").read_text())["dev"]["macro_f1"] > 0.8  # one phrase per label


def test_a_tiny_xlm_r_trains_on_cyrillic_end_to_end(cli, tmp_path: Path) -> None:
    """A random 2-layer XLM-RoBERTa with a Unigram tokenizer trained here on the Russian texts."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, XLMRobertaConfig, XLMRobertaModel

    data = tmp_path / "data"
    data.mkdir()
    _write_russian(data)
    special = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    unigram = Tokenizer(models.Unigram())
    unigram.pre_tokenizer = pre_tokenizers.Metaspace()
    unigram.decoder = decoders.Metaspace()
    texts = [line.split(",")[0] for line in (data / "train.csv").read_text(encoding="utf-8").splitlines()[1:]]
    unigram.train_from_iterator(texts, trainers.UnigramTrainer(vocab_size=120, special_tokens=special,
                                                               unk_token="<unk>"))  # fmt: skip
    model_dir = tmp_path / "tiny-xlmr"
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=unigram, bos_token="<s>", eos_token="</s>",
                                        pad_token="<pad>", unk_token="<unk>", mask_token="<mask>",
                                        cls_token="<s>", sep_token="</s>")  # fmt: skip
    tokenizer.save_pretrained(model_dir)
    config = XLMRobertaConfig(vocab_size=len(tokenizer), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                              intermediate_size=32, max_position_embeddings=80, pad_token_id=1, bos_token_id=0,
                              eos_token_id=2)  # fmt: skip
    XLMRobertaModel(config).save_pretrained(model_dir)
    run = tmp_path / "run"
    result = cli("-q", "train", "--preset", "ru-izard-emotions", "--data-dir", data, "--output", run,
                 f"model={model_dir}", "epochs=1", "max_length=16", "lr=1e-3")  # fmt: skip
    assert result.code == 0, result.err
    clf = EmotionClassifier.load(run / "model")
    assert clf.config.preprocess.language == "ru" and clf.predict_proba(["мне страшно"]).shape == (1, 10)
