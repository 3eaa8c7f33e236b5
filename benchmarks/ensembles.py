"""Cross-validation fold ensembles and blends on SemEval-2018 E-c (dev never used for training or tuning).

    python benchmarks/ensembles.py --only semeval-cv5      # MiniLM recipe, 5 folds of train, 3 epochs each
    python benchmarks/ensembles.py --only semeval-blend    # TF-IDF baseline + MiniLM bundles, weights on dev
    python benchmarks/ensembles.py --only semeval-blend-oof  # TF-IDF 5-fold CV + the MiniLM one, weights on
                                                             # out-of-fold probabilities, scored on dev

``semeval-cv5`` calls ``emotune cv`` with ``configs/minilm_semeval.yaml`` (at most 3 epochs per fold to fit a
session on 2 cores): per-fold macro-F1 on the held-out fold, thresholds from the out-of-fold probabilities,
and the fold ensemble scored on the official dev set. Results accumulate in
``benchmarks/results/ensembles.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from common import DATA_ROOT, add_result, run_cli, two_fold_dev

from emotune import EmotionClassifier, ThresholdCalibrator
from emotune.config import DataConfig
from emotune.data.loading import load_like
from emotune.evaluation.score import score

SEMEVAL = DATA_ROOT / "semeval2018_ec"


def semeval_cv5(out_root: Path, reuse: bool) -> dict[str, object]:
    run_dir = out_root / "semeval-cv5"
    args = ["cv", "--config", "configs/minilm_semeval.yaml", "--data-dir", str(SEMEVAL), "--output", str(run_dir),
            "--folds", "5", "epochs=3"]  # fmt: skip
    reused = reuse and (run_dir / "metrics.json").is_file()
    wall = None if reused else round(run_cli(args), 1)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    # for a like-for-like line with the single model: thresholds re-tuned on dev, and on one half of dev
    # scored on the other (benchmarks/encoder.py reports the single model the same two ways)
    clf = EmotionClassifier.load(run_dir / "model")
    dev = load_like("semeval2018-ec", str(SEMEVAL / "2018-E-c-En-dev.txt"), DataConfig(preset="semeval2018-ec"),
                    clf.schema)  # fmt: skip
    probs = clf.predict_proba(dev.texts)
    on_dev = ThresholdCalibrator.from_config(clf.config.thresholds).fit(probs, dev.y, clf.schema)
    return {"name": "semeval-cv5", "wall_seconds": wall, "reused_existing_run": reused,
            "fit_seconds": metrics["train_seconds"], "folds": metrics["folds"],
            "folds_summary": metrics["folds_summary"], "per_label_f1_summary": metrics["per_label_f1_summary"],
            "oof": metrics["oof"], "dev_ensemble": metrics["dev"]["ensemble"],
            "dev_ensemble_thresholds_tuned_on_dev": score(dev.y, probs, on_dev, clf.schema)["dev"],
            "dev_ensemble_two_fold": two_fold_dev(clf, probs, dev),
            "dev_fold_models_macro_f1": [m["macro_f1"] for m in metrics["dev"]["fold_models"]],
            "command": "emotune " + " ".join(args)}  # fmt: skip


# The members of the blend: the runs of ``benchmarks/baselines.py --only semeval2018-ec`` and
# ``benchmarks/encoder.py --only semeval`` (run those first).
BLEND_MEMBERS = ("runs/bench-baselines/semeval2018-ec/model", "runs/bench-encoder/semeval/model")


def semeval_blend(out_root: Path, reuse: bool) -> dict[str, object]:
    missing = [m for m in BLEND_MEMBERS if not (Path(m) / "emotune.json").is_file()]
    if missing:
        sys.exit(f"missing {missing}: run benchmarks/baselines.py --only semeval2018-ec and "
                 "benchmarks/encoder.py --only semeval first")  # fmt: skip
    out = out_root / "semeval-blend"
    args = ["blend", "--models", *BLEND_MEMBERS, "--data", str(SEMEVAL / "2018-E-c-En-dev.txt"), "--output", str(out)]
    wall = round(run_cli(args), 1)
    metrics = json.loads((out / "emotune.json").read_text())["metrics"]
    return {"name": "semeval-blend", "wall_seconds": wall, **metrics, "command": "emotune " + " ".join(args)}


def semeval_blend_oof(out_root: Path, reuse: bool) -> dict[str, object]:
    """TF-IDF cross-validated on the same 5 folds as semeval-cv5, blended with it on out-of-fold probabilities."""
    minilm = out_root / "semeval-cv5"
    if not (minilm / "oof_probabilities.csv").is_file():
        sys.exit(f"missing {minilm}: run --only semeval-cv5 first")
    tfidf = out_root / "semeval-cv5-tfidf"
    cv_args = ["cv", "--preset", "semeval2018-ec", "--data-dir", str(SEMEVAL), "--output", str(tfidf), "--folds", "5",
               "model=tfidf"]  # fmt: skip
    cv_wall = None if reuse and (tfidf / "metrics.json").is_file() else round(run_cli(cv_args), 1)
    out = out_root / "semeval-blend-oof"
    args = ["blend", "--models", str(tfidf / "model"), str(minilm / "model"), "--oof", "--data",
            str(SEMEVAL / "2018-E-c-En-dev.txt"), "--output", str(out)]  # fmt: skip
    wall = round(run_cli(args), 1)
    metrics = json.loads((out / "emotune.json").read_text())["metrics"]
    tfidf_cv = json.loads((tfidf / "metrics.json").read_text())
    return {"name": "semeval-blend-oof", "tfidf_cv_wall_seconds": cv_wall, "blend_wall_seconds": wall,
            "tfidf_folds_summary": tfidf_cv["folds_summary"], "tfidf_dev_ensemble": tfidf_cv["dev"]["ensemble"],
            **metrics, "commands": ["emotune " + " ".join(cv_args), "emotune " + " ".join(args)]}  # fmt: skip


RUNS = {"semeval-cv5": semeval_cv5, "semeval-blend": semeval_blend, "semeval-blend-oof": semeval_blend_oof}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", required=True, choices=sorted(RUNS))
    parser.add_argument("--runs", default="runs/bench-ensembles")
    parser.add_argument("--reuse", action="store_true", help="score RUN folders that finished already")
    args = parser.parse_args()
    for name in args.only:
        print(f"running {name} ...", file=sys.stderr)
        report = add_result("ensembles.json", name, RUNS[name](Path(args.runs), args.reuse))
        print(json.dumps(report["results"][name], indent=2)[:2000])


if __name__ == "__main__":
    main()
