"""Fine-tuned MiniLM through ``emotune train``: the SemEval recipe, GoEmotions, and the ablation.

Each named run calls the real CLI, then scores dev three ways (see ``benchmarks/baselines.py``): thresholds
calibrated on dev, a fixed 0.5, and thresholds tuned on one half of dev and scored on the other.

    python benchmarks/encoder.py --only semeval          # the recipe of configs/minilm_semeval.yaml
    python benchmarks/encoder.py --only goemotions
    python benchmarks/encoder.py --only ablation          # five 1-epoch SemEval runs, one change each
    python benchmarks/encoder.py --only semeval-lora      # the same recipe with a LoRA adapter (lr 5e-4)

Results accumulate in ``benchmarks/results/encoder.json`` (a run replaces its earlier entry). ``--reuse``
scores a run folder that finished already instead of training again (its wall time is then the fit time
recorded in its metrics.json).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from common import DATA_ROOT, add_result, run_cli, score_run

SEMEVAL = ("semeval2018-ec", "semeval2018_ec")
ABLATION_BASE = ["epochs=1", "lr=1e-4", "max_length=96", "train.early_stopping=null"]
# name -> (preset, data folder, config file or None, overrides)
RUNS: dict[str, tuple[str, str, str | None, list[str]]] = {
    "semeval": (*SEMEVAL, "configs/minilm_semeval.yaml", []),
    "goemotions": ("goemotions", "goemotions", "configs/minilm_semeval.yaml",
                   ["data.preset=goemotions", "epochs=3", "max_length=64"]),
    "semeval-lora": (*SEMEVAL, "configs/minilm_semeval.yaml", ["peft=lora", "lr=5e-4"]),
    "ablation-plain-bce": (*SEMEVAL, None, [*ABLATION_BASE, "loss=bce", "model.bias_init=false"]),
    "ablation-pos-weight": (*SEMEVAL, None, [*ABLATION_BASE, "loss=bce", "train.loss.pos_weight=sqrt",
                                             "model.bias_init=false"]),
    "ablation-bias-init": (*SEMEVAL, None, [*ABLATION_BASE, "loss=bce", "train.loss.pos_weight=sqrt"]),
    "ablation-focal": (*SEMEVAL, None, [*ABLATION_BASE, "loss=focal"]),
    "ablation-asl": (*SEMEVAL, None, [*ABLATION_BASE, "loss=asl"]),
}  # fmt: skip
GROUPS = {"ablation": [name for name in RUNS if name.startswith("ablation")]}


def run(name: str, data_root: Path, out_root: Path, reuse: bool) -> dict[str, object]:
    preset, folder, config, overrides = RUNS[name]
    data_dir = data_root / folder
    run_dir = out_root / name
    args = ["train", *(["--config", config] if config else []), "--preset", preset, "--data-dir", str(data_dir),
            "--output", str(run_dir), *overrides]  # fmt: skip
    reused = reuse and (run_dir / "metrics.json").is_file()
    wall = None if reused else round(run_cli(args), 1)
    epochs = [json.loads(line) for line in (run_dir / "epochs.jsonl").read_text().splitlines()]
    parameters = json.loads((run_dir / "metrics.json").read_text()).get("parameters")
    scores = score_run(run_dir, preset, data_dir)
    command = "emotune " + " ".join(args)
    return {"name": name, "wall_seconds": wall, "reused_existing_run": reused, "epochs": epochs,
            "parameters": parameters, **scores,
            "command": command}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", required=True, choices=sorted([*RUNS, *GROUPS]))
    parser.add_argument("--data-root", default=str(DATA_ROOT))
    parser.add_argument("--runs", default="runs/bench-encoder")
    parser.add_argument("--reuse", action="store_true", help="score RUN folders that finished already")
    args = parser.parse_args()

    report: dict = {"results": {}}
    for name in [n for item in args.only for n in GROUPS.get(item, [item])]:
        print(f"running {name} ...", file=sys.stderr)
        # after every run, so a long session keeps what finished
        report = add_result("encoder.json", name, run(name, Path(args.data_root), Path(args.runs), args.reuse))

    print("| run | dev macro-F1 calibrated | at 0.5 | 2-fold dev | Jaccard calibrated / at 0.5 / 2-fold | wall |")
    print("|---|---|---|---|---|---|")
    for name, result in report["results"].items():
        cal, half, fold = result["dev_calibrated"], result["dev_at_0.5"], result["dev_two_fold"]
        seconds = result["wall_seconds"] or result["fit_seconds"]
        print(f"| {name} | {cal['macro_f1']:.3f} | {half['macro_f1']:.3f} | {fold['macro_f1']:.3f} | "
              f"{cal['jaccard']:.3f} / {half['jaccard']:.3f} / {fold['jaccard']:.3f} | {seconds} s |")  # fmt: skip


if __name__ == "__main__":
    main()
