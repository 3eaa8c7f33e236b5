"""The run report's figures: each a function of :class:`RunEvidence` returning a matplotlib ``Figure``, or
``None`` where it does not apply (no probabilities kept, a single-label task, no epochs ...).

Figures are made with matplotlib's object API (no pyplot state), so reports can be drawn from any thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from sklearn.metrics import average_precision_score, precision_recall_curve

from emotune.decisions.scores import f1_by_threshold
from emotune.reports.evidence import RunEvidence

BLUE, ORANGE, GREEN, RED, GREY = "#3b6ea8", "#e08a2c", "#4a9a5b", "#c8463d", "#9a9a9a"
GRID = np.linspace(0.01, 0.99, 99)


def _figure(width: float, height: float, layout: Literal["constrained"] | None = "constrained") -> Figure:
    """A figure of ``width`` x ``height`` inches; grids of many panels pass ``layout=None`` (much faster)."""
    return Figure(figsize=(width, height), dpi=100, layout=layout)


def per_label_bars(ev: RunEvidence) -> Figure | None:
    """Precision, recall and F1 per label, support in the label name."""
    rows = ev.metrics.get("per_label")
    if not rows:
        return None
    frame = pd.DataFrame(rows)
    fig = _figure(8, 0.32 * len(frame) + 1.2)
    ax = fig.subplots()
    pos = np.arange(len(frame))[::-1]
    for offset, (column, colour) in zip((0.27, 0, -0.27), (("precision", BLUE), ("recall", ORANGE), ("f1", GREEN)),
                                        strict=True):  # fmt: skip
        ax.barh(pos + offset, frame[column], height=0.26, color=colour, label=column)
    names = [f"{label} ({support})" for label, support in zip(frame["label"], frame["support"], strict=True)]
    ax.set_yticks(pos, names)
    ax.set_xlim(0, 1)
    ax.set_xlabel("score (label support in brackets)")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return fig


def threshold_curves(ev: RunEvidence) -> Figure | None:
    """F1 against the decision threshold, per label, with the chosen threshold marked (multilabel)."""
    if ev.task != "multilabel" or ev.probs is None or ev.y is None:
        return None
    n = len(ev.names)
    cols = min(4, n)
    rows = -(-n // cols)
    fig = _figure(2.4 * cols, 1.9 * rows + 0.5, layout=None)
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.4 / (1.9 * rows + 0.5) + 0.06, top=0.94, hspace=0.45,
                        wspace=0.12)  # fmt: skip
    axes = np.atleast_1d(fig.subplots(rows, cols, sharex=True, sharey=True)).ravel()
    chosen = ev.thresholds
    for j, ax in enumerate(axes):
        if j >= n:
            ax.set_visible(False)
            continue
        ax.plot(GRID, f1_by_threshold(ev.probs[:, j], ev.y[:, j], GRID), color=BLUE, lw=1.4)
        if chosen is not None:
            ax.axvline(chosen[j], color=RED, lw=1, ls="--")
        ax.set_title(ev.names[j] + (f"  t={chosen[j]:.2f}" if chosen is not None else ""), fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    fig.supxlabel("threshold (dashed: chosen)", fontsize=8)
    fig.supylabel("F1", fontsize=8)
    return fig


def pr_curves(ev: RunEvidence) -> Figure | None:
    """Precision-recall curve per label, average precision in the legend."""
    if ev.probs is None or ev.y is None:
        return None
    fig = _figure(7.5, 5)
    ax = fig.subplots()
    colours = [f"C{i % 10}" for i in range(len(ev.names))]
    for j, name in enumerate(ev.names):
        if ev.y[:, j].sum() == 0:
            continue
        precision, recall, _ = precision_recall_curve(ev.y[:, j], ev.probs[:, j])
        ap = average_precision_score(ev.y[:, j], ev.probs[:, j])
        ax.plot(recall, precision, lw=1.1, color=colours[j], ls="-" if j < 10 else "--", label=f"{name} {ap:.2f}")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2 if len(ev.names) > 12 else 1, loc="upper left", bbox_to_anchor=(1.01, 1),
              title="average precision", title_fontsize=7)  # fmt: skip
    return fig


def confusion(ev: RunEvidence) -> Figure | None:
    """Single-label: the confusion matrix (row-normalised colour, counts written). Multilabel: per label the
    counts of true positives, false positives and false negatives."""
    if ev.y is None or ev.predicted is None:
        return None
    y, pred = ev.y.astype(bool), ev.predicted.astype(bool)
    n = len(ev.names)
    if ev.task == "multiclass":
        matrix = np.zeros((n, n), dtype=int)
        np.add.at(matrix, (y.argmax(axis=1), pred.argmax(axis=1)), 1)
        share = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
        fig = _figure(0.55 * n + 2.5, 0.5 * n + 2)
        ax = fig.subplots()
        image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
        for i in range(n):
            for k in range(n):
                ax.text(k, i, str(matrix[i, k]), ha="center", va="center", fontsize=7,
                        color="white" if share[i, k] > 0.6 else "black")  # fmt: skip
        ax.set_xticks(range(n), ev.names, rotation=45, ha="right", fontsize=8)
        ax.set_yticks(range(n), ev.names, fontsize=8)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        fig.colorbar(image, ax=ax, shrink=0.8, label="share of the true class")
        return fig
    tp, fp, fn = (y & pred).sum(0), (~y & pred).sum(0), (y & ~pred).sum(0)
    fig = _figure(8, 0.32 * n + 1.2)
    ax = fig.subplots()
    pos = np.arange(n)[::-1]
    ax.barh(pos, tp, color=GREEN, label="true positives")
    ax.barh(pos, fp, left=tp, color=ORANGE, label="false positives")
    ax.barh(pos, fn, left=tp + fp, color=RED, label="false negatives")
    ax.set_yticks(pos, ev.names, fontsize=8)
    ax.set_xlabel("texts")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    return fig


def co_occurrence_panel(fig: Figure, ax: Axes, y: np.ndarray, names: list[str], title: str,
                        vmax: float | None = None) -> None:  # fmt: skip
    """Heatmap of P(column label | row label) over the 0/1 rows ``y`` ``(n, n_labels)``; the diagonal (always 1)
    is grey so the pairs stand out. ``vmax``: the colour scale's top (default: the largest pair)."""
    m = y.astype(float)
    together = m.T @ m
    share = together / np.maximum(np.diag(together)[:, None], 1)
    off = share[~np.eye(len(names), dtype=bool)]
    np.fill_diagonal(share, np.nan)
    top = vmax if vmax is not None else max(float(off.max()) if off.size else 0.0, 0.05)
    image = ax.imshow(share, cmap=colormaps["Purples"].with_extremes(bad="#d9d9d9"), vmin=0, vmax=top)
    ax.set_title(f"{title}: P(column | row)", fontsize=9)
    ax.set_xticks(range(len(names)), names, rotation=90, fontsize=7)
    ax.set_yticks(range(len(names)), names, fontsize=7)
    fig.colorbar(image, ax=ax, shrink=0.7)


def co_occurrence(ev: RunEvidence) -> Figure | None:
    """Multilabel: how often label B is present when label A is, in the gold labels and in the predictions
    (one colour scale for both)."""
    if ev.task != "multilabel" or ev.y is None or ev.predicted is None:
        return None
    n = len(ev.names)
    fig = _figure(min(0.42 * n * 2 + 3, 18), min(0.4 * n + 2, 12))
    for ax, (title, matrix) in zip(fig.subplots(1, 2), (("gold", ev.y), ("predicted", ev.predicted)), strict=True):
        co_occurrence_panel(fig, ax, matrix, ev.names, title, vmax=1.0)
    return fig


def training_curves(ev: RunEvidence) -> Figure | None:
    """Loss and dev scores per epoch (``epochs.jsonl``; one line per cv fold)."""
    if not ev.epochs:
        return None
    fig = _figure(10, 3.4)
    loss_ax, score_ax = fig.subplots(1, 2)
    for i, (name, frame) in enumerate(ev.epochs.items()):
        colour = f"C{i % 10}"
        label = "" if name == "run" else f"{name} "
        for column, style in (("train_loss", "-"), ("dev_loss", "--")):
            if column in frame and frame[column].notna().any():
                loss_ax.plot(frame["epoch"], frame[column], style, color=colour, marker="o", ms=3,
                             label=f"{label}{column.replace('_', ' ')}")  # fmt: skip
        for column, style in (("macro_f1", "-"), ("macro_f1_at_default", ":"), ("jaccard", "--")):
            if column in frame and frame[column].notna().any():
                score_ax.plot(frame["epoch"], frame[column], style, color=colour, marker="o", ms=3,
                              label=f"{label}{column.replace('_', ' ')}")  # fmt: skip
    for ax, title in ((loss_ax, "loss"), (score_ax, "dev score")):
        ax.set_xlabel("epoch")
        ax.set_title(title, fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    return fig


def fold_spread(ev: RunEvidence) -> Figure | None:
    """cv: each fold's score per metric (dots) with the mean (bar)."""
    folds = ev.metrics.get("folds")
    if not folds:
        return None
    keys = [k for k in ("macro_f1", "micro_f1", "weighted_f1", "jaccard", "balanced_accuracy") if k in folds[0]]
    fig = _figure(1.4 * len(keys) + 2, 3.4)
    ax = fig.subplots()
    for i, key in enumerate(keys):
        values = np.array([f[key] for f in folds], dtype=float)
        ax.bar(i, values.mean(), color=BLUE, alpha=0.35, width=0.6)
        ax.scatter(np.full(len(values), i) + np.linspace(-0.15, 0.15, len(values)), values, color=BLUE, s=18,
                   zorder=3)  # fmt: skip
        ax.text(i, values.max() + 0.01, f"{values.mean():.3f}±{values.std(ddof=1) if len(values) > 1 else 0:.3f}",
                ha="center", fontsize=7)  # fmt: skip
    ax.set_xticks(range(len(keys)), [k.replace("_", " ") for k in keys], fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_ylabel("held-out fold score")
    ax.grid(axis="y", alpha=0.3)
    return fig


def reliability(ev: RunEvidence, bins: int = 10) -> Figure | None:
    """Predicted probability against observed frequency (multilabel: every label's probabilities; single-label:
    the top class's probability against accuracy), with the expected calibration error."""
    if ev.probs is None or ev.y is None:
        return None
    if ev.task == "multiclass":
        confidence = ev.probs.max(axis=1)
        hit = (ev.probs.argmax(axis=1) == ev.y.argmax(axis=1)).astype(float)
    else:
        confidence, hit = ev.probs.ravel(), ev.y.ravel().astype(float)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    counts = np.bincount(which, minlength=bins)
    mean_conf = np.bincount(which, confidence, bins) / np.maximum(counts, 1)
    observed = np.bincount(which, hit, bins) / np.maximum(counts, 1)
    ece = float(np.sum(counts * np.abs(mean_conf - observed)) / max(counts.sum(), 1))
    fig = _figure(4.6, 4.2)
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], color=GREY, ls="--", lw=1)
    used = counts > 0
    ax.plot(mean_conf[used], observed[used], marker="o", color=BLUE)
    ax.set_xlabel("predicted probability" if ev.task != "multiclass" else "confidence (top class)")
    ax.set_ylabel("observed frequency" if ev.task != "multiclass" else "accuracy")
    ax.set_title(f"expected calibration error {ece:.3f}", fontsize=9)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    return fig


@dataclass(frozen=True)
class FigureSpec:
    name: str
    title: str
    draw: Callable[[RunEvidence], Figure | None]


# The report's figures in display order; a figure is one entry here.
FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("per_label", "Per-label precision, recall and F1", per_label_bars),
    FigureSpec("thresholds", "F1 against the threshold, per label", threshold_curves),
    FigureSpec("pr_curves", "Precision-recall curves", pr_curves),
    FigureSpec("confusion", "Confusion", confusion),
    FigureSpec("co_occurrence", "Label co-occurrence, gold and predicted", co_occurrence),
    FigureSpec("training", "Training curves", training_curves),
    FigureSpec("folds", "Cross-validation: spread over folds", fold_spread),
    FigureSpec("reliability", "Reliability (calibration) diagram", reliability),
)
