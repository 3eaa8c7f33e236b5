"""``emotune predict --model BUNDLE TEXT...`` or ``--model BUNDLE --input FILE --output FILE``."""

from __future__ import annotations

import argparse
import json
import re
import sys

from emotune.errors import EmotuneError

_DATA_OVERRIDE = re.compile(r"^data\.[A-Za-z_][\w.]*=")
# emotune.inference.backends.CHOICES, named here so that building the parser imports nothing heavy
BACKENDS = ("saved", "torch", "torch-bf16", "torch-compiled", "torch-bf16-compiled", "onnx", "onnx-int8",
            "onnx-int8-block", "auto")  # fmt: skip
BACKEND_HELP = (
    "runtime: saved (as trained), torch, torch-bf16, torch-compiled, torch-bf16-compiled (torch.compile: "
    "compiles while loading, for long files), onnx (a torch bundle is exported once into the cache; later calls "
    "start in about 2 s, without torch), onnx-int8 (fastest, least exact), onnx-int8-block (int8 in blocks, closer "
    "to fp32) or auto (fastest that holds parity)"
)


def positive_int(value: str) -> int:
    """argparse type: a whole number of at least 1."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return number


def _run(args: argparse.Namespace) -> int:
    from emotune.config import data_overrides
    from emotune.inference.backends import load_classifier
    from emotune.workflows import predict

    options = data_overrides([t for t in args.texts if _DATA_OVERRIDE.match(t)], "predict")
    args.texts = [t for t in args.texts if not _DATA_OVERRIDE.match(t)]
    if bool(args.input) != bool(args.output):
        raise EmotuneError("--input and --output go together: predict --model BUNDLE --input FILE --output FILE")
    if args.input and args.texts:
        raise EmotuneError("give texts as arguments or --input FILE, not both")
    if not args.input and not args.texts:
        raise EmotuneError("nothing to predict: pass texts as arguments or --input FILE --output FILE")
    if args.workers > 1 and not args.input:
        raise EmotuneError("--workers labels an --input file in several processes; texts as arguments run in one")
    if args.input:
        n = predict.predict_file(args.model, args.input, args.output, args.text_column, args.batch_size,
                                 progress=sys.stderr.isatty(), data_options=options, resume=args.resume,
                                 workers=args.workers, backend=args.backend)  # fmt: skip
        print(f"emotune: wrote {n} predictions to {args.output}", file=sys.stderr)
        return 0
    clf = load_classifier(args.model, args.backend)
    for record in predict.predict_texts(clf, args.texts):
        if args.json:
            print(json.dumps(record, ensure_ascii=False))
            continue
        top = sorted(record["probabilities"].items(), key=lambda kv: -kv[1])[:3]
        shown = ", ".join(f"{name} {p:.2f}" for name, p in top)
        print(f"{','.join(record['labels']) or '(none)':<24} [{shown}]  {record['text']}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("predict", help="label texts with a bundle")
    parser.add_argument("--model", required=True, metavar="BUNDLE", help="bundle folder (RUN/model)")
    parser.add_argument("texts", nargs="*", metavar="TEXT",
                        help="texts to label; data.key=value arguments: how to read --input, as for train")  # fmt: skip
    parser.add_argument("--input", metavar="FILE", help=".txt (one text per line), CSV, TSV, JSONL or Parquet")
    parser.add_argument("--output", metavar="FILE", help="predictions as .csv or .jsonl")
    parser.add_argument("--text-column", help="text column of --input (default: data.text_column, i.e. text)")
    parser.add_argument("--batch-size", type=positive_int, default=4096,
                        help="--input rows read, predicted and written at a time (default: 4096)")  # fmt: skip
    parser.add_argument("--resume", action="store_true",
                        help="continue an --output that an interrupted run left unfinished")  # fmt: skip
    parser.add_argument("--workers", type=positive_int, default=1,
                        help="--input: label chunks in N processes, each loading the bundle on its share of the "
                             "cores (default: 1)")  # fmt: skip
    parser.add_argument("--json", action="store_true", help="TEXT mode: one JSON object per line")
    parser.add_argument("--backend", choices=BACKENDS, default="saved", help=BACKEND_HELP + " (default: saved)")
    parser.set_defaults(handler=_run)
