"""The dataset report (``emotune data inspect --report OUT.html``): label distribution per split, label
co-occurrence, text length in the chosen model's tokens (what ``max_length`` cuts), duplicates and leakage
between splits, the mix of scripts, and examples per label. Same look as the run report."""

from __future__ import annotations

import random
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from emotune.data.combine import exact_key
from emotune.data.dataset import EmotionDataset, duplicate_counts
from emotune.reports.figures import co_occurrence_panel
from emotune.reports.render import FORMATS, Picture, draw, write_page
from emotune.reports.run_report import stamp

MAX_LENGTHS = (32, 64, 128, 256, 512)
Tokenize = Callable[[list[str]], list[int]]


def script_of(text: str) -> str:
    """The script most of ``text``'s letters are written in (``LATIN``, ``CYRILLIC``, ...; ``none``)."""
    scripts = Counter(unicodedata.name(ch, "OTHER ?").split()[0] for ch in text if ch.isalpha())
    return scripts.most_common(1)[0][0].lower() if scripts else "none"


def label_shares(splits: Mapping[str, EmotionDataset]) -> tuple[list[str], dict[str, np.ndarray]]:
    """Every label name (first split's order, then new ones) and, per split, each label's share of texts."""
    names = list(dict.fromkeys(n for ds in splits.values() for n in ds.schema.names))
    shares = {}
    for split, ds in splits.items():
        index = {n: i for i, n in enumerate(ds.schema.names)}
        counts = ds.y.sum(axis=0)
        shares[split] = np.array([counts[index[n]] / max(len(ds), 1) if n in index else 0.0 for n in names])
    return names, shares


def distribution_figure(splits: Mapping[str, EmotionDataset]) -> Figure:
    names, shares = label_shares(splits)
    fig = Figure(figsize=(9, 0.3 * len(names) * max(1, len(splits) / 2) + 1.3), dpi=100, layout="constrained")
    ax = fig.subplots()
    height = 0.8 / len(splits)
    pos = np.arange(len(names))[::-1]
    for k, (split, share) in enumerate(shares.items()):
        ax.barh(pos + 0.4 - height * (k + 0.5), share, height=height, label=split, color=f"C{k}")
    ax.set_yticks(pos, names, fontsize=8)
    ax.set_xlabel("share of the split's texts")
    ax.legend(fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return fig


def co_occurrence_figure(ds: EmotionDataset) -> Figure | None:
    if ds.schema.task != "multilabel" or not len(ds):
        return None
    n = ds.schema.n_labels
    fig = Figure(figsize=(min(0.42 * n + 3, 14), min(0.4 * n + 2, 12)), dpi=100, layout="constrained")
    co_occurrence_panel(fig, fig.subplots(), ds.y, list(ds.schema.names), ds.source)
    return fig


def length_figure(lengths: Mapping[str, np.ndarray], unit: str, max_length: int | None) -> Figure:
    fig = Figure(figsize=(8, 3.4), dpi=100, layout="constrained")
    ax = fig.subplots()
    top = max(int(np.percentile(v, 99.5)) for v in lengths.values()) + 1
    bins = np.linspace(0, max(top, 8), 40)
    for k, (split, values) in enumerate(lengths.items()):
        ax.hist(np.minimum(values, bins[-1]), bins=bins.tolist(), histtype="step", lw=1.5, density=True, color=f"C{k}",
                label=split)  # fmt: skip
    if max_length is not None:
        ax.axvline(max_length, color="#c8463d", ls="--", lw=1, label=f"max_length {max_length}")
    ax.set_xlabel(f"text length in {unit}")
    ax.set_ylabel("density")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def _leakage(splits: Mapping[str, EmotionDataset]) -> list[dict[str, Any]]:
    normed = {name: {exact_key(t) for t in ds.texts} for name, ds in splits.items()}
    rows = []
    for a, b in combinations(splits, 2):
        shared = normed[a] & normed[b]
        rows.append({"splits": f"{a} / {b}", "texts in both": len(shared),
                     "share of " + b: round(len(shared) / max(len(normed[b]), 1), 4),
                     "examples": " | ".join(sorted(shared)[:3])})  # fmt: skip
    return rows


def _examples(ds: EmotionDataset, per_label: int, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows = []
    for j, name in enumerate(ds.schema.names):
        idx = np.flatnonzero(ds.y[:, j])
        for i in rng.sample(list(idx), min(per_label, len(idx))):
            rows.append({"label": name, "text": ds.texts[i]})
    return rows


def write_dataset_report(splits: Mapping[str, EmotionDataset], output: str | Path, tokenize: Tokenize | None = None,
                         unit: str = "words", max_length: int | None = None, fmt: str = "html",
                         examples: int = 3, seed: int = 0) -> Path:  # fmt: skip
    """Write the report of ``splits`` (name -> dataset, train first) to ``output``.

    ``tokenize`` gives token counts in the chosen model's tokenizer (``unit`` names them); without it lengths
    are in words. ``max_length`` is marked on the length histogram.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}: use one of {FORMATS}")
    first = next(iter(splits.values()))
    lengths = {name: np.array(tokenize(ds.texts) if tokenize else [len(t.split()) for t in ds.texts])
               for name, ds in splits.items()}  # fmt: skip
    summary = []
    for name, ds in splits.items():
        distinct, dup_rows = duplicate_counts(ds.texts)
        summary.append({"split": name, "file": ds.source, "texts": len(ds), "task": ds.schema.task,
                        "labels": ds.schema.n_labels, "texts without a label": int((ds.y.sum(1) == 0).sum()),
                        "duplicate texts": distinct, "rows with a duplicate": dup_rows,
                        "rows left out": sum(ds.problems.values())})  # fmt: skip
    names, shares = label_shares(splits)
    counts = [
        {"label": n, **{split: f"{share[i]:.3f}" for split, share in shares.items()}} for i, n in enumerate(names)
    ]
    truncated = [{"split": name, **{f"> {m}": f"{(v > m).mean():.3%}" for m in MAX_LENGTHS},
                  "p50": int(np.percentile(v, 50)), "p99": int(np.percentile(v, 99)), "max": int(v.max())}
                 for name, v in lengths.items()]  # fmt: skip
    scripts = []
    for name, ds in splits.items():
        mix = Counter(script_of(t) for t in ds.texts)
        scripts.append({"split": name, **{s: f"{c / len(ds):.1%}" for s, c in mix.most_common(5)}})
    problems = [{"split": name, "problem": kind, "rows": n} for name, ds in splits.items()
                for kind, n in ds.problems.items()]  # fmt: skip
    figures = [("labels", "Label distribution per split", distribution_figure(splits)),
               ("co_occurrence", "Label co-occurrence (first split)", co_occurrence_figure(first)),
               ("lengths", f"Text length in {unit}", length_figure(lengths, unit, max_length))]  # fmt: skip
    pictures: list[Picture] = [p for name, title, fig in figures if (p := draw(name, title, fig)) is not None]
    context = {**stamp(), "title": ", ".join(ds.source for ds in splits.values()), "summary": summary,
               "counts": counts, "truncated": truncated, "unit": unit, "scripts": scripts, "problems": problems,
               "leakage": _leakage(splits), "examples": _examples(first, examples, seed)}  # fmt: skip
    return write_page("dataset", context, pictures, Path(output), fmt)
