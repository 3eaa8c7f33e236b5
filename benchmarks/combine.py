"""Combining datasets with label masks (issue 15): does another dataset help, and what is masking worth?

Parts (``--only``; all by default):

- ``russian``: CEDR with TF-IDF (dev: 10% split off its train, seed 42; CEDR has no dev file), alone and with
  ru-izard-emotions train mapped onto CEDR's 5 labels (joy, sadness, surprise, fear, anger: every CEDR label
  has an Izard counterpart, so nothing is masked; masked and negative give the same rows).
- ``semeval``: MiniLM on SemEval-2018 E-c alone, plus GoEmotions train mapped onto SemEval's labels
  (``configs/combine_semeval_goemotions.yaml``: anticipation, pessimism and trust are not annotated by
  GoEmotions), once with those labels masked and once with them as negatives (``unmapped: negative``).
  Each run: 2 epochs, max_length 64, lr 1e-4, otherwise the defaults.
- ``semeval-dair``: MiniLM on SemEval-2018 E-c plus dair-emotion train (16,000 English tweets, one of 6 labels
  each, all six SemEval labels too; anticipation, disgust, optimism, pessimism and trust masked), with the full
  defaults (up to 5 epochs, ``max_length: auto``).

Every score is on the primary dataset's dev rows: calibrated (thresholds tuned on dev), and the held-out
estimate (thresholds tuned on one half of dev, scored on the other, both ways). Per-label F1 from the run.

    python benchmarks/combine.py --only russian semeval semeval-dair
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import yaml
from common import DATA_ROOT, HERE, add_result, run_cli

ROOT = HERE.parent
OUT = ROOT / "runs" / "bench-combine"
RESULTS = "combine.json"


def _summary(run_dir: Path, seconds: float) -> dict[str, Any]:
    m = json.loads((run_dir / "metrics.json").read_text())
    keys = ("macro_f1", "micro_f1", "jaccard")
    return {
        "dev_calibrated": {k: m["dev"][k] for k in keys},
        "dev_two_fold": {k: m["dev_two_fold"][k] for k in keys},
        "per_label_f1": {r["label"]: r["f1"] for r in m["per_label"]},
        "train_rows": m["train_rows"],
        "sources": m.get("sources"),
        "wall_seconds": round(seconds, 1),
    }


def _run(name: str, config: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    seconds = run_cli(["train", "--config", str(path), "--output", str(OUT / name), "--overwrite", *overrides])
    result = _summary(OUT / name, seconds) | {"config": config, "overrides": overrides}
    add_result(RESULTS, name, result)
    print(f"{name}: dev macro-F1 {result['dev_calibrated']['macro_f1']:.4f} calibrated, "
          f"{result['dev_two_fold']['macro_f1']:.4f} held out; {seconds:.0f} s", flush=True)  # fmt: skip
    return result


def russian() -> None:
    cedr = {"preset": "cedr", "data_dir": str(DATA_ROOT / "cedr")}
    izard = {"preset": "ru-izard-emotions", "data_dir": str(DATA_ROOT / "ru_izard_emotions"),
             "label_map": {n: n for n in ("joy", "sadness", "surprise", "fear", "anger")}}  # fmt: skip
    base = {"model": {"name": "tfidf"}, "preprocess": {"language": "ru"}}
    _run("cedr-tfidf", {"data": cedr, **base}, [])
    _run("cedr-plus-izard-tfidf", {"data": {**cedr, "sources": [izard]}, **base}, [])


def semeval() -> None:
    combined = yaml.safe_load((ROOT / "configs" / "combine_semeval_goemotions.yaml").read_text())
    combined["data"]["data_dir"] = str(DATA_ROOT / "semeval2018_ec")
    combined["data"]["sources"][0]["data_dir"] = str(DATA_ROOT / "goemotions")
    common = ["epochs=2", "max_length=64", "lr=1e-4"]
    alone = {**combined, "data": {k: v for k, v in combined["data"].items() if k != "sources"}}
    _run("semeval-minilm", alone, common)
    _run("semeval-plus-goemotions-masked", combined, common)
    negative = yaml.safe_load(yaml.safe_dump(combined))
    negative["data"]["sources"][0]["unmapped"] = "negative"
    _run("semeval-plus-goemotions-negative", negative, common)


def semeval_dair() -> None:
    """SemEval plus the 16,000 dair-emotion tweets (6 of its labels; the other 5 masked), the full defaults."""
    dair = {"preset": "dair-emotion", "data_dir": str(DATA_ROOT / "dair_emotion"), "unmapped": "mask",
            "label_map": {n: [n] for n in ("anger", "fear", "joy", "love", "sadness", "surprise")}}  # fmt: skip
    data = {"preset": "semeval2018-ec", "data_dir": str(DATA_ROOT / "semeval2018_ec"), "sources": [dair]}
    _run("semeval-plus-dair-masked", {"data": data}, [])


PARTS = {"russian": russian, "semeval": semeval, "semeval-dair": semeval_dair}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", choices=list(PARTS), default=list(PARTS))
    args = parser.parse_args()
    started = time.perf_counter()
    for part in args.only:
        PARTS[part]()
    print(f"done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
