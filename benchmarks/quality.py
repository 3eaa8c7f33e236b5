"""Quality and prediction speed of finished runs, side by side: single models, a cv fold ensemble, its
distilled students, label-aware variants (issue 12's ablation).

For each run folder (``emotune train``, ``cv`` or ``distill``) its bundle scores the preset's dev file. Every
number is held out: thresholds fitted on one half of dev and scored on the other, both ways, averaged
(:func:`emotune.evaluation.score.two_fold`), with the run's own threshold settings, with
``per_label / macro_f1+jaccard`` (the default now) and with the robust rule ``shrunk / macro_f1+jaccard``;
a cv ensemble also reports dev with its out-of-fold thresholds (nothing tuned on dev at all), and a run
trained since 2026-11-25 its ``dev_two_fold_with_epoch_choice`` (the kept epoch chosen held out too). Prediction
speed: texts/s over the dev texts, every model timed in turn in this one process (two rounds, the faster
kept), so the ratios are fair on a noisy machine. Results:
``benchmarks/results/quality.json``.

    python benchmarks/quality.py RUN [RUN ...]     # e.g. runs/bench-quality/semeval-plain
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import add_result  # noqa: E402

from decisions import _dev  # noqa: E402
from emotune import EmotionClassifier, RunConfig, ThresholdCalibrator  # noqa: E402
from emotune.data.presets import settle_autos  # noqa: E402
from emotune.evaluation.metrics import compute_metrics  # noqa: E402
from emotune.evaluation.score import two_fold  # noqa: E402
from emotune.tracking.base import flatten  # noqa: E402

ROBUST = ("shrunk", "macro_f1+jaccard")
BOTH = ("per_label", "macro_f1+jaccard")  # the default since 2026-11-23
REPORTED = ("macro_f1", "jaccard", "micro_f1")


def _pick(scores: dict[str, float]) -> dict[str, float]:
    return {k: round(scores[k], 4) for k in REPORTED if k in scores}


def changed_settings(cfg: RunConfig) -> dict[str, Any]:
    """The run's settings that differ from the defaults, plus its seed: what tells runs apart (and what
    :func:`seed_means` groups by). Data paths and the values a run settles itself (``auto``) are left out; the
    defaults are those of the run's preset (its epochs, language and decision)."""
    preset_defaults = settle_autos(RunConfig.model_validate({"data": {"preset": cfg.data.preset}}))
    ours, default = flatten(cfg.model_dump(mode="json")), flatten(preset_defaults.model_dump(mode="json"))
    settled = ("model.max_length", "train.precision", "train.loss.name")  # settled on the data and the machine
    changed = {k: v for k, v in ours.items() if v != default.get(k) and not k.startswith(("data.", *settled))}
    return {**changed, "train.seed": cfg.train.seed}


def _metrics(run: Path) -> dict[str, Any]:
    """The run's ``metrics.json`` (``emotune blend`` writes it into the bundle folder)."""
    for path in (run / "metrics.json", run / "model" / "metrics.json"):
        if path.exists():
            return dict(json.loads(path.read_text()))
    return {}


def evaluate(run: Path, clf: EmotionClassifier, dev: Any, probs: Any) -> dict[str, Any]:
    metrics = _metrics(run)
    own = clf.calibrator
    robust = ThresholdCalibrator(*ROBUST, own.default)
    result: dict[str, Any] = {
        "kind": clf.model_.kind,
        "config": changed_settings(clf.config),
        "thresholds": f"{own.strategy} / {own.objective}",
        "held_out": _pick(two_fold(dev.y, probs, own, clf.schema)),
        "held_out_robust": _pick(two_fold(dev.y, probs, robust, clf.schema)),
        "held_out_both": _pick(two_fold(dev.y, probs, ThresholdCalibrator(*BOTH, own.default), clf.schema)),
        "fit_seconds": metrics.get("train_seconds"),
    }
    if clf.model_.kind == "ensemble":  # thresholds from out-of-fold train probabilities: dev never seen
        result["dev_oof_thresholds"] = _pick(compute_metrics(dev.y, own.predict(probs), clf.schema))
    if "dev_two_fold_with_epoch_choice" in metrics:  # the run's own rule, the kept epoch chosen held out too
        result["held_out_with_epoch_choice"] = _pick(metrics["dev_two_fold_with_epoch_choice"])
    if "teacher" in metrics:
        result["teacher_held_out"] = _pick(metrics["teacher"]["dev_two_fold"])
    return result


def seed_means(results: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Runs that differ only in their seed, averaged: ``{"run, run, ...": {"seeds": n, rule: {metric: mean}}}``
    (with the spread, max - min, of each mean). Ensembles are left out: their config does not say which
    members they average, so two blends of different runs would look like seeds of one."""
    groups: dict[str, list[str]] = {}
    for name, r in results.items():
        if r["kind"] == "ensemble":
            continue
        key = json.dumps([r["kind"], r["thresholds"], {k: v for k, v in r["config"].items() if k != "train.seed"}])
        groups.setdefault(key, []).append(name)
    means: dict[str, dict[str, Any]] = {}
    for names in groups.values():
        if len(names) < 2:
            continue
        summary: dict[str, Any] = {"seeds": len(names)}
        for rule in ("held_out", "held_out_both", "held_out_robust"):
            values = {m: [results[n][rule][m] for n in names] for m in REPORTED}
            summary[rule] = {m: round(sum(v) / len(v), 4) for m, v in values.items()}
            summary[f"{rule}_spread"] = {m: round(max(v) - min(v), 4) for m, v in values.items()}
        means[", ".join(names)] = summary
    return means


def texts_per_second(clfs: dict[str, EmotionClassifier], texts: list[str], rounds: int = 2) -> dict[str, float]:
    best: dict[str, float] = {}
    for _ in range(rounds):
        for name, clf in clfs.items():
            started = time.perf_counter()
            clf.predict_proba(texts)
            rate = len(texts) / (time.perf_counter() - started)
            best[name] = max(best.get(name, 0.0), round(rate, 1))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--no-speed", action="store_true", help="skip the prediction-speed rounds")
    args = parser.parse_args()
    clfs = {run.name: EmotionClassifier.load(run / "model") for run in args.runs}
    dev = _dev(next(iter(clfs.values())))
    results = {}
    for run in args.runs:
        clf = clfs[run.name]
        results[run.name] = evaluate(run, clf, dev, clf.predict_proba(dev.texts))
    if not args.no_speed:
        for name, rate in texts_per_second(clfs, list(dev.texts)).items():
            results[name]["dev_texts_per_second"] = rate
    for name, result in results.items():
        add_result("quality.json", name, {"dev_rows": len(dev), **result})
    means = seed_means(results)
    for names, summary in means.items():
        add_result("quality.json", f"mean of {names}", summary)
    print(f"\n{len(dev)} dev rows; held out = 2-fold dev")
    print("| run | own rule: macro-F1 | Jaccard | per_label / macro_f1+jaccard: macro-F1 | Jaccard "
          "| shrunk / macro_f1+jaccard: macro-F1 | Jaccard | fit s | texts/s |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        h, b, rb = r["held_out"], r["held_out_both"], r["held_out_robust"]
        print(
            f"| {name} | {h['macro_f1']:.3f} | {h['jaccard']:.3f} | {b['macro_f1']:.3f} | {b['jaccard']:.3f} "
            f"| {rb['macro_f1']:.3f} | {rb['jaccard']:.3f} "
            f"| {r['fit_seconds']} | {r.get('dev_texts_per_second', '')} |"
        )
    for names, m in means.items():
        h, b, rb = m["held_out"], m["held_out_both"], m["held_out_robust"]
        scores = f"{h['macro_f1']:.3f} | {h['jaccard']:.3f} | {b['macro_f1']:.3f} | {b['jaccard']:.3f}"
        print(f"| mean of {m['seeds']} seeds ({names}) | {scores} | {rb['macro_f1']:.3f} | {rb['jaccard']:.3f} | | |")
    chosen = {name: r["held_out_with_epoch_choice"] for name, r in results.items() if "held_out_with_epoch_choice" in r}
    if chosen:
        print("\n| run (own rule) | held out: macro-F1 | Jaccard | epoch also chosen held out: macro-F1 | Jaccard |")
        print("|---|---|---|---|---|")
        for name, c in chosen.items():
            h = results[name]["held_out"]
            print(f"| {name} | {h['macro_f1']:.3f} | {h['jaccard']:.3f} | {c['macro_f1']:.3f} | {c['jaccard']:.3f} |")


if __name__ == "__main__":
    main()
