"""``emotune blend --models A B ... --data DEV --output DIR [--weights ...]``."""

from __future__ import annotations

import argparse
import json

from emotune.cli.report_cmd import TRACK_HELP, track_config


def _run(args: argparse.Namespace) -> int:
    from emotune.workflows import blend

    bundle, metrics = blend.run(args.models, args.output, data=args.data, preset=args.preset, weights=args.weights,
                                oof=args.oof, track=track_config(args.track))  # fmt: skip
    report = {"bundle": str(bundle), "weights": metrics["weights"], "tuned_on": metrics["tuned_on"],
              "macro_f1": metrics["scores"]["macro_f1"],
              "members_macro_f1": [m["scores"]["macro_f1"] for m in metrics["members"]]}  # fmt: skip
    report["two_fold_macro_f1"] = metrics["two_fold"]["macro_f1"]  # weights (unless given) and thresholds held out
    if "dev" in metrics:
        report["dev_macro_f1"] = metrics["dev"]["blend"]["macro_f1"]
        report["dev_members_macro_f1"] = [m["macro_f1"] for m in metrics["dev"]["members"]]
    print(json.dumps(report, indent=2))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("blend", help="average bundles with weights tuned on a dev file, as one bundle")
    parser.add_argument("--models", nargs="+", required=True, metavar="BUNDLE", help="two or more bundle folders")
    parser.add_argument("--data", metavar="FILE", help="labelled dev file: weights are tuned on it (without --oof) "
                        "or it scores the blend (with --oof)")  # fmt: skip
    parser.add_argument("--oof", action="store_true", help="tune on the out-of-fold probabilities of `emotune cv` "
                        "runs (bundles RUN/model of runs on the same folds)")  # fmt: skip
    parser.add_argument("--preset", help="how to read --data (default: the first bundle's preset)")
    parser.add_argument("--weights", nargs="+", type=float, metavar="W", help="fixed weights instead of tuning")
    parser.add_argument("--output", required=True, metavar="DIR", help="where the blended bundle goes")
    parser.add_argument("--track", metavar="TOOLS", help=TRACK_HELP)
    parser.set_defaults(handler=_run)
