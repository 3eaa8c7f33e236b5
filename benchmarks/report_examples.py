"""The example reports committed under ``docs/examples/`` and the README's report screenshot (issue 14).

1. ``emotune train --config configs/minilm_semeval.yaml`` on SemEval-2018 E-c, tracked to MLflow and TensorBoard
   (the run folder: ``runs/examples/semeval-minilm``; skipped when ``--run`` names an existing one); its report
   is copied to ``docs/examples/semeval-minilm/`` (``report.html`` + ``report/*.png``).
2. ``emotune data inspect --preset goemotions --data-dir ... --report`` (train + dev, MiniLM tokens, max_length
   64 marked): ``docs/examples/goemotions-data/``.
3. ``tests/reports/test_browser.py`` renders the SemEval report in headless Chromium: ``docs/images/report.png``.

    python benchmarks/report_examples.py            # about 15 minutes on 2 cores (the training run)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from common import DATA_ROOT, HERE, machine

ROOT = HERE.parent
DOCS = ROOT / "docs"


def _emotune(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "emotune", "-q", *args], check=True, cwd=ROOT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, default=Path("runs/examples/semeval-minilm"), help="relative to the repo")
    args = parser.parse_args()
    started = time.perf_counter()
    data = os.path.relpath(DATA_ROOT, ROOT)  # relative paths: the committed pages name no local folders
    if not (ROOT / args.run / "model").is_dir():
        _emotune("train", "--config", "configs/minilm_semeval.yaml", "--data-dir", f"{data}/semeval2018_ec",
                 "--output", str(args.run), "--overwrite", "track.to=[mlflow,tensorboard]")  # fmt: skip
    _emotune("report", str(args.run))  # drawn again from the run's files, with this version's figures
    args.run = ROOT / args.run
    semeval = DOCS / "examples" / "semeval-minilm"
    shutil.rmtree(semeval, ignore_errors=True)
    semeval.mkdir(parents=True)
    shutil.copy(args.run / "report.html", semeval / "report.html")
    shutil.copytree(args.run / "report", semeval / "report")
    shutil.copy(args.run / "model" / "README.md", semeval / "model-card.md")

    goemotions = DOCS / "examples" / "goemotions-data"
    shutil.rmtree(goemotions, ignore_errors=True)
    _emotune("data", "inspect", "--preset", "goemotions", "--data-dir", f"{data}/goemotions",
             "--report", str(goemotions.relative_to(ROOT) / "report.html"), "--max-length", "64")  # fmt: skip

    (DOCS / "images").mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, str(ROOT / "tests" / "reports" / "test_browser.py"), str(semeval / "report.html"),
                    str(DOCS / "images" / "report.png")], check=True)  # fmt: skip
    sizes = sum(p.stat().st_size for p in (DOCS / "examples").rglob("*") if p.is_file())
    print(f"{machine()}; docs/examples: {sizes / 1e6:.2f} MB; {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
