"""``emotune parity``: how each backend of a bundle compares with PyTorch fp32 on a labelled file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from emotune.config import with_values
from emotune.data.dialogue import dialogue_view
from emotune.data.loading import load_like
from emotune.evaluation.metrics import compute_metrics
from emotune.inference.backends import Answers, load_classifier


def run(
    model: str | Path,
    data: str | Path,
    backends: Sequence[str],
    reference: str | Path | None = None,
    preset: str | None = None,
    data_options: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """One row per backend of ``model`` (the first row: the reference, ``reference`` as saved or else
    ``model`` in fp32 PyTorch): texts/s, ``max_abs_diff``, ``identical_label_sets``, ``macro_f1`` and
    ``macro_f1_delta`` on ``data`` (read as ``evaluate`` reads it)."""
    ref = load_classifier(reference, "saved") if reference is not None else load_classifier(model, "torch")
    preset = preset or ref.config.data.preset
    data_cfg = with_values(ref.config, {**(data_options or {}), "data.preset": preset}, "command line").data
    dataset = dialogue_view(load_like(preset, data, data_cfg, ref.schema), ref.config.dialogue)
    texts = list(dataset.texts)
    answers = {"reference" if reference is not None else "torch": Answers.of(ref, texts)}
    answers |= {backend: Answers.of(load_classifier(model, backend), texts) for backend in backends}
    first = next(iter(answers.values()))
    ref_f1 = compute_metrics(dataset.y, first.pred, ref.schema)["macro_f1"]
    rows = []
    for name, answer in answers.items():
        f1 = compute_metrics(dataset.y, answer.pred, ref.schema)["macro_f1"]
        rows.append({"backend": name, **answer.against(first), "macro_f1": round(f1, 4),
                     "macro_f1_delta": round(f1 - ref_f1, 4)})  # fmt: skip
    return rows
