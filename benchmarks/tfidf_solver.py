"""TF-IDF solvers side by side (issue 15): liblinear (the default for multilabel) against ``sgd`` (the same
L2-regularised log loss by stochastic gradient descent) on GoEmotions (28 labels, 43k train rows) and CEDR.

Each: ``emotune baseline --preset P --data-dir DIR --output RUN model.tfidf.solver=S``; wall time of the whole
command (read, fit, calibrate, report), dev macro-F1 calibrated and held out (2-fold dev).

    python benchmarks/tfidf_solver.py
"""

from __future__ import annotations

import json
import time

from common import DATA_ROOT, HERE, add_result, run_cli

OUT = HERE.parent / "runs" / "bench-tfidf-solver"
DATASETS = (("goemotions", "goemotions"), ("cedr", "cedr"))


def main() -> None:
    started = time.perf_counter()
    for preset, folder in DATASETS:
        for solver in ("liblinear", "sgd"):
            run_dir = OUT / f"{preset}-{solver}"
            seconds = run_cli(["baseline", "--preset", preset, "--data-dir", str(DATA_ROOT / folder), "--output",
                               str(run_dir), "--overwrite", f"model.tfidf.solver={solver}"])  # fmt: skip
            m = json.loads((run_dir / "metrics.json").read_text())
            result = {
                "wall_seconds": round(seconds, 1),
                "train_seconds": m["train_seconds"],
                "dev_macro_f1": m["dev"]["macro_f1"],
                "dev_two_fold_macro_f1": m["dev_two_fold"]["macro_f1"],
            }
            add_result("tfidf_solver.json", f"{preset}-{solver}", result)
            print(f"{preset} {solver}: {result}", flush=True)
    print(f"done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
