"""The report's tables: the run summary and the most confident errors."""

from __future__ import annotations

from typing import Any

import numpy as np

from emotune.reports.evidence import RunEvidence

HEADLINE = ("macro_f1", "micro_f1", "weighted_f1", "jaccard", "balanced_accuracy", "accuracy")


def _scores(section: Any) -> dict[str, float]:
    if not isinstance(section, dict):
        return {}
    return {k: float(section[k]) for k in HEADLINE if isinstance(section.get(k), int | float)}


def score_rows(ev: RunEvidence) -> list[dict[str, Any]]:
    """One row per reported set of scores: what it was measured on and the headline metrics."""
    m = ev.metrics
    candidates = [
        ("dev, thresholds tuned on dev", m.get("dev") if ev.kind == "train" else None),
        ("dev, default decision", m.get("dev_at_default_threshold")),
        ("held-out estimate (2-fold dev)", m.get("dev_two_fold")),
        ("held-out estimate, epoch also chosen held out", m.get("dev_two_fold_with_epoch_choice")),
        ("out-of-fold, all train rows", m.get("oof")),
        ("out-of-fold, default decision", m.get("oof_at_default_threshold")),
        ("held-out estimate (2-fold out-of-fold)", m.get("oof_two_fold")),
        ("dev file, fold ensemble", (m.get("dev") or {}).get("ensemble") if ev.kind == "cv" else None),
        ("tuning rows (weights and thresholds tuned here)", m.get("scores") if ev.kind == "blend" else None),
        ("held-out estimate (2-fold)", m.get("two_fold")),
        ("dev file, blend", (m.get("dev") or {}).get("blend") if ev.kind == "blend" else None),
        ("evaluated file", m.get("test")),
        ("evaluated file, default decision", m.get("test_at_default_threshold")),
    ]
    return [{"scores on": name, **_scores(section)} for name, section in candidates if _scores(section)]


def summary_rows(ev: RunEvidence) -> list[tuple[str, str]]:
    """Data, model, recipe and time of the run, as (field, value) pairs."""
    c, m = ev.config, ev.metrics
    data, model, train = c.get("data", {}), c.get("model", {}), c.get("train", {})
    loss, thresholds = train.get("loss", {}), c.get("thresholds", {})
    files = ", ".join(str(data[k]) for k in ("data_dir", "train", "dev") if data.get(k))
    counts = [(k.removesuffix("_rows"), m[k]) for k in ("train_rows", "dev_rows", "rows", "tuning_rows")
              if isinstance(m.get(k), int)]  # fmt: skip
    peft = (model.get("peft") or {}).get("method", "none")
    recipe = (f"loss {loss.get('name', '?')} (pos_weight {loss.get('pos_weight', '-')}), lr {train.get('lr')}, "
              f"{train.get('epochs')} epochs, batch {train.get('batch_size')}, max_length "
              f"{model.get('max_length', '-')}, seed {train.get('seed')}")  # fmt: skip
    if ev.task == "multilabel":
        decisions = f"thresholds {thresholds.get('strategy')} for {thresholds.get('objective')}"
        if thresholds.get("strategy") == "auto" and (chosen := (m.get("thresholds") or {}).get("chosen")):
            decisions += f" (chose {chosen})"
        if thresholds.get("min_labels"):
            decisions += f", min_labels {thresholds['min_labels']}"
    else:
        decisions = f"decision {thresholds.get('decision', 'argmax')}"
    seconds = m.get("train_seconds")
    rows = [
        ("run", f"{ev.kind}: {ev.run_dir.name}"),
        ("data", f"preset {data.get('preset', '?')}" + (f" ({files})" if files else "")),
        ("labels", f"{ev.task}, {len(ev.names)}: {', '.join(ev.names)}"),
        ("rows", ", ".join(f"{name} {count}" for name, count in counts)),
        ("model", f"{model.get('name', '?')}" + (f", peft {peft}" if peft != "none" else "")),
        ("recipe", recipe),
        ("decisions", decisions),
        ("time", f"{seconds:.0f} s of training" if isinstance(seconds, int | float) else "-"),
        ("scored rows", f"{len(ev.texts)} rows of {ev.scored_on}" if ev.scored_on else "no probabilities kept"),
    ]
    return [(k, v) for k, v in rows if v]


def confident_errors(ev: RunEvidence, top: int = 15) -> list[dict[str, str]]:
    """The rows whose wrong decision came with the most confidence: multilabel, the label whose probability
    is furthest on the wrong side of its threshold; single-label, the wrong class's probability."""
    if ev.y is None or ev.probs is None or ev.predicted is None:
        return []
    y, probs, pred = ev.y.astype(bool), ev.probs, ev.predicted.astype(bool)
    if ev.task == "multiclass":
        wrong = pred.argmax(1) != y.argmax(1)
        confidence = np.where(wrong, probs.max(1), -1.0)
    else:
        cut = ev.thresholds if ev.thresholds is not None else np.full(len(ev.names), ev.calibrator.default)
        margin = np.where(y != pred, np.abs(probs - cut), -1.0)
        confidence = margin.max(1)
    order = [i for i in np.argsort(-confidence, kind="stable")[:top] if confidence[i] >= 0]
    rows = []
    for i in order:
        gold = [n for n, v in zip(ev.names, y[i], strict=True) if v]
        said = [f"{n} {probs[i, j]:.2f}" for j, n in enumerate(ev.names) if pred[i, j]]
        missed = [f"{n} {probs[i, j]:.2f}" for j, n in enumerate(ev.names) if y[i, j] and not pred[i, j]]
        rows.append({"text": ev.texts[i], "gold": ", ".join(gold) or "(none)", "predicted": ", ".join(said) or "(none)",
                     "missed": ", ".join(missed)})  # fmt: skip
    return rows
