"""Task-adaptive pretraining (issue 12): does more masked-language-model training on SemEval's own tweets help?

Gururangan et al. (2020, "Don't Stop Pretraining") report that a few epochs of the MLM objective on a task's
unlabelled training texts (TAPT) lift a classifier fine-tuned afterwards, most where the texts differ from the
pretraining corpus (tweets). all-MiniLM-L6-v2 ships without its MLM head, so the head's transform is new
(its decoder is tied to the word embeddings, as in BERT). The script runs MLM (15% masking, the Hugging Face
collator) over the SemEval train texts, preprocessed as ``emotune train`` preprocesses them, writes the encoder
as a plain Hugging Face folder, and runs the plain SemEval command from it (``model.name=FOLDER``) for each seed.
Nothing from dev is used before scoring. Score the runs, held out, beside the plain ones::

    python benchmarks/tapt.py --epochs 10
    python benchmarks/quality.py runs/bench-tapt/semeval-tapt-s42 runs/bench-tapt/semeval-tapt-s7
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import torch
from common import DATA_ROOT, HERE, add_result, machine, run_cli
from tqdm import tqdm

OUT = HERE.parent / "runs" / "bench-tapt"


def train_texts(extra: list[Path]) -> list[str]:
    """SemEval's train texts (and any extra one-per-line files), preprocessed as ``emotune train`` does."""
    from emotune.config import build_config
    from emotune.data.loading import load_dataset
    from emotune.data.preprocess import Preprocessor
    from emotune.data.presets import settle_autos

    cfg = settle_autos(build_config({"data": {"preset": "semeval2018-ec"}}))
    texts = list(load_dataset(DATA_ROOT / "semeval2018_ec" / "2018-E-c-En-train.txt", "semeval2018-ec").texts)
    for path in extra:
        texts += [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return Preprocessor(cfg.preprocess).transform(texts)


def masked_loss(model: torch.nn.Module, inputs: dict[str, torch.Tensor]) -> torch.Tensor:
    """The MLM loss with the vocabulary projection run on the masked positions only (15% of the tokens):
    the 30,522-word output layer costs as much as the whole encoder when run on every position."""
    labels = inputs["labels"]
    hidden = model.bert(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"]).last_hidden_state
    masked = labels != -100
    logits = model.cls(hidden[masked])
    return torch.nn.functional.cross_entropy(logits.float(), labels[masked])


def adapt(texts: list[str], out: Path, epochs: int, lr: float, batch: int, seed: int) -> dict[str, object]:
    """MLM on ``texts`` starting from the bundled MiniLM; writes the encoder (no MLM head) to ``out``."""
    from transformers import AutoTokenizer, BertForMaskedLM, DataCollatorForLanguageModeling
    from transformers import get_linear_schedule_with_warmup as linear_schedule

    from emotune.models.families import resolve_model_path
    from emotune.models.transformer.precision import cpu_supports_bf16

    torch.manual_seed(seed)
    source = resolve_model_path("minilm")
    tokenizer = AutoTokenizer.from_pretrained(source)
    model = BertForMaskedLM.from_pretrained(source)  # the encoder's weights; the head's transform starts fresh
    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=0.15)
    encoded = tokenizer(texts, truncation=True, max_length=64)["input_ids"]
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    steps = epochs * math.ceil(len(encoded) / batch)
    schedule = linear_schedule(optimizer, int(0.06 * steps), steps)
    bf16 = cpu_supports_bf16()  # as `precision: auto` decides for the fine-tune
    losses: list[float] = []
    model.train()
    started = time.perf_counter()
    with tqdm(total=steps, desc="MLM", unit="step") as bar:
        for _ in range(epochs):
            order = torch.randperm(len(encoded)).tolist()
            total, count = 0.0, 0
            for i in range(0, len(order), batch):
                inputs = collator([{"input_ids": encoded[j]} for j in order[i : i + batch]])
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                    loss = masked_loss(model, inputs)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                schedule.step()
                optimizer.zero_grad()
                total, count = total + loss.item(), count + 1
                bar.update()
                bar.set_postfix(loss=f"{total / count:.3f}")
            losses.append(total / count)
    seconds = time.perf_counter() - started
    model.bert.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return {"mlm_seconds": round(seconds, 1), "mlm_loss_per_epoch": [round(x, 3) for x in losses]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10, help="MLM epochs over the texts")
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--extra", type=Path, nargs="*", default=[], help="more unlabelled texts, one per line")
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 7])
    parser.add_argument("--name", default="tapt", help="folder names: runs/bench-tapt/NAME-encoder, semeval-NAME-sSEED")
    args = parser.parse_args()
    texts = train_texts(args.extra)
    encoder = OUT / f"{args.name}-encoder"
    record = {
        "command": "python benchmarks/tapt.py " + " ".join(sys.argv[1:]),
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d"),
        "texts": len(texts),
        **vars(args),
        "extra": [str(p) for p in args.extra],
    }
    record |= adapt(texts, encoder, args.epochs, args.lr, args.batch, seed=42)
    for seed in args.seeds:
        seconds = run_cli(["train", "--preset", "semeval2018-ec", "--data-dir", str(DATA_ROOT / "semeval2018_ec"),
                           "--output", str(OUT / f"semeval-{args.name}-s{seed}"), "--overwrite",
                           f"model.name={encoder}", f"seed={seed}"])  # fmt: skip
        record[f"train_seconds_s{seed}"] = round(seconds, 1)
        print(f"semeval-{args.name}-s{seed}: {seconds:.0f} s", flush=True)
    add_result("tapt.json", args.name, record)


if __name__ == "__main__":
    main()
