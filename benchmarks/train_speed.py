"""Training throughput of ``emotune train`` against the plain alternatives, measured side by side.

Same model (the bundled MiniLM), same SemEval E-c training rows, batch size and max length, one epoch each:

- ``emotune``: :class:`emotune.models.transformer.model.TransformerModel` (Trainer subclass, dynamic padding,
  length-grouped batches, precision ``auto``);
- ``emotune + LoRA``: the same with ``peft=lora`` (r 16 on query/value; the head trained in full);
- ``hand loop``: a minimal PyTorch loop as people write it: random batches padded per batch, AdamW, linear
  schedule, BCE;
- ``Trainer defaults``: ``AutoModelForSequenceClassification`` + ``Trainer`` with default arguments and the
  tokenizer called with ``padding="max_length"``.

Each setup runs ``--repeats`` times, interleaved, and the median samples/s is reported, so that a noisy
shared machine affects all three alike. Each timing covers model loading, tokenization and the epoch.

    python benchmarks/train_speed.py [--rows 1600] [--repeats 2]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import machine  # noqa: E402

from emotune import RunConfig, load_dataset  # noqa: E402
from emotune.models import build_model  # noqa: E402
from emotune.models.families import resolve_model_path  # noqa: E402
from emotune.settling import settle  # noqa: E402


def emotune_fit(texts: list[str], y: np.ndarray, schema, batch: int, max_length: int, peft: str = "none") -> None:  # type: ignore[no-untyped-def]
    model = {"name": "minilm", "max_length": max_length, "peft": {"method": peft}}
    cfg = settle(RunConfig.model_validate({"model": model, "train": {"epochs": 1, "batch_size": batch}}))
    build_model(cfg).fit(texts, y, schema, dev=None, work_dir=None)


def emotune_lora(texts: list[str], y: np.ndarray, schema, batch: int, max_length: int) -> None:  # type: ignore[no-untyped-def]
    emotune_fit(texts, y, schema, batch, max_length, peft="lora")


def hand_loop(texts: list[str], y: np.ndarray, schema, batch: int, max_length: int) -> None:  # type: ignore[no-untyped-def]
    from transformers import AutoModel, AutoTokenizer, get_linear_schedule_with_warmup

    path = resolve_model_path("minilm")
    tokenizer = AutoTokenizer.from_pretrained(path)
    encoder = AutoModel.from_pretrained(path)
    head = torch.nn.Linear(encoder.config.hidden_size, y.shape[1])
    params = list(encoder.parameters()) + list(head.parameters())
    optimizer = torch.optim.AdamW(params, lr=5e-5, weight_decay=0.01)
    steps = (len(texts) + batch - 1) // batch
    scheduler = get_linear_schedule_with_warmup(optimizer, int(0.1 * steps), steps)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    order = np.random.default_rng(0).permutation(len(texts))
    encoder.train()
    for start in range(0, len(texts), batch):
        idx = order[start : start + batch]
        enc = tokenizer([texts[i] for i in idx], padding=True, truncation=True, max_length=max_length,
                        return_tensors="pt")  # fmt: skip
        hidden = encoder(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).float()
        logits = head((hidden * mask).sum(1) / mask.sum(1))
        loss = loss_fn(logits, torch.as_tensor(y[idx], dtype=torch.float32))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()


def trainer_defaults(texts: list[str], y: np.ndarray, schema, batch: int, max_length: int) -> None:  # type: ignore[no-untyped-def]
    import tempfile

    import datasets
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, Trainer, TrainingArguments

    path = resolve_model_path("minilm")
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSequenceClassification.from_pretrained(
        path, num_labels=y.shape[1], problem_type="multi_label_classification"
    )
    enc = tokenizer(texts, padding="max_length", truncation=True, max_length=max_length)
    data = datasets.Dataset.from_dict({**enc, "labels": y.astype(np.float32).tolist()})
    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(output_dir=out, num_train_epochs=1, per_device_train_batch_size=batch,
                                 report_to="none", save_strategy="no", disable_tqdm=True, use_cpu=True)  # fmt: skip
        Trainer(model=model, args=args, train_dataset=data).train()


SETUPS = {
    "emotune": emotune_fit,
    "emotune + LoRA": emotune_lora,
    "hand loop": hand_loop,
    "Trainer defaults (max_length padding)": trainer_defaults,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(HERE.parent.parent / "shared/data/semeval2018_ec/2018-E-c-En-train.txt"))
    parser.add_argument("--rows", type=int, default=1600)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=96)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()

    dataset = load_dataset(args.data, preset="semeval2018-ec").subset(range(args.rows))
    from emotune.data.preprocess import Preprocessor

    texts = Preprocessor().transform(dataset.texts)
    seconds: dict[str, list[float]] = {name: [] for name in SETUPS}
    for _ in range(args.repeats):
        for name, fit in SETUPS.items():
            torch.manual_seed(0)
            started = time.perf_counter()
            fit(texts, dataset.y, dataset.schema, args.batch_size, args.max_length)
            seconds[name].append(time.perf_counter() - started)
            print(f"{name}: {seconds[name][-1]:.1f} s", file=sys.stderr)

    rate = {name: args.rows / statistics.median(s) for name, s in seconds.items()}
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": machine(),
        "torch_threads": torch.get_num_threads(),
        "settings": {k: getattr(args, k) for k in ("rows", "batch_size", "max_length", "repeats")},
        "seconds": seconds,
        "samples_per_second": {k: round(v, 1) for k, v in rate.items()},
        "ratio_vs_emotune": {k: round(rate["emotune"] / v, 2) for k, v in rate.items()},
    }
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "train_speed.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"{report['date']}, {report['machine']}, {args.rows} rows, batch {args.batch_size}, "
          f"max length {args.max_length}, median of {args.repeats}")  # fmt: skip
    print("| setup | samples/s | emotune is faster by |\n|---|---|---|")
    for name in SETUPS:
        print(f"| {name} | {rate[name]:.1f} | {rate['emotune'] / rate[name]:.2f}x |")


if __name__ == "__main__":
    main()
