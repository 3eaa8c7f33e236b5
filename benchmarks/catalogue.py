"""The catalogue models on SemEval-2018 E-c, each through the plain command, and how fast each one is.

    python benchmarks/catalogue.py --only minilm mpnet gemma-lora gemma-ia3 gemma-generative [--reuse] [--speed]
        [--epochs N]

Each run is ``emotune train --preset semeval2018-ec --data-dir DIR --output RUN model=NAME [peft=...]``
with nothing else changed: the recipe is the catalogue's (``emotune config show ... model=NAME`` prints it).
Scores are the run's own held-out estimates from ``metrics.json``: thresholds fitted on one half of dev and
scored on the other, both ways (``dev_two_fold``), and the same with the kept epoch also chosen on the other
half (``dev_two_fold_with_epoch_choice``). Also recorded: the wall time of the command, the peak resident
memory of its process, the bundle's size, the parameters (all and trainable) and training samples/s.

``--speed`` adds prediction texts/s per backend (torch fp32, bf16, ONNX, ONNX int8, ONNX int8 in blocks) on the
dev texts repeated to ``--repeat-to``, side by side in one process, with each backend's dev macro-F1 change against
torch fp32; a backend a model cannot use is recorded with its error instead.

``--epochs N`` trains N epochs instead of the recipe's (``epochs=N`` added to the command; the run folder and the
result are named ``NAME-eN``): enough for the speed table, which does not depend on how long a model trained.

Results: ``benchmarks/results/catalogue.json``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import DATA_ROOT, add_result  # noqa: E402

from emotune.models.catalogue.materialise import folder_size  # noqa: E402

RUNS: dict[str, list[str]] = {
    "minilm": [],  # the default model
    "mpnet": ["model=mpnet"],
    "gemma-lora": ["model=gemma3-270m", "peft=lora"],
    "gemma-ia3": ["model=gemma3-270m", "peft=ia3"],
    "gemma-generative": ["model=gemma3-270m", "peft=lora", "head=generate"],  # writes the label list
}
KEPT = ("macro_f1", "jaccard", "micro_f1")
BACKENDS = ("torch", "torch-bf16", "onnx", "onnx-int8", "onnx-int8-block")
EPOCH_KEYS = ("epoch", "macro_f1", "jaccard", "train_loss", "dev_loss")


def kept_scores(block: dict[str, Any] | None) -> dict[str, float] | None:
    return None if block is None else {k: round(block[k], 4) for k in KEPT if k in block}


def train(
    key: str, overrides: list[str], data_dir: Path, runs: Path, reuse: bool, command: list[str] | None = None
) -> dict[str, Any]:
    """``emotune train --preset semeval2018-ec ... OVERRIDES`` (or ``emotune COMMAND ... OVERRIDES``) into
    ``RUNS/semeval-KEY`` (or, with ``reuse``, the run already there), and what it measured."""
    run_dir = runs / f"semeval-{key}"
    command = command or ["train", "--preset", "semeval2018-ec", "--data-dir", str(data_dir)]
    args = [*command, "--output", str(run_dir), *overrides]
    reused = reuse and (run_dir / "metrics.json").is_file()
    wall = peak_mb = None
    if not reused:
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "emotune", "-q", *args, "--overwrite"], check=True)
        wall = round(time.perf_counter() - started, 1)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB: the largest child so far
        peak_mb = round(peak / 1024, 1) if peak > before else None
    metrics = json.loads((run_dir / "metrics.json").read_text())
    epochs = [json.loads(line) for line in (run_dir / "epochs.jsonl").read_text().splitlines()]
    config = (run_dir / "config.yaml").read_text()
    trained_epochs = max((e.get("epoch", 0) for e in epochs), default=0)
    return {
        "command": "emotune " + " ".join(args),
        "measured": time.strftime("%Y-%m-%d"),
        "reused_existing_run": reused,
        "wall_seconds": wall,
        "fit_seconds": metrics["train_seconds"],
        "peak_rss_mb": peak_mb,
        "train_samples_per_s": round(metrics["train_rows"] * trained_epochs / metrics["train_seconds"], 1),
        "parameters": metrics.get("parameters"),
        "bundle_mb": round(folder_size(run_dir / "model") / 1e6, 1),
        "recipe": {line.split(":")[0].strip(): line.split(":", 1)[1].strip() for line in config.splitlines()
                   if line.strip().split(":")[0] in ("lr", "batch_size", "warmup_ratio", "epochs")},
        "dev_calibrated": kept_scores(metrics["dev"]),
        "dev_at_0.5": kept_scores(metrics.get("dev_at_default_threshold")),
        "dev_two_fold": kept_scores(metrics.get("dev_two_fold")),
        "dev_two_fold_with_epoch_choice": kept_scores(metrics.get("dev_two_fold_with_epoch_choice")),
        "epochs": [{k: e[k] for k in EPOCH_KEYS if k in e} for e in epochs],
    }  # fmt: skip


def earlier(key: str, results: str = "catalogue.json") -> dict[str, Any]:
    """The fit's own measurements (wall time, peak memory, date) of an earlier result, kept for a reused run."""
    path = HERE / "results" / results
    if not path.is_file():
        return {}
    before = json.loads(path.read_text())["results"].get(key, {})
    return {k: before[k] for k in ("wall_seconds", "peak_rss_mb", "measured") if k in before}


def _key(name: str, epochs: int | None) -> str:
    return f"{name}-e{epochs}" if epochs else name


def speed(run_dir: Path, data_dir: Path, repeat_to: int) -> dict[str, Any]:
    """Prediction texts/s per backend on the dev texts repeated to ``repeat_to`` (length-sorted batches, each
    backend warmed up on 16 texts first), with its dev macro-F1 change against torch fp32; a backend this model
    cannot use is recorded with its error."""
    from emotune.config import DataConfig
    from emotune.data.loading import load_like
    from emotune.evaluation.metrics import compute_metrics
    from emotune.inference.backends import load_classifier

    bundle = run_dir / "model"
    reference = load_classifier(bundle, "torch")
    dev = load_like("semeval2018-ec", str(data_dir / "2018-E-c-En-dev.txt"), DataConfig(preset="semeval2018-ec"),
                    reference.schema)  # fmt: skip
    texts, n = list(dev.texts) * -(-repeat_to // len(dev.texts)), len(dev.texts)
    out: dict[str, Any] = {"texts": len(texts)}
    base_f1 = None
    for backend in BACKENDS:
        try:
            started = time.perf_counter()
            clf = reference if backend == "torch" else load_classifier(bundle, backend)
            clf.predict_proba(texts[:16])
            ready = time.perf_counter() - started
            started = time.perf_counter()
            probs = clf.predict_proba(texts)
            rate = len(texts) / (time.perf_counter() - started)
        except Exception as exc:  # recorded, not hidden
            out[backend] = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"}
            continue
        f1 = compute_metrics(dev.y, clf.decide(probs[:n]), reference.schema)["macro_f1"]
        base_f1 = f1 if base_f1 is None else base_f1
        out[backend] = {"texts_per_s": round(rate, 1), "ready_s": round(ready, 1), "dev_macro_f1": round(f1, 4),
                        "macro_f1_delta": round(f1 - base_f1, 4)}  # fmt: skip
        print(backend, out[backend], file=sys.stderr, flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", default=list(RUNS), choices=list(RUNS))
    parser.add_argument("--data-dir", type=Path, default=DATA_ROOT / "semeval2018_ec")
    parser.add_argument("--runs", type=Path, default=Path("runs/bench-catalogue"))
    parser.add_argument("--reuse", action="store_true", help="score RUN folders that finished already")
    parser.add_argument("--speed", action="store_true", help="also prediction texts/s per backend")
    parser.add_argument("--repeat-to", type=int, default=3000, help="texts per backend in --speed")
    parser.add_argument("--epochs", type=int, help="train this many epochs instead of the recipe's (for --speed)")
    args = parser.parse_args()
    for name in args.only:
        key = _key(name, args.epochs)
        print(f"== {key}", file=sys.stderr, flush=True)
        overrides = [*RUNS[name], *([f"epochs={args.epochs}"] if args.epochs else [])]
        result = train(key, overrides, args.data_dir, args.runs, args.reuse)
        if result["reused_existing_run"]:  # the fit's own measurements stay those of the run that trained it
            result |= earlier(key)
        if args.speed:
            result["predict"] = speed(args.runs / f"semeval-{key}", args.data_dir, args.repeat_to)
        report = add_result("catalogue.json", key, result)
    print("| run | held out macro-F1 / Jaccard | with epoch choice | fit | train samples/s |")
    print("|---|---|---|---|---|")
    for name, r in report["results"].items():
        two, epoch = r["dev_two_fold"], r["dev_two_fold_with_epoch_choice"]
        chosen = f"{epoch['macro_f1']:.3f} / {epoch['jaccard']:.3f}" if epoch else "- (one epoch)"
        print(f"| {name} | {two['macro_f1']:.3f} / {two['jaccard']:.3f} | {chosen} | {r['fit_seconds']:.0f} s | "
              f"{r['train_samples_per_s']} |")  # fmt: skip


if __name__ == "__main__":
    main()
