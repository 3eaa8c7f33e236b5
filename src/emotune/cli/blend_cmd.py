"""``emotune blend --models A B ... --data DEV --output DIR [--weights ...]``."""

from __future__ import annotations

import argparse
import json


def _run(args: argparse.Namespace) -> int:
    from emotune.workflows import blend

    bundle, metrics = blend.run(args.models, args.data, args.output, preset=args.preset, weights=args.weights)
    report = {"bundle": str(bundle), "weights": metrics["weights"], "dev_macro_f1": metrics["dev"]["macro_f1"],
              "members_dev_macro_f1": [m["macro_f1"] for m in metrics["members_dev"]]}  # fmt: skip
    if "dev_two_fold" in metrics:
        report["dev_two_fold_macro_f1"] = metrics["dev_two_fold"]["macro_f1"]
    print(json.dumps(report, indent=2))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("blend", help="average bundles with weights tuned on a dev file, as one bundle")
    parser.add_argument("--models", nargs="+", required=True, metavar="BUNDLE", help="two or more bundle folders")
    parser.add_argument("--data", required=True, metavar="FILE", help="labelled dev file the weights are tuned on")
    parser.add_argument("--preset", help="how to read --data (default: the first bundle's preset)")
    parser.add_argument("--weights", nargs="+", type=float, metavar="W", help="fixed weights instead of tuning")
    parser.add_argument("--output", required=True, metavar="DIR", help="where the blended bundle goes")
    parser.set_defaults(handler=_run)
