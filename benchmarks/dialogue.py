"""DailyDialog: utterance emotion recognition and next-turn forecasting, trained on train, scored on validation.

Each named run calls the real CLI (``emotune train --preset dailydialog ...``) and reads the run's
``metrics.json``: balanced accuracy, macro-F1, weighted F1, micro-F1 without ``no emotion``, the per-class
table and the confusion matrix on the validation split (multiclass: argmax, nothing tuned on it).

    python benchmarks/dialogue.py --only utterance-k2 next-k2     # the MiniLM models of BENCHMARKS.md
    python benchmarks/dialogue.py --only tfidf-k                   # TF-IDF, K = 0, 1, 2, 4, both tasks
    python benchmarks/dialogue.py --only minilm-k                  # MiniLM, K = 0, 1, 2, 4, both tasks, on the
                                                                   # first quarter of train (~1 h in all)
    python benchmarks/dialogue.py --only minilm-full-next          # MiniLM, K = 0, 1, 2, 4, next turn, full train
    python benchmarks/dialogue.py --only minilm-full-utterance     # the same for utterance recognition

Results accumulate in ``benchmarks/results/dialogue.json`` (a run replaces its earlier entry).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from common import DATA_ROOT, add_result, run_cli

# MiniLM recipe: 1 epoch (the 60-minute budget on 2 cores), "no emotion" rows downsampled to 30% in train
# only, cross-entropy, max length 128 tokens of context + current turn (oldest tokens cut first).
MINILM = ["epochs=1", "lr=1e-4", "batch_size=32", "max_length=128", 'sampling.downsample="no emotion"',
          "sampling.keep_ratio=0.3", "loss=ce"]  # fmt: skip
RUNS: dict[str, list[str]] = {
    "utterance-k2": ["task=utterance", "dialogue.context=2", *MINILM],
    "next-k2": ["task=next_turn", "dialogue.context=2", *MINILM, "train.loss.class_weight=balanced"],
    **{f"tfidf-utterance-k{k}": ["model=tfidf", "task=utterance", f"dialogue.context={k}"] for k in (0, 1, 2, 4)},
    **{f"tfidf-next-k{k}": ["model=tfidf", "task=next_turn", f"dialogue.context={k}"] for k in (0, 1, 2, 4)},
}
# The MiniLM K table trains on the first QUARTER_DIALOGUES dialogues of train (about 8 minutes a run) so that
# all eight runs fit in one session; validation is the full official file.
QUARTER_DIALOGUES = 2780
RUNS |= {f"minilm-quarter-utterance-k{k}": ["task=utterance", f"dialogue.context={k}", *MINILM] for k in (0, 1, 2, 4)}
RUNS |= {f"minilm-quarter-next-k{k}": ["task=next_turn", f"dialogue.context={k}", *MINILM,
                                       "train.loss.class_weight=balanced"] for k in (0, 1, 2, 4)}  # fmt: skip
# The full-data MiniLM K table: the preset's defaults (cross-entropy, no class weights, max_length auto) with one
# epoch (so that no epoch is selected on validation, which is scored) and "no emotion" kept at 30% in train.
# Score decision offsets on it with `python benchmarks/decisions.py runs/bench-dialogue/minilm-next-kK`.
FULL = ["epochs=1", 'sampling.downsample="no emotion"', "sampling.keep_ratio=0.3"]
RUNS |= {f"minilm-{task}-k{k}": [f"task={task}", f"dialogue.context={k}", *FULL]
         for task in ("utterance", "next_turn") for k in (0, 1, 2, 4)}  # fmt: skip
GROUPS = {"tfidf-k": [name for name in RUNS if name.startswith("tfidf-")],
          "minilm-k": [name for name in RUNS if name.startswith("minilm-quarter-")],
          "minilm-full-utterance": [name for name in RUNS if name.startswith("minilm-utterance-")],
          "minilm-full-next": [name for name in RUNS if name.startswith("minilm-next_turn-")]}  # fmt: skip


def quarter_of_train(data_dir: Path, out_root: Path) -> Path:
    """The first QUARTER_DIALOGUES lines of DailyDialog's train text and emotion files, in a folder of their own."""
    folder = out_root / "train-quarter"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("dialogues_train.txt", "dialogues_emotion_train.txt"):
        lines = (data_dir / "train" / name).read_text(encoding="utf-8").splitlines(keepends=True)
        (folder / name).write_text("".join(lines[:QUARTER_DIALOGUES]), encoding="utf-8")
    return folder


def data_args(name: str, data_dir: Path, out_root: Path) -> list[str]:
    if name.startswith("minilm-quarter-"):
        return ["--train", str(quarter_of_train(data_dir, out_root)), "--dev", str(data_dir / "validation")]
    return ["--data-dir", str(data_dir)]


KEYS = ("balanced_accuracy", "macro_f1", "weighted_f1", "micro_f1_without_neutral", "accuracy")


def run(name: str, data_dir: Path, out_root: Path, reuse: bool) -> dict[str, object]:
    run_dir = out_root / name
    args = ["train", "--preset", "dailydialog", *data_args(name, data_dir, out_root), "--output", str(run_dir),
            *RUNS[name]]  # fmt: skip
    reused = reuse and (run_dir / "metrics.json").is_file()
    wall = None if reused else round(run_cli(args), 1)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    return {"name": name, "wall_seconds": wall, "fit_seconds": metrics["train_seconds"], "reused_existing_run": reused,
            "validation": {k: metrics["dev"][k] for k in KEYS}, "per_class": metrics["per_label"],
            "confusion": metrics.get("confusion"), "validation_rows": metrics["dev_rows"],
            "command": "emotune " + " ".join(args)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", required=True, choices=sorted([*RUNS, *GROUPS]))
    parser.add_argument("--data-dir", default=str(DATA_ROOT / "dailydialog"))
    parser.add_argument("--runs", default="runs/bench-dialogue")
    parser.add_argument("--reuse", action="store_true", help="score RUN folders that finished already")
    args = parser.parse_args()

    report: dict = {"results": {}}
    for name in [n for item in args.only for n in GROUPS.get(item, [item])]:
        print(f"running {name} ...", file=sys.stderr)
        # after every run, so a long session keeps what finished
        report = add_result("dialogue.json", name, run(name, Path(args.data_dir), Path(args.runs), args.reuse))

    print("| run | balanced acc | macro-F1 | weighted F1 | micro-F1 w/o no emotion | fit |")
    print("|---|---|---|---|---|---|")
    for name, result in report["results"].items():
        if "validation" not in result:  # the entry of benchmarks/dialogue_ceiling.py
            continue
        v = result["validation"]
        print(f"| {name} | {v['balanced_accuracy']:.3f} | {v['macro_f1']:.3f} | {v['weighted_f1']:.3f} | "
              f"{v['micro_f1_without_neutral']:.3f} | {result['fit_seconds']:.0f} s |")  # fmt: skip


if __name__ == "__main__":
    main()
