"""Slow tests with the real pretrained MiniLM: ``make test-slow`` (``pytest -m slow``), not the default run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_minilm_learns_the_sample_data(tmp_path: Path, sample_dir: Path, cli) -> None:
    run = tmp_path / "run"
    result = cli("train", "--config", Path(__file__).parents[1] / "configs" / "minilm_semeval.yaml",
                 "--data-dir", sample_dir, "--output", run, "epochs=2")  # fmt: skip
    assert result.code == 0, result.err
    metrics = json.loads((run / "metrics.json").read_text())
    # the pretrained encoder must clearly beat chance on held-out sample rows after two epochs
    assert metrics["dev"]["macro_f1"] > 0.5
    assert metrics["dev"]["n_labels_nonzero_f1"] == 11
