"""The ablation of issue 35 item 1: MPNet's recipe on SemEval-2018 E-c, one change per row against the plain command.

    python benchmarks/mpnet_recipe.py --only base lr5e-5 [--seed 43] [--reuse]

Each row is ``emotune train --preset semeval2018-ec --data-dir DIR --output RUN model=mpnet`` plus the one change
its name says (``VARIANTS`` below); ``base`` is the plain command with the catalogue recipe as it stands.
``--seed S`` adds ``seed=S`` (the result is named ``NAME-sS``), for the second seed a difference under 0.01 needs.
The scores are each run's own held-out estimates (``metrics.json``): thresholds fitted on one half of dev and scored
on the other, both ways, and the same with the kept epoch also chosen on the other half
(``dev_two_fold_with_epoch_choice``, the number the issue asks to move); the epochs' dev curve is kept too.

Results: ``benchmarks/results/mpnet_recipe.json``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from catalogue import earlier, train  # noqa: E402
from common import DATA_ROOT, add_result, machine  # noqa: E402

from emotune.models.transformer.precision import auto_precision  # noqa: E402

VARIANTS: dict[str, list[str]] = {
    "base": [],
    "lr5e-5": ["lr=5e-5"],
    "lr3e-5": ["lr=3e-5"],
    "epochs3": ["epochs=3"],
    "llrd0.9": ["model.layerwise_lr_decay=0.9"],
    "cls": ["model.pooling=cls"],
    "label_aware": ["model.label_aware=true"],
    "label_correlation0.2": ["train.loss.label_correlation=0.2"],
    "select_jaccard": ["train.select_metric=macro_f1+jaccard"],
    "warmup0.06": ["train.warmup_ratio=0.06"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", default=["base"], choices=list(VARIANTS))
    parser.add_argument("--seed", type=int, help="train.seed for every row (default: the config's, 42)")
    parser.add_argument("--data-dir", type=Path, default=DATA_ROOT / "semeval2018_ec")
    parser.add_argument("--runs", type=Path, default=Path("runs/bench-mpnet"))
    parser.add_argument("--reuse", action="store_true", help="score RUN folders that finished already")
    args = parser.parse_args()
    for name in args.only:
        key = f"{name}-s{args.seed}" if args.seed is not None else name
        print(f"== {key}", file=sys.stderr, flush=True)
        overrides = ["model=mpnet", *VARIANTS[name], *([f"seed={args.seed}"] if args.seed is not None else [])]
        result = {
            "machine": machine(),
            "precision": auto_precision(),
            **train(key, overrides, args.data_dir, args.runs, args.reuse),
        }
        if result["reused_existing_run"]:
            result |= earlier(key, "mpnet_recipe.json")
        report = add_result("mpnet_recipe.json", key, result)
    print("| row | change | held out macro-F1 / Jaccard | with epoch choice | best epoch | fit |")
    print("|---|---|---|---|---|---|")
    for key, r in report["results"].items():
        two, chosen = r["dev_two_fold"], r["dev_two_fold_with_epoch_choice"] or r["dev_two_fold"]
        best = max(r["epochs"], key=lambda e: e.get("macro_f1", 0)).get("epoch", "-") if r["epochs"] else "-"
        change = " ".join(VARIANTS[key.split("-s")[0]]) or "(plain command)"
        print(f"| {key} | {change} | {two['macro_f1']:.3f} / {two['jaccard']:.3f} | "
              f"{chosen['macro_f1']:.3f} / {chosen['jaccard']:.3f} | {best} | {r['fit_seconds']:.0f} s |")  # fmt: skip


if __name__ == "__main__":
    main()
