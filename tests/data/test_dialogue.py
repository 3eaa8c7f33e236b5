"""Dialogues: the dialogues preset, utterance / next-turn views with context, splits, CLI train/evaluate/predict."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from emotune import load_dataset
from emotune.config import DialogueConfig
from emotune.data.dialogue import cross_split_duplicates, dialogue_view
from emotune.data.splits import train_dev_split
from emotune.errors import DataError

LINES = {
    "happiness": ["that is wonderful news", "I am so happy for you", "great, I love it"],
    "sadness": ["I lost my job today", "my dog died", "I feel so alone"],
    "anger": ["this is outrageous", "stop lying to me", "I am furious with you"],
    "no emotion": ["where is the station", "it is on the left", "see you at five"],
}


def _write_dialogues(path: Path, n: int, seed: int = 0) -> Path:
    """``n`` dialogues of 4 turns, one utterance per row, rows of each dialogue in reverse order."""
    rng = random.Random(seed)
    rows = []
    for d in range(n):
        labels = [rng.choice(list(LINES)) for _ in range(4)]
        for turn in reversed(range(4)):
            label = labels[turn]
            rows.append({"dialog_id": f"d{seed}-{d}", "turn": turn, "speaker": "AB"[turn % 2],
                         "text": f"{rng.choice(LINES[label])} {d}", "label": label})  # fmt: skip
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture
def dialogues(tmp_path: Path) -> Path:
    return _write_dialogues(tmp_path / "train.csv", 3)


def test_utterance_view_puts_k_earlier_turns_before_the_current_one(dialogues: Path) -> None:
    ds = load_dataset(dialogues, preset="dialogues")
    view = dialogue_view(ds, DialogueConfig(task="utterance", context=2, separator=" | "))
    assert len(view) == len(ds)
    first = [t for t, g in zip(view.texts, view.groups, strict=True) if g == "d0-0"]  # type: ignore[arg-type]
    assert first[0].startswith("A: ") and " | " not in first[0]
    assert first[3].count(" | ") == 2 and first[3].split(" | ")[-1].startswith("B: ")  # turns 1, 2, 3
    raw = pd.read_csv(dialogues)
    turn3 = raw[(raw.dialog_id == "d0-0") & (raw.turn == 3)].iloc[0]
    assert first[3].endswith(turn3.text)
    assert view.schema.decode(view.y[3:4]) == [[turn3.label]]


def test_next_turn_targets_the_following_turn_and_drops_last_turns(dialogues: Path) -> None:
    ds = load_dataset(dialogues, preset="dialogues")
    view = dialogue_view(ds, DialogueConfig(task="next_turn", context=0, speakers=False))
    assert len(view) == len(ds) - 3  # one last turn per dialogue
    raw = pd.read_csv(dialogues).sort_values(["dialog_id", "turn"])
    expected = {}
    for _, group in raw.groupby("dialog_id"):
        for (_, row), (_, nxt) in zip(group.iloc[:-1].iterrows(), group.iloc[1:].iterrows(), strict=True):
            expected[row.text] = nxt.label
    assert dict(zip(view.texts, (names[0] for names in view.schema.decode(view.y)), strict=True)) == expected
    assert set(np.asarray(view.turns)) == {0, 1, 2}


def test_the_context_defaults_to_two_turns_for_forecasting_and_none_for_recognition(dialogues: Path) -> None:
    from emotune import RunConfig
    from emotune.data.presets import settle_autos

    ds = load_dataset(dialogues, preset="dialogues")
    forecast = dialogue_view(ds, DialogueConfig(task="next_turn", separator=" | "))
    assert max(text.count(" | ") for text in forecast.texts) == 2  # the turn and the 2 before it
    recognise = dialogue_view(ds, DialogueConfig(task="utterance", separator=" | "))
    assert not any(" | " in text for text in recognise.texts)
    settled = settle_autos(RunConfig.model_validate({"dialogue": {"task": "next_turn"}}))
    assert settled.dialogue.context == 2  # what the bundle and config.yaml record
    chosen = settle_autos(RunConfig.model_validate({"dialogue": {"task": "next_turn", "context": 1}}))
    assert chosen.dialogue.context == 1


def test_dialogue_task_without_dialogues_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    pd.DataFrame({"text": ["a", "b"], "label": ["joy", "anger"]}).to_csv(path, index=False)
    with pytest.raises(DataError, match="needs dialogues"):
        dialogue_view(load_dataset(path), DialogueConfig(task="next_turn"))


def test_dialogue_per_row_jsonl_skips_dialogues_with_mismatched_labels(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    records = [{"dialog_id": "x", "text": ["hi", "my dog died"], "label": ["no emotion", "sadness"]},
               {"dialog_id": "y", "text": ["hi", "great news", "yes"], "label": ["no emotion", "happiness"]},
               {"dialog_id": "z", "text": ["stop lying"], "label": ["anger"]}]  # fmt: skip
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    ds = load_dataset(path, preset="dialogues")
    assert len(ds) == 3 and set(ds.groups) == {"x", "z"}  # type: ignore[arg-type]
    assert ds.problems == {"dialogue with mismatched label count (skipped)": 1}
    assert ds.speakers == ["A", "B", "A"]


def test_missing_dialogue_id_column_names_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    pd.DataFrame({"text": ["a"], "label": ["joy"]}).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"no dialogue id column 'dialog_id'.*data.group_column"):
        load_dataset(path, preset="dialogues")


def test_bad_turn_values_name_the_rows(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    pd.DataFrame({"dialog_id": ["a", "a"], "turn": [0, "x"], "text": ["hi", "yo"], "label": ["joy"] * 2}).to_csv(
        path, index=False
    )
    with pytest.raises(DataError, match=r"'turn' is not a whole number at line 3"):
        load_dataset(path, preset="dialogues")


def test_splits_keep_dialogues_whole_and_duplicates_are_counted(tmp_path: Path) -> None:
    ds = load_dataset(_write_dialogues(tmp_path / "t.csv", 30), preset="dialogues")
    train, dev = train_dev_split(ds, 0.2, seed=1)
    assert not set(train.groups) & set(dev.groups)  # type: ignore[arg-type]
    assert cross_split_duplicates(train, dev) == 0
    assert cross_split_duplicates(ds, dev) == len(set(dev.groups))  # type: ignore[arg-type]


def test_context_is_cut_from_the_oldest_turn(tiny_bert: Path) -> None:
    from emotune import RunConfig
    from emotune.models.transformer.backbone import ENCODER
    from emotune.models.transformer.model import TransformerModel

    cfg = RunConfig.model_validate({"model": {"name": str(tiny_bert)}, "dialogue": {"task": "utterance",
                                                                                   "context": 4}})  # fmt: skip
    tokenizer = TransformerModel(cfg, ENCODER)._tokenizer(tiny_bert)
    composed = "A: " + "so happy " * 30 + "[SEP] B: I am scared"
    ids = tokenizer(composed, truncation=True, max_length=12)["input_ids"]
    assert len(ids) == 12 and tokenizer.decode(ids, skip_special_tokens=True).endswith("i am scared")


def test_cli_next_turn_train_evaluate_and_predict_conversations(tmp_path: Path, cli) -> None:
    train, dev = _write_dialogues(tmp_path / "train.csv", 60, seed=1), _write_dialogues(tmp_path / "dev.csv", 20, 2)
    run = tmp_path / "run"
    options = ["model=tfidf", "task=next_turn", "dialogue.context=1", 'sampling.downsample="no emotion"']
    result = cli("train", "--preset", "dialogues", "--train", train, "--dev", dev, "--output", run, *options)
    assert result.code == 0, result.err
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["dev_rows"] == 20 * 3 and metrics["duplicates_across_splits"] == 0
    assert len(metrics["confusion"]["rows_true_columns_predicted"]) == 4
    assert {"balanced_accuracy", "macro_f1", "weighted_f1", "micro_f1_without_neutral"} <= set(metrics["dev"])
    assert json.loads((run / "model" / "emotune.json").read_text())["config"]["dialogue"]["task"] == "next_turn"

    scored = cli("evaluate", "--model", run / "model", "--data", dev, "--json")
    assert scored.code == 0 and json.loads(scored.out)["n_texts"] == 60
    assert json.loads(scored.out)["macro_f1"] == pytest.approx(metrics["dev"]["macro_f1"])

    conversation = tmp_path / "chat.jsonl"
    conversation.write_text(json.dumps({"dialog_id": "c1", "text": ["hi", "my dog died", "oh no"]}) + "\n")
    out = tmp_path / "pred.jsonl"
    assert cli("predict", "--model", run / "model", "--input", conversation, "--output", out).code == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["dialog_id"], r["turn"], r["speaker"], r["task"]) for r in rows] == [
        ("c1", 0, "A", "next_turn"), ("c1", 1, "B", "next_turn"), ("c1", 2, "A", "next_turn")]  # fmt: skip
    assert all(len(r["labels"]) == 1 and abs(sum(r["probabilities"].values()) - 1) < 1e-3 for r in rows)
    args = cli("predict", "--model", run / "model", "--json", "hi", "my dog died")
    assert args.code == 0 and [json.loads(line)["turn"] for line in args.out.splitlines()] == [0, 1]

    from emotune import EmotionClassifier, predict_conversation

    clf = EmotionClassifier.load(run / "model")
    turns = predict_conversation(clf, ["hi", "my dog died", "oh no"], speakers=["A", "B", "B"])
    assert [(t["turn"], t["speaker"], t["task"]) for t in turns] == [(0, "A", "next_turn"), (1, "B", "next_turn"),
                                                                      (2, "B", "next_turn")]  # fmt: skip
    from_file = {(r["turn"], tuple(r["labels"])) for r in rows}
    assert {(t["turn"], tuple(t["labels"])) for t in predict_conversation(clf, ["hi", "my dog died", "oh no"])} \
        == from_file  # the same turns scored from a file and from the API  # fmt: skip
    with pytest.raises(DataError, match="3 texts but 1 speakers"):
        predict_conversation(clf, ["a", "b", "c"], speakers=["A"])


def _write_dailydialog(folder: Path, split: str, n: int, seed: int) -> Path:
    """``n`` dialogues of 4 turns in DailyDialog's own layout (``dialogues_<split>.txt`` and the emotion ids)."""
    rng, names = random.Random(seed), ["no emotion", "anger", "disgust", "fear", "happiness", "sadness"]
    texts, emotions = [], []
    for d in range(n):
        labels = [rng.choice(list(LINES)) for _ in range(4)]
        texts.append(" __eou__ ".join(f"{rng.choice(LINES[label])} {d}" for label in labels) + " __eou__")
        emotions.append(" ".join(str(names.index(label)) for label in labels))
    (folder / split).mkdir(parents=True)
    (folder / split / f"dialogues_{split}.txt").write_text("\n".join(texts) + "\n")
    (folder / split / f"dialogues_emotion_{split}.txt").write_text("\n".join(emotions) + "\n")
    return folder


def test_the_dailydialog_preset_fits_decisions_for_its_own_score_by_default(tmp_path: Path, cli) -> None:
    data = _write_dailydialog(_write_dailydialog(tmp_path / "dd", "train", 60, 1), "validation", 20, 2)
    shown = cli("config", "show", "--preset", "dailydialog", "--data-dir", data, "model=tfidf")
    assert shown.code == 0 and "thresholds.decision: auto -> micro_f1_without_neutral" in shown.out

    run = tmp_path / "run"
    result = cli("train", "--preset", "dailydialog", "--data-dir", data, "--output", run, "model=tfidf")
    assert result.code == 0, result.err
    saved = json.loads((run / "model" / "emotune.json").read_text())
    assert saved["config"]["thresholds"]["decision"] == "micro_f1_without_neutral"
    assert saved["thresholds"]["decision"] == "micro_f1_without_neutral"  # what the calibrator fitted offsets for
    recorded = yaml.safe_load((run / "config.yaml").read_text())  # the run folder records what was used too
    assert recorded["thresholds"]["decision"] == "micro_f1_without_neutral"
    assert recorded["preprocess"]["language"] == "en"
    assert "dev micro_f1_without_neutral" in (run / "train.log").read_text()

    from emotune import EmotionClassifier, RunConfig

    chosen = RunConfig.model_validate({"data": {"preset": "dailydialog"}, "thresholds": {"decision": "argmax"}})
    assert EmotionClassifier(config=chosen).config.thresholds.decision == "argmax"  # a user's choice stays
    assert EmotionClassifier("tfidf").config.thresholds.decision == "argmax"  # no preset of its own: argmax


def test_a_blend_of_forecasters_with_different_context_gives_each_its_own(tmp_path: Path, cli) -> None:
    train, dev = _write_dialogues(tmp_path / "train.csv", 60, seed=1), _write_dialogues(tmp_path / "dev.csv", 20, 2)
    data = ["--preset", "dialogues", "--train", train, "--dev", dev]
    for k in (0, 2):
        run = ["--output", tmp_path / f"k{k}", "model=tfidf", "task=next_turn", f"dialogue.context={k}"]
        assert cli("train", *data, *run).code == 0
    assert cli("train", *data, "--output", tmp_path / "utt", "model=tfidf", "task=utterance").code == 0
    members = [tmp_path / "k0" / "model", tmp_path / "k2" / "model"]
    blend = tmp_path / "blend"
    result = cli("blend", "--models", *members, "--weights", "1", "3", "--data", dev, "--output", blend)
    assert result.code == 0, result.err

    from emotune import EmotionClassifier

    clf = EmotionClassifier.load(blend)
    assert clf.config.dialogue.context == 2  # the most any member uses
    ds = load_dataset(dev, preset="dialogues")
    alone = [EmotionClassifier.load(m) for m in members]
    expected = sum(w * c.predict_proba(dialogue_view(ds, c.config.dialogue).texts)
                   for w, c in zip((0.25, 0.75), alone, strict=True))  # fmt: skip
    view = dialogue_view(ds, clf.config.dialogue)
    assert view.texts[5].count(" [SEP] ") == 2
    np.testing.assert_allclose(clf.predict_proba(view.texts), expected, atol=1e-6)
    scored = cli("evaluate", "--model", blend, "--data", dev, "--json")
    assert scored.code == 0 and json.loads(scored.out)["n_texts"] == 60

    mixed = cli("blend", "--models", members[0], tmp_path / "utt" / "model", "--data", dev, "--output", tmp_path / "x")
    assert mixed.code == 2 and "dialogue settings (task, speakers, separator) differ" in mixed.err
