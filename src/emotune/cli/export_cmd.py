"""``emotune export --model BUNDLE --format onnx [--quantize int8] --output DIR``."""

from __future__ import annotations

import argparse
import json


def _run(args: argparse.Namespace) -> int:
    from emotune.workflows import export

    report = export.run(args.model, args.output, args.quantize)
    print(json.dumps(report))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("export", help="write an ONNX bundle (fp32 or int8) of a transformer bundle")
    parser.add_argument("--model", required=True, metavar="BUNDLE", help="encoder or decoder bundle (RUN/model)")
    parser.add_argument("--format", choices=["onnx"], default="onnx", help="export format (default: onnx)")
    parser.add_argument("--quantize", choices=["none", "int8", "int8-block"], default="none",
                        help="int8: dynamic quantisation, fastest; int8-block: int8 in blocks, closer to fp32 "
                             "(default: none, fp32)")  # fmt: skip
    parser.add_argument("--output", required=True, metavar="DIR", help="where the ONNX bundle goes")
    parser.set_defaults(handler=_run)
