"""Blends of DailyDialog next-turn forecasters (issue 12): TF-IDF and MiniLM models of different context, averaged.

Each member's validation probabilities are computed once, on its own dialogue view (its own turns of context,
as an ``emotune blend`` ensemble feeds it). Every combination of members (one alone too) is averaged with equal
weights (nothing tuned), and each decision rule is fitted on one half of validation and scored on the other,
both ways, averaged, dialogues kept whole (as in ``decisions.py``). Every combination is reported, not only
the best: picking one among them is itself a choice made on validation. ``--build A,B,...`` then makes that
combination with ``emotune blend`` and scores the bundle with ``decisions.py``, so the toolkit's ensemble is
checked to give the same numbers. ``--select`` scores the choice itself: the best combination on one half of
validation, scored on the other. Results: ``benchmarks/results/dialogue_blends.json``.

    python benchmarks/dialogue_blends.py --members tfidf-k2=runs/q/dd-next-tfidf-k2 \\
        minilm-k2=runs/bench-dialogue/minilm-next_turn-k2 ... [--build tfidf-k2,minilm-k2]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np
from common import DATA_ROOT, HERE, add_result, machine, run_cli

from decisions import _dev_probabilities, evaluate_probabilities, evaluate_run
from emotune import EmotionClassifier, ThresholdCalibrator
from emotune.data.labels import LabelSchema

OUT = HERE.parent / "runs" / "bench-dialogue"
TARGETS = {"macro_f1": 0.28, "balanced_accuracy": 0.42}  # issue 12, each at its own operating point


def rule_scores(result: dict) -> dict[str, dict[str, float]]:
    return {row["decision"]: {k: round(v, 4) for k, v in row.items() if k != "decision"} for row in result["rules"]}


def summary(combos: dict[str, dict], members: list[str]) -> dict[str, dict[str, float]]:
    """Per group of combinations (single models; blends with / without each member): the median and best
    held-out score of each target metric at its own operating point, how many combinations there are and how
    many of them reach the issue's target (:data:`TARGETS`)."""
    groups = {"single models": [c for c in combos if "," not in c], "blends": [c for c in combos if "," in c]}
    for member in members:
        groups[f"blends with {member}"] = [c for c in groups["blends"] if member in c.split(",")]
        groups[f"blends without {member}"] = [c for c in groups["blends"] if member not in c.split(",")]
    out = {}
    for group, names in groups.items():
        if names:
            row: dict[str, float] = {"combinations": len(names)}
            for metric in ("macro_f1", "balanced_accuracy"):
                values = [combos[c][metric][metric] for c in names]
                row[f"{metric}_median"], row[f"{metric}_best"] = round(float(np.median(values)), 3), max(values)
                row[f"{metric}_reaching_target"] = sum(v >= TARGETS[metric] for v in values)
            out[group] = row
    return out


def select_on_half(probs: dict[str, np.ndarray], y: np.ndarray, groups: np.ndarray | None, schema: LabelSchema
                   ) -> dict[str, dict]:  # fmt: skip
    """The honest score of *choosing* a combination: on each half of validation (the halves of ``two_fold``),
    every combination's offsets are fitted and the one scoring best on that half is kept; it is then scored on
    the other half. Both ways, averaged, for each target metric at its own operating point."""
    from emotune.evaluation.metrics import compute_metrics
    from emotune.evaluation.score import halves

    names = list(probs)
    combos = [c for size in range(1, len(names) + 1) for c in itertools.combinations(names, size)]
    out = {}
    for metric in TARGETS:
        chosen = []
        for fit_idx, score_idx in halves(y, schema, groups):
            fits = []
            for combo in combos:
                mean = np.mean([probs[n] for n in combo], axis=0)
                cal = ThresholdCalibrator(decision=metric).fit(mean[fit_idx], y[fit_idx], schema)
                fits.append((cal.score_, combo, cal, mean))
            value, combo, cal, mean = max(fits, key=lambda f: f[0])  # the first on a tie
            held = compute_metrics(y[score_idx], cal.predict(mean[score_idx]), schema)[metric]
            chosen.append({"chosen": ",".join(combo), "on_its_half": round(value, 4), "held_out": round(held, 4)})
        out[metric] = {"held_out": round(float(np.mean([h["held_out"] for h in chosen])), 4), "halves": chosen}
        print(f"{metric}: chosen on one half, scored on the other: {out[metric]['held_out']:.3f}", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", nargs="+", required=True, metavar="NAME=RUN", help="finished next-turn runs")
    parser.add_argument("--summary", action="store_true", help="only print the summary of the stored results")
    parser.add_argument("--select", action="store_true", help="only score choosing the best combination on one "
                        "half of validation for the other (result: --entry)")  # fmt: skip
    parser.add_argument("--entry", default="next-turn-selected-on-half", help="the result's name with --select")
    parser.add_argument("--build", nargs="*", default=[], metavar="A,B", help="combinations to make with emotune blend")
    args = parser.parse_args()
    started = time.perf_counter()
    runs = dict(item.split("=", 1) for item in args.members)
    if args.summary:
        stored = json.loads((HERE / "results" / "dialogue_blends.json").read_text())["results"]["next-turn"]
        print(json.dumps(summary(stored["combinations"], list(runs)), indent=2))
        return
    clfs = {name: EmotionClassifier.load(Path(run) / "model") for name, run in runs.items()}
    probs, y, groups = {}, None, None
    for name, run in runs.items():
        gold, probs[name], groups = _dev_probabilities(Path(run), clfs[name])
        assert y is None or np.array_equal(gold, y), f"{name}: validation rows differ from the other members'"
        y = gold
        print(f"{name}: probabilities of {len(gold)} validation targets", flush=True)
    reference = next(iter(clfs.values()))
    if args.select:
        add_result("dialogue_blends.json", args.entry, {
            "command": "python benchmarks/dialogue_blends.py " + " ".join(sys.argv[1:]), "machine": machine(),
            "members": runs, **select_on_half(probs, y, groups, reference.schema),
            "seconds": round(time.perf_counter() - started, 1)})  # fmt: skip
        return
    combos: dict[str, dict] = {}
    names = list(runs)
    for size in range(1, len(names) + 1):
        for combo in itertools.combinations(names, size):
            mean = np.mean([probs[n] for n in combo], axis=0)
            scores = combos[",".join(combo)] = rule_scores(evaluate_probabilities(reference, y, mean, groups))
            print(f"{','.join(combo)}: macro_f1 rule {scores['macro_f1']['macro_f1']:.3f}, balanced_accuracy rule "
                  f"{scores['balanced_accuracy']['balanced_accuracy']:.3f}", flush=True)  # fmt: skip
    built = {}
    for combo in args.build:
        out = OUT / f"blend-{combo.replace(',', '+')}"
        members = [str(Path(runs[n]) / "model") for n in combo.split(",")]
        data = DATA_ROOT / "dailydialog" / "validation"
        seconds = run_cli(["blend", "--models", *members, "--weights", *["1"] * len(members), "--data", str(data),
                           "--output", str(out / "model")])  # fmt: skip
        built[combo] = {"blend_seconds": round(seconds, 1), "bundle": str(out / "model"),
                        "rules": rule_scores(evaluate_run(out))}  # fmt: skip
        print(f"built {combo}: {built[combo]['rules']}", flush=True)
    add_result("dialogue_blends.json", "next-turn", {
        "command": "python benchmarks/dialogue_blends.py " + " ".join(sys.argv[1:]), "machine": machine(),
        "members": runs, "validation_targets": len(y), "summary": summary(combos, names), "combinations": combos,
        "built": built,
        "seconds": round(time.perf_counter() - started, 1)})  # fmt: skip


if __name__ == "__main__":
    main()
