"""Two-process data-parallel training on CPU (torchrun, gloo) ends in one bundle written by rank 0."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from emotune import EmotionClassifier


def test_torchrun_two_cpu_processes_train_one_bundle(tiny_bert: Path, sample_dir: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", "29531",
               "-m", "emotune", "train", "--preset", "semeval2018-ec", "--data-dir", str(sample_dir),
               "--output", str(run), f"model={tiny_bert}", "epochs=2", "batch_size=32", "max_length=32",
               "lr=1e-3", "train.early_stopping=null"]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count('"bundle"') == 1  # rank 0 reports, rank 1 stays quiet

    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["processes"] == 2
    epochs = [json.loads(line) for line in (run / "epochs.jsonl").read_text().splitlines()]
    # one record per epoch (not one per process), and each process saw half the 400 rows per epoch
    assert [e["epoch"] for e in epochs] == [1.0, 2.0]
    assert epochs[0]["step"] == math.ceil(400 / 2 / 32)
    assert not (run / "checkpoints").exists()

    clf = EmotionClassifier.load(run / "model")
    saved = pd.read_csv(run / "dev_probabilities.csv", keep_default_na=False)
    probs = clf.predict_proba(saved["text"].tolist())
    np.testing.assert_allclose(probs, saved.filter(like="prob_").to_numpy(), atol=1e-5)
