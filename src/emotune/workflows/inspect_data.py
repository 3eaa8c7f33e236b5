"""``emotune data inspect``: what a labelled file holds, before training on it.

Label counts, label co-occurrence, labels per text, text-length percentiles, duplicates and the rows that
could not be used (empty text, missing labels, ...), as tables for the terminal; with ``--report`` also the
dataset report over all the given splits (:mod:`emotune.reports.dataset`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd

from emotune.config import DataConfig
from emotune.data.dataset import EmotionDataset, duplicate_counts
from emotune.data.presets import load_file
from emotune.reports.dataset import Tokenize, write_dataset_report

PERCENTILES = (5, 50, 90, 95, 99, 100)


@dataclass
class InspectReport:
    """Tables describing one dataset; :meth:`render` joins them for the terminal."""

    source: str
    summary: pd.DataFrame
    label_counts: pd.DataFrame
    lengths: pd.DataFrame
    co_occurrence: pd.DataFrame | None = None
    labels_per_text: pd.DataFrame | None = None
    problems: dict[str, int] = field(default_factory=dict)

    def render(self) -> str:
        sections = [
            (f"{self.source}", self.summary),
            ("labels", self.label_counts),
            ("labels per text", self.labels_per_text),
            ("most frequent label pairs", self.co_occurrence),
            ("text length", self.lengths),
        ]
        out = []
        for title, frame in sections:
            if frame is not None and len(frame):
                out += [f"== {title}", frame.to_string(), ""]
        if self.problems:
            out.append("== rows left out")
            out += [f"{count:>8}  {kind}" for kind, count in self.problems.items()]
        return "\n".join(out).rstrip() + "\n"


def _lengths(texts: list[str]) -> pd.DataFrame:
    chars = np.array([len(t) for t in texts])
    words = np.array([len(t.split()) for t in texts])
    columns = [f"p{p}" if p < 100 else "max" for p in PERCENTILES]
    rows = {unit: np.percentile(values, PERCENTILES).round().astype(int) for unit, values in
            (("characters", chars), ("words", words))}  # fmt: skip
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns)


def _co_occurrence(ds: EmotionDataset, top: int = 15) -> pd.DataFrame:
    names = ds.schema.names
    counts = ds.y.sum(axis=0)
    pairs = []
    for a, b in combinations(range(len(names)), 2):
        both = int((ds.y[:, a] & ds.y[:, b]).sum())
        if both:
            pairs.append((names[a], names[b], both, both / counts[a], both / counts[b]))
    pairs.sort(key=lambda p: -p[2])
    frame = pd.DataFrame(pairs[:top], columns=["label", "with", "texts", "share of label", "share of with"])
    return frame.round(3)


def summarise(dataset: EmotionDataset) -> InspectReport:
    """Build the :class:`InspectReport` of a loaded dataset."""
    schema = dataset.schema
    n = len(dataset)
    counts = dataset.y.sum(axis=0)
    label_counts = pd.DataFrame({"texts": counts, "share": (counts / max(n, 1)).round(4)}, index=list(schema.names))
    distinct, dup_rows = duplicate_counts(dataset.texts)
    summary_rows = {
        "texts": n,
        "task": schema.task,
        "labels": schema.n_labels,
        "duplicate texts (distinct)": distinct,
        "rows with a duplicate text": dup_rows,
        "left out (see below)": sum(dataset.problems.values()),
    }
    if dataset.groups is not None:
        summary_rows["dialogues"] = len(np.unique(dataset.groups))
    report = InspectReport(
        source=dataset.source,
        summary=pd.DataFrame({"value": summary_rows}),
        label_counts=label_counts,
        lengths=_lengths(dataset.texts) if n else pd.DataFrame(),
        problems=dict(dataset.problems),
    )
    if schema.task == "multilabel":
        per_text = Counter(min(int(k), 3) for k in dataset.y.sum(axis=1))
        report.labels_per_text = pd.DataFrame(
            {"texts": [per_text.get(k, 0) for k in range(4)]}, index=["0", "1", "2", "3+"]
        )
        report.co_occurrence = _co_occurrence(dataset)
    return report


def load(preset: str, files: Mapping[str, str | Path], cfg: DataConfig | None = None) -> dict[str, EmotionDataset]:
    """Each of ``files`` (split name -> file) read leniently with ``preset``: bad rows are counted, not fatal."""
    cfg = (cfg or DataConfig()).model_copy(update={"preset": preset})
    return {name: load_file(preset, path, cfg, strict=False) for name, path in files.items()}


def run(preset: str, data: str | Path, cfg: DataConfig | None = None) -> InspectReport:
    """Read ``data`` leniently with ``preset`` and summarise it."""
    return summarise(load(preset, {"data": data}, cfg)["data"])


def _tokenizer(model: str) -> Tokenize:
    """Token counts (with special tokens, no truncation) in ``model``'s tokenizer."""
    from transformers import AutoTokenizer

    from emotune.models.families import resolve_model_path

    tokenizer = AutoTokenizer.from_pretrained(resolve_model_path(model))
    tokenizer.model_max_length = 10**9  # count, never warn or cut

    def count(texts: list[str]) -> list[int]:
        return [len(ids) for ids in tokenizer(texts, add_special_tokens=True)["input_ids"]]

    return count


def report(splits: Mapping[str, EmotionDataset], output: str | Path, model: str = "minilm",
           max_length: int | None = None, fmt: str = "html") -> Path:  # fmt: skip
    """The dataset report of ``splits`` (split name -> dataset, train first, see :func:`load`) at ``output``;
    lengths in ``model``'s tokens (``model="tfidf"``: words), ``max_length`` marked."""
    tokenize = None if model == "tfidf" else _tokenizer(model)
    unit = "words" if tokenize is None else f"{model} tokens"
    return write_dataset_report(splits, output, tokenize, unit, max_length, fmt)
