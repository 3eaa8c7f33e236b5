"""Augmentation on and off for SemEval-2018 E-c's rarer labels (issue 15), MiniLM, 2 seeds side by side.

Each run: ``configs/minilm_semeval.yaml`` with 2 epochs, max_length 64, lr 1e-4 (as ``benchmarks/combine.py``),
seeds 42 and 7. ``aug`` adds, for the rows with trust, surprise, pessimism or anticipation, one EDA swap copy
(p 0.1) and one embedding-synonym copy (p 0.1, MiniLM's own input embeddings). Scores: SemEval dev macro-F1 and
Jaccard calibrated and held out (2-fold dev), per-label F1 of those four labels.

    python benchmarks/augment.py
"""

from __future__ import annotations

import json
import time
from typing import Any

from common import DATA_ROOT, HERE, add_result, run_cli

ROOT = HERE.parent
OUT = ROOT / "runs" / "bench-augment"
RARE = ["trust", "surprise", "pessimism", "anticipation"]
STEPS = ("augment=[{name: swap, p: 0.1, target: [trust, surprise, pessimism, anticipation], max_ratio: 1}, "
         "{name: synonym, p: 0.1, target: [trust, surprise, pessimism, anticipation], max_ratio: 1}]")  # fmt: skip


def _run(name: str, seed: int, extra: list[str]) -> dict[str, Any]:
    run_dir = OUT / name
    seconds = run_cli(["train", "--config", str(ROOT / "configs" / "minilm_semeval.yaml"), "--data-dir",
                       str(DATA_ROOT / "semeval2018_ec"), "--output", str(run_dir), "--overwrite", "epochs=2",
                       "max_length=64", "lr=1e-4", f"seed={seed}", *extra])  # fmt: skip
    m = json.loads((run_dir / "metrics.json").read_text())
    f1 = {r["label"]: r["f1"] for r in m["per_label"]}
    result = {
        "seed": seed, "augment": bool(extra), "train_rows": m["train_rows"], "wall_seconds": round(seconds, 1),
        "dev_calibrated": {k: m["dev"][k] for k in ("macro_f1", "jaccard")},
        "dev_two_fold": {k: m["dev_two_fold"][k] for k in ("macro_f1", "jaccard")},
        "rare_f1": {label: f1[label] for label in RARE},
    }  # fmt: skip
    add_result("augment.json", name, result)
    scores = f"{result['dev_calibrated']['macro_f1']:.4f} / held out {result['dev_two_fold']['macro_f1']:.4f}"
    print(f"{name}: macro-F1 {scores}; rare {result['rare_f1']}; {seconds:.0f} s", flush=True)
    return result


def main() -> None:
    started = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    for seed in (42, 7):
        _run(f"seed{seed}-plain", seed, [])
        _run(f"seed{seed}-aug", seed, [STEPS])
    print(f"done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
