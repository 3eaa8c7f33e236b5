"""Intermediate-task transfer (issue 12): does MiniLM fine-tuned on GoEmotions first make a better SemEval model?

The encoder of a finished GoEmotions bundle (``emotune train --preset goemotions ... epochs=3``) is written out
as a plain Hugging Face folder (its config, tokenizer and the ``encoder.*`` weights; the 28-label head is
dropped), and the plain SemEval command starts from it (``model.name=FOLDER``) for seeds 42 and 7. Score the
runs, held out, side by side with the plain ones::

    python benchmarks/transfer.py --goemotions runs/q/go-minilm-e3
    python benchmarks/quality.py runs/bench-transfer/semeval-go-s42 runs/bench-transfer/semeval-go-s7
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from common import DATA_ROOT, HERE, run_cli

OUT = HERE.parent / "runs" / "bench-transfer"


def encoder_folder(run: Path, out: Path) -> Path:
    """The bundle's encoder as a folder ``AutoModel.from_pretrained`` reads: config + tokenizer + weights."""
    from safetensors.torch import load_file, save_file

    weights = load_file(run / "model" / "model.safetensors")
    encoder = {k.removeprefix("encoder."): v.contiguous() for k, v in weights.items() if k.startswith("encoder.")}
    shutil.copytree(run / "model" / "encoder", out, dirs_exist_ok=True)
    save_file(encoder, str(out / "model.safetensors"), metadata={"format": "pt"})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--goemotions", type=Path, required=True, help="a finished GoEmotions MiniLM run folder")
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 7])
    args = parser.parse_args()
    start = encoder_folder(args.goemotions, OUT / "goemotions-encoder")
    for seed in args.seeds:
        seconds = run_cli(["train", "--preset", "semeval2018-ec", "--data-dir", str(DATA_ROOT / "semeval2018_ec"),
                           "--output", str(OUT / f"semeval-go-s{seed}"), "--overwrite", f"model.name={start}",
                           f"seed={seed}"])  # fmt: skip
        print(f"semeval-go-s{seed}: {seconds:.0f} s", flush=True)


if __name__ == "__main__":
    main()
