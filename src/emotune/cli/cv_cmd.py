"""``emotune cv``: k-fold cross-validation with a fold-ensemble bundle."""

from __future__ import annotations

import argparse
import json

from emotune.cli.train_cmd import add_run_arguments, config_from_args


def _run(args: argparse.Namespace) -> int:
    from emotune.workflows import cv

    result = cv.run(config_from_args(args), args.output, folds=args.folds, overwrite=args.overwrite)
    summary = result.metrics["folds_summary"]["macro_f1"]
    report = {"bundle": str(result.bundle), "folds_macro_f1_mean": summary["mean"],
              "folds_macro_f1_std": summary["std"], "oof_macro_f1": result.metrics["oof"]["macro_f1"]}  # fmt: skip
    if "dev" in result.metrics:
        report["dev_ensemble_macro_f1"] = result.metrics["dev"]["ensemble"]["macro_f1"]
    print(json.dumps(report, indent=2))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("cv", help="k-fold cross-validation; saves the fold ensemble to RUN/model")
    add_run_arguments(parser, resume="reuse the folds a previous run finished; continue an unfinished one")
    parser.add_argument("--folds", type=int, default=5, metavar="K", help="number of folds (default 5)")
    parser.set_defaults(handler=_run)
