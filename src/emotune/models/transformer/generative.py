"""Generative label mode (``head=generate``): a causal LM answers an instruction with the label list.

Training: the prompt (``model.prompt``, listing the allowed labels) is followed by the answer
``" joy, optimism"`` (labels in a random order, ``" none"`` for a row without labels) and the end-of-sequence
token; the loss covers the answer tokens only. Usually with an adapter (``peft=lora``).

Memory: a large vocabulary (Gemma 3: 262,144 tokens) makes the LM head's logits the biggest tensor by far, so
sequences are padded on the left, which puts every answer at the end of its row, and the model is asked for the
logits of the last few positions only (``logits_to_keep``): the answer's, not the prompt's. Training and scoring
then cost ``batch x answer length x vocabulary`` floats instead of ``batch x sequence length x vocabulary``.

Scores: for each label, the likelihood that the answer starts with that label's name, computed from the
model's token probabilities (no sampling). Multiclass scores are normalised over the labels; multilabel
scores are used as they are, so per-label thresholds calibrated on dev turn them into decisions exactly as
for classifiers. :meth:`GenerativeModel.generate_labels` decodes free text instead and reads the labels out
of it with :func:`parse_labels`, which tolerates case, order, synonyms, typos and trailing junk.
"""

from __future__ import annotations

import difflib
import random
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch

from emotune.data.labels import LabelSchema
from emotune.models.base import DevSet
from emotune.models.transformer.model import TransformerModel

NONE_ANSWER = "none"
NONE_WORDS = frozenset({"none", "no emotion", "no emotions", "neutral", "nothing", "n/a", "na", "nil"})
# Words a model writes for a label (adjectives, nouns of the same emotion); used only when they are not labels.
SYNONYMS: dict[str, str] = {
    "angry": "anger", "mad": "anger", "furious": "anger", "rage": "anger", "annoyed": "annoyance",
    "happy": "joy", "happiness": "joy", "joyful": "joy", "glad": "joy", "delighted": "joy",
    "sad": "sadness", "unhappy": "sadness", "sorrow": "sadness", "grief": "sadness",
    "afraid": "fear", "scared": "fear", "fearful": "fear", "frightened": "fear", "terrified": "fear",
    "disgusted": "disgust", "surprised": "surprise", "shocked": "surprise", "astonished": "surprise",
    "loving": "love", "optimistic": "optimism", "hopeful": "optimism", "hope": "optimism",
    "pessimistic": "pessimism", "hopeless": "pessimism", "trusting": "trust", "anticipating": "anticipation",
    "expectation": "anticipation", "excited": "excitement", "grateful": "gratitude", "thankful": "gratitude",
    "curious": "curiosity", "confused": "confusion", "nervous": "nervousness", "proud": "pride",
    "embarrassed": "embarrassment", "amused": "amusement", "anxious": "fear", "worried": "fear",
}  # fmt: skip
_SPLIT = re.compile(r"[,;/|\n]+|\band\b|&|\+")
_JUNK = re.compile(r"\n\s*(?:text|input|sentence|question)\s*:", re.IGNORECASE)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[_\-]", " ", text.lower())).strip(" .!?:'\"`*()[]{}")


def parse_labels(answer: str, names: Sequence[str], synonyms: dict[str, str] | None = None) -> list[str]:
    """The allowed label names found in a generated ``answer``, in the order of ``names``.

    Tolerates case, any order, separators (``,`` ``;`` ``/`` ``and`` new lines), synonyms (``happy`` ->
    ``joy``), small typos (``sadnes``), a "none" answer and junk after the answer (a new ``Text:`` block).

    >>> parse_labels("Optimism and JOY.", ["anger", "joy", "optimism"])
    ['joy', 'optimism']
    >>> parse_labels("happy, angri!! \\nText: more", ["anger", "joy"])
    ['anger', 'joy']
    """
    table = {_normalise(name): name for name in names}
    for word, label in (SYNONYMS if synonyms is None else synonyms).items():
        if label in names and word not in table:
            table[word] = label
    candidates = list(table)
    found: set[str] = set()
    for piece in _SPLIT.split(_JUNK.split(answer)[0]):
        piece = _normalise(piece)
        if not piece or (piece in NONE_WORDS and piece not in table):
            continue
        if piece in table:
            found.add(table[piece])
            continue
        for word in piece.split(" "):
            word = _normalise(word)
            match = table.get(word) or next(iter(difflib.get_close_matches(word, candidates, n=1, cutoff=0.8)), None)
            if match is not None:
                found.add(table.get(match, match))
    return [name for name in names if name in found]


class GenerativeModel(TransformerModel):
    """A causal LM tuned to write the label list; see the module docstring."""

    # --- prompts ---------------------------------------------------------------------------------------

    def _prompt_ids(self, text: str) -> list[int]:
        """The instruction with ``text`` (cut to ``model.max_length`` tokens) and the allowed labels."""
        ids = self.tokenizer_(text, add_special_tokens=False)["input_ids"]
        limit = int(self.config.model.max_length)  # dialogue context: keep the end, where the current turn is
        cut = ids[-limit:] if self.config.dialogue.context_turns else ids[:limit]
        prompt = self.config.model.prompt.format(labels=", ".join(self.schema_.names), text=self.tokenizer_.decode(cut))
        return cast(list[int], self.tokenizer_(prompt)["input_ids"])

    def _answer_ids(self, names: Sequence[str]) -> list[int]:
        answer = " " + (", ".join(names) if names else NONE_ANSWER)
        return cast(list[int], self.tokenizer_(answer, add_special_tokens=False)["input_ids"])

    # --- training --------------------------------------------------------------------------------------

    def fit(
        self,
        texts: Sequence[str],
        y: np.ndarray,
        schema: LabelSchema,
        dev: DevSet | None = None,
        work_dir: Path | None = None,
        callbacks: Sequence[Any] = (),
    ) -> GenerativeModel:
        """LoRA-tune (or fully tune) the LM on prompt -> label list. ``dev`` is not used here: thresholds are
        calibrated on it afterwards from :meth:`predict_proba`, like for every kind."""
        from transformers import Trainer

        from emotune.models.transformer import fitting

        module = self._prepare(texts, schema, None)  # no classifier head to initialise
        trainer = Trainer(
            model=module,
            args=fitting.training_args(self.config.train, self.precision_, has_dev=False),
            train_dataset=self._examples(texts, y),
            data_collator=AnswerCollator(int(self.tokenizer_.pad_token_id)),
            compute_loss_func=answer_loss,
            processing_class=self.tokenizer_,
            optimizers=(fitting.optimizer(module, self.config, None), None),
            callbacks=fitting.loop_callbacks(self.config.train),
        )
        fitting.quiet(trainer)
        detail = f"answer-token cross-entropy, optimizer {self.config.train.optimizer}"
        self._train(trainer, work_dir, detail, callbacks)
        return self

    def _examples(self, texts: Sequence[str], y: np.ndarray) -> Any:
        """Prompt + answer + end-of-sequence; the labels mask the prompt with -100."""
        import datasets

        rng = random.Random(self.config.train.seed)
        rows: dict[str, list[list[int]]] = {"input_ids": [], "attention_mask": [], "labels": []}
        for text, names in zip(texts, self.schema_.decode(y), strict=True):
            rng.shuffle(names)  # no fixed order to learn: any label may come first
            prompt, answer = self._prompt_ids(text), [*self._answer_ids(names), self.tokenizer_.eos_token_id]
            rows["input_ids"].append(prompt + answer)
            rows["attention_mask"].append([1] * (len(prompt) + len(answer)))
            rows["labels"].append([-100] * len(prompt) + answer)
        return datasets.Dataset.from_dict(rows)

    # --- inference -------------------------------------------------------------------------------------

    def predict_proba(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Per-label scores from the likelihood of each label name as the answer (see the module docstring)."""
        names = self.schema_.names
        if not texts:
            return np.zeros((0, len(names)), dtype=np.float32)
        answers = [self._answer_ids([name]) for name in names]
        prompts = [self._prompt_ids(text) for text in texts]
        loglik = np.zeros((len(texts), len(names)), dtype=np.float64)
        one_token = [j for j, answer in enumerate(answers) if len(answer) == 1]
        if one_token:  # one forward of the prompt scores every one-token label name at once
            first = torch.tensor([answers[j][0] for j in one_token])
            order = sorted(range(len(texts)), key=lambda i: len(prompts[i]))
            for start in range(0, len(order), batch_size):
                rows = order[start : start + batch_size]
                logprobs = self._logprobs([prompts[i] for i in rows], keep=1)[:, -1]
                loglik[np.ix_(rows, one_token)] = logprobs[:, first].double().numpy()
        pairs = [(i, j) for i in range(len(texts)) for j, answer in enumerate(answers) if len(answer) > 1]
        pairs.sort(key=lambda p: len(prompts[p[0]]) + len(answers[p[1]]))
        for start in range(0, len(pairs), batch_size):
            batch = pairs[start : start + batch_size]
            keep = max(len(answers[j]) for _, j in batch) + 1  # the answer's positions and the one before
            logprobs = self._logprobs([prompts[i] + answers[j] for i, j in batch], keep)[:, :-1]
            for row, (i, j) in enumerate(batch):  # kept position k predicts the token after it
                targets = torch.tensor(answers[j])
                steps = torch.arange(keep - 1 - len(targets), keep - 1)  # the answer ends each row
                loglik[i, j] = logprobs[row, steps, targets].sum().item()
        if self.schema_.task == "multiclass":
            shifted = np.exp(loglik - loglik.max(axis=1, keepdims=True))
            return (shifted / shifted.sum(axis=1, keepdims=True)).astype(np.float32)
        return np.exp(loglik).astype(np.float32)

    def _logprobs(self, sequences: list[list[int]], keep: int) -> torch.Tensor:
        """Log-probabilities of the next token at the last ``keep`` positions of each sequence, ``(n, keep, vocab)``
        on the CPU (sequences left-padded, so each ends at the last column)."""
        device = next(self.module_.parameters()).device
        inputs = left_padded(sequences, int(self.tokenizer_.pad_token_id))
        with torch.inference_mode():
            logits = self.module_(**{k: v.to(device) for k, v in inputs.items()}, logits_to_keep=keep).logits
        return torch.log_softmax(logits.float(), dim=-1).cpu()

    def generate_labels(self, texts: Sequence[str], batch_size: int = 32) -> list[list[str]]:
        """Greedy-decode an answer for each text and parse the label names out of it."""
        device = next(self.module_.parameters()).device
        self.tokenizer_.padding_side = "left"  # generation continues from the last prompt token
        results: list[list[str]] = []
        with torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                prompts = [self.tokenizer_.decode(self._prompt_ids(t)) for t in texts[start : start + batch_size]]
                batch = self.tokenizer_(prompts, add_special_tokens=False, padding=True, return_tensors="pt")
                batch = {k: v.to(device) for k, v in batch.items() if k in ("input_ids", "attention_mask")}
                output = cast(Any, self.module_).generate(
                    **batch, max_new_tokens=self.config.model.max_new_tokens, do_sample=False,
                    pad_token_id=self.tokenizer_.pad_token_id,
                )  # fmt: skip
                new_tokens = output[:, batch["input_ids"].shape[1] :]
                answers = self.tokenizer_.batch_decode(new_tokens, skip_special_tokens=True)
                results += [parse_labels(answer, self.schema_.names) for answer in answers]
        return results


def left_padded(sequences: Sequence[Sequence[int]], pad_id: int) -> dict[str, torch.Tensor]:
    """``input_ids``, ``attention_mask`` and ``position_ids`` for ``sequences`` padded on the left, so that
    every sequence ends at the last column; positions count from each sequence's first real token."""
    width = max(len(s) for s in sequences)
    ids = torch.full((len(sequences), width), pad_id, dtype=torch.long)
    mask = torch.zeros_like(ids)
    for row, seq in enumerate(sequences):
        ids[row, width - len(seq) :] = torch.tensor(seq, dtype=torch.long)
        mask[row, width - len(seq) :] = 1
    return {"input_ids": ids, "attention_mask": mask, "position_ids": (mask.cumsum(dim=1) - 1).clamp(min=0)}


class AnswerCollator:
    """Batches ``input_ids`` + ``labels`` (-100 over the prompt) for :func:`answer_loss`: left-padded inputs,
    ``logits_to_keep`` = the longest answer + 1, and ``labels`` cut to those kept positions, shifted so that
    ``labels[:, k]`` is the token that the logits at kept position ``k`` predict."""

    def __init__(self, pad_id: int) -> None:
        self.pad_id = pad_id

    def __call__(self, features: list[dict[str, Any]]) -> dict[str, Any]:
        batch: dict[str, Any] = left_padded([f["input_ids"] for f in features], self.pad_id)
        keep = max(sum(1 for t in f["labels"] if t != -100) for f in features) + 1
        labels = torch.full((len(features), keep), -100, dtype=torch.long)
        for row, f in enumerate(features):
            tail = list(f["labels"])[-(keep - 1) :]  # the last keep - 1 tokens: the answer and some prompt
            labels[row, keep - 1 - len(tail) : keep - 1] = torch.tensor(tail, dtype=torch.long)
        return {**batch, "labels": labels, "logits_to_keep": keep}


def answer_loss(outputs: Any, labels: torch.Tensor, num_items_in_batch: torch.Tensor | int | None = None) -> Any:
    """Cross-entropy of the answer tokens (``Trainer``'s ``compute_loss_func``), summed and divided by the
    number of answer tokens in the whole (gradient-accumulated) batch, as transformers' causal-LM loss does."""
    logits = outputs.logits.float()
    labels = labels.to(logits.device)
    total = torch.nn.functional.cross_entropy(logits.flatten(0, 1), labels.flatten(), ignore_index=-100,
                                              reduction="sum")  # fmt: skip
    count = num_items_in_batch if num_items_in_batch is not None else (labels != -100).sum()
    return total / (count.to(logits.device) if isinstance(count, torch.Tensor) else count)
