"""Issue 35 item 2: MPNet's quality at MiniLM's speed, by distilling an MPNet bundle into a MiniLM student.

    python benchmarks/distill_mpnet.py --teacher runs/bench-mpnet/semeval-base/model [--only unlabelled plain]
                                       [--per-source 5000] [--teacher-weight 0.5] [--reuse] [--speed]

Each row is ``emotune distill --teacher TEACHER --preset semeval2018-ec --data-dir DIR --output RUN`` (the student
is the default model, MiniLM, with its own recipe) plus what its name says:

- ``plain``: the teacher labels SemEval's training texts only;
- ``unlabelled``: also ``--unlabelled FILE``, in-domain texts with their labels dropped: ``--per-source`` texts
  drawn (seed 0) from each of the dair-ai emotion tweets and the GoEmotions Reddit comments in ``../shared/data``
  (their training files; nothing of SemEval's dev or test).

Scores are each run's own held-out estimates (``metrics.json``, thresholds and the epoch chosen on one half of dev,
scored on the other, both ways); the teacher's held-out scores on the same dev come from the same file.
``--speed`` then measures, side by side in one process on the SemEval dev texts: the ``transformers`` pipeline as
usually called (one text at a time, the plain alternative for the student's network), the student through emotune
(``saved`` and ``auto`` backends) and the teacher (``saved``).

Results: ``benchmarks/results/distill_mpnet.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from catalogue import earlier, kept_scores, train  # noqa: E402
from common import DATA_ROOT, add_result, machine  # noqa: E402

from emotune.models.transformer.precision import auto_precision  # noqa: E402

RESULTS = "distill_mpnet.json"


def unlabelled_file(per_source: int, folder: Path) -> Path:
    """``per_source`` texts from each of the dair-ai tweets and the GoEmotions comments, labels dropped, as a CSV
    with a ``text`` column (written once per size)."""
    path = folder / f"unlabelled-{per_source}.csv"
    if path.is_file():
        return path
    dair = (DATA_ROOT / "dair_emotion" / "train.txt").read_text(encoding="utf-8").splitlines()[1:]
    goemotions = (DATA_ROOT / "goemotions" / "train.tsv").read_text(encoding="utf-8").splitlines()
    sources = [[line.rsplit(";", 1)[0] for line in dair], [line.split("\t")[0] for line in goemotions]]
    texts = [text for source in sources for text in random.Random(0).sample(source, per_source)]
    folder.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text"])
        writer.writerows([text] for text in texts)
    return path


def speed(student: Path, teacher: Path, data_dir: Path) -> dict[str, Any]:
    """texts/s on the SemEval dev texts, one process, one after the other: the pipeline per text (plain MiniLM),
    the student through emotune's ``saved`` and ``auto`` backends, the teacher as saved."""
    from emotune.config import DataConfig
    from emotune.data.loading import load_like
    from emotune.inference.backends import load_classifier
    from inference import plain_alternatives, rate

    reference = load_classifier(student, "saved")
    dev = load_like("semeval2018-ec", str(data_dir / "2018-E-c-En-dev.txt"), DataConfig(preset="semeval2018-ec"),
                    reference.schema)  # fmt: skip
    texts = list(dev.texts)
    out: dict[str, Any] = {"texts": len(texts)}
    out["pipeline_per_text"] = plain_alternatives(student, texts)["pipeline_per_text"]
    for name, bundle, backend in (("student_saved", student, "saved"), ("student_auto", student, "auto"),
                                  ("teacher_saved", teacher, "saved")):  # fmt: skip
        clf = load_classifier(bundle, backend)
        _, texts_per_s = rate(clf.predict_proba, texts)
        out[name] = round(texts_per_s, 1)
        print(name, out[name], file=sys.stderr, flush=True)
    out["student_auto_vs_pipeline"] = round(out["student_auto"] / out["pipeline_per_text"], 2)
    out["student_saved_vs_pipeline"] = round(out["student_saved"] / out["pipeline_per_text"], 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--teacher", type=Path, default=Path("runs/bench-mpnet/semeval-base/model"))
    parser.add_argument("--only", nargs="+", default=["unlabelled"], choices=["plain", "unlabelled"])
    parser.add_argument("--per-source", type=int, default=5000, help="unlabelled texts from each source")
    parser.add_argument("--teacher-weight", type=float, default=0.5, help="distill.teacher_weight")
    parser.add_argument("--data-dir", type=Path, default=DATA_ROOT / "semeval2018_ec")
    parser.add_argument("--runs", type=Path, default=Path("runs/bench-distill"))
    parser.add_argument("--reuse", action="store_true", help="score RUN folders that finished already")
    parser.add_argument("--speed", action="store_true", help="texts/s of student, teacher and pipeline")
    args = parser.parse_args()
    for name in args.only:
        key = f"{name}-{args.per_source}" if name == "unlabelled" else name
        key += f"-w{args.teacher_weight:g}"
        command = ["distill", "--teacher", str(args.teacher), "--preset", "semeval2018-ec", "--data-dir",
                   str(args.data_dir)]  # fmt: skip
        if name == "unlabelled":
            command += ["--unlabelled", str(unlabelled_file(args.per_source, args.runs))]
        print(f"== {key}", file=sys.stderr, flush=True)
        started = time.strftime("%H:%M UTC", time.gmtime())
        result = {"machine": machine(), "precision": auto_precision(), "started": started,
                  **train(key, [f"distill.teacher_weight={args.teacher_weight}"], args.data_dir, args.runs,
                          args.reuse, command=command)}  # fmt: skip
        if result["reused_existing_run"]:
            result |= earlier(key, RESULTS)
        metrics = json.loads((args.runs / f"semeval-{key}" / "metrics.json").read_text())
        teacher = metrics.get("teacher", {})
        held_out = kept_scores(teacher.get("dev_two_fold")) or {}
        result["teacher"] = {"bundle": teacher.get("bundle"), "dev_two_fold": held_out}
        if args.speed:
            result["speed"] = speed(args.runs / f"semeval-{key}" / "model", args.teacher, args.data_dir)
        report = add_result(RESULTS, key, result)
    print("| row | student held out macro-F1 / Jaccard (with epoch choice) | teacher held out | fit |")
    print("|---|---|---|---|")
    for key, r in report["results"].items():
        chosen, teacher = r["dev_two_fold_with_epoch_choice"] or r["dev_two_fold"], r["teacher"]["dev_two_fold"]
        print(
            f"| {key} | {chosen['macro_f1']:.3f} / {chosen['jaccard']:.3f} | "
            f"{teacher.get('macro_f1', 0):.3f} / {teacher.get('jaccard', 0):.3f} | {r['fit_seconds']:.0f} s |"
        )


if __name__ == "__main__":
    main()
