"""Is choosing the kept epoch on dev worth it, and how much does the usual held-out estimate leave in?

    python benchmarks/epoch_choice.py [--seeds 42 7 11] [--preset semeval2018-ec] [--data-dir DIR]

Trains the preset's plain recipe once per seed through the Python API (early stopping off, so every epoch
is evaluated) and keeps each epoch's dev probabilities (``dev_history_`` of the fitted model). Then scores
each rule held out on 2-fold dev (thresholds fitted on one half, scored on the other, both ways, averaged,
with the run's own threshold settings):

- ``chosen held out``: on each half the epoch with the best calibrated ``train.select_metric`` there, scored
  on the other half (:func:`emotune.evaluation.score.two_fold_with_epoch_choice`; what ``emotune train``
  reports as ``dev_two_fold_with_epoch_choice``);
- ``chosen on all of dev``: the epoch training keeps, scored like ``dev_two_fold`` (the choice saw every
  row it is scored on, so this leaves the choice in);
- ``epoch K``: always the K-th epoch, nothing chosen.

Results: ``benchmarks/results/epoch_choice.json`` (one entry per preset and seed, and their mean).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import DATA_ROOT, add_result  # noqa: E402

from emotune import EmotionClassifier, RunConfig  # noqa: E402
from emotune.data.loading import load_splits  # noqa: E402
from emotune.data.presets import settle_autos  # noqa: E402
from emotune.evaluation.score import choose_epoch, two_fold, two_fold_with_epoch_choice  # noqa: E402

REPORTED = ("macro_f1", "jaccard", "micro_f1", "balanced_accuracy")


def _pick(scores: dict[str, float]) -> dict[str, float]:
    return {k: round(scores[k], 4) for k in REPORTED if k in scores}


def rules(clf: EmotionClassifier) -> dict[str, dict[str, float]]:
    """Held-out scores of every rule on the fitted ``clf``'s epochs."""
    dev, history, calibrator = clf.dev_, clf.model_.dev_history_, clf.calibrator  # type: ignore[attr-defined]
    schema, select = dev.schema, clf.config.train.select_metric
    kept, _ = choose_epoch(dev.y, history, calibrator, schema, select)  # the choice training makes on all of dev
    out = {
        "chosen held out": two_fold_with_epoch_choice(dev.y, history, calibrator, schema, select, dev.groups),
        "chosen on all of dev": two_fold(dev.y, history[kept], calibrator, schema, dev.groups),
    }
    out |= {f"epoch {k + 1}": two_fold(dev.y, probs, calibrator, schema, dev.groups) for k, probs in enumerate(history)}
    return {name: _pick(scores) for name, scores in out.items()} | {"kept epoch": {"epoch": kept + 1}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 7, 11])
    parser.add_argument("--preset", default="semeval2018-ec")
    parser.add_argument("--data-dir", type=Path, default=DATA_ROOT / "semeval2018_ec")
    parser.add_argument("--model", default="minilm", help="model.name (a local folder for a quick check)")
    parser.add_argument("--epochs", default="auto", help="train.epochs")
    args = parser.parse_args()
    results: dict[str, dict[str, Any]] = {}
    for seed in args.seeds:
        train_cfg = {"seed": seed, "early_stopping": None, "epochs": args.epochs}
        cfg = RunConfig.model_validate({"data": {"preset": args.preset, "data_dir": str(args.data_dir)},
                                        "model": {"name": args.model}, "train": train_cfg})  # fmt: skip
        cfg = settle_autos(cfg)
        train, dev, _ = load_splits(cfg.data, seed)
        started = time.perf_counter()
        clf = EmotionClassifier(config=cfg).fit_dataset(train, dev)
        name = f"{args.preset} seed {seed}"
        results[name] = {**rules(clf), "fit_seconds": round(time.perf_counter() - started, 1)}
        add_result("epoch_choice.json", name, results[name])
    names = [k for k in next(iter(results.values())) if k not in ("kept epoch", "fit_seconds")]
    mean = {rule: {m: round(float(np.mean([r[rule][m] for r in results.values()])), 4)
                   for m in results[next(iter(results))][rule]} for rule in names}  # fmt: skip
    add_result("epoch_choice.json", f"{args.preset} mean of seeds {' '.join(map(str, args.seeds))}", mean)
    print(f"\n{args.preset}, held out on 2-fold dev (macro-F1 / Jaccard)")
    print("| rule | " + " | ".join(f"seed {s}" for s in args.seeds) + " | mean |")
    print("|---|" + "---|" * (len(args.seeds) + 1))
    for rule in names:
        cells = [f"{r[rule]['macro_f1']:.3f} / {r[rule].get('jaccard', float('nan')):.3f}" for r in results.values()]
        cells.append(f"{mean[rule]['macro_f1']:.3f} / {mean[rule].get('jaccard', float('nan')):.3f}")
        print(f"| {rule} | " + " | ".join(cells) + " |")
    kept = " | ".join(str(r["kept epoch"]["epoch"]) for r in results.values())
    print(f"| kept epoch (on all of dev) | {kept} | |")


if __name__ == "__main__":
    main()
