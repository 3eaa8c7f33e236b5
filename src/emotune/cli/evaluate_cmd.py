"""``emotune evaluate --model BUNDLE --preset NAME --data FILE [--json]``."""

from __future__ import annotations

import argparse
import json

import pandas as pd

from emotune.cli.predict_cmd import BACKEND_HELP, BACKENDS
from emotune.cli.report_cmd import TRACK_HELP, track_config


def _run(args: argparse.Namespace) -> int:
    from emotune.config import data_overrides
    from emotune.workflows import evaluate

    options = data_overrides(args.overrides, "evaluate")
    result = evaluate.run(args.model, args.preset, args.data, progress=not args.json, data_options=options,
                          backend=args.backend, output=args.output, track=track_config(args.track))  # fmt: skip
    if args.json:
        print(json.dumps(result.to_json()))
        return 0
    print(f"{args.data}: {result.n_texts} texts")
    print(pd.Series(result.metrics).round(4).to_string())
    print()
    print(pd.DataFrame(result.per_label).set_index("label").round(4).to_string())
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("evaluate", help="score a bundle on a labelled file")
    parser.add_argument("--model", required=True, metavar="BUNDLE", help="bundle folder (RUN/model)")
    parser.add_argument("--preset", help="how to read --data (default: the preset the bundle was trained with)")
    parser.add_argument("--data", required=True, metavar="FILE", help="labelled file (or split folder)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--backend", choices=BACKENDS, default="saved", help=BACKEND_HELP + " (default: saved)")
    parser.add_argument("--output", metavar="DIR", help="keep metrics.json, probabilities.csv and report.html in DIR")
    parser.add_argument("--track", metavar="TOOLS", help=TRACK_HELP + " (needs --output)")
    parser.add_argument("overrides", nargs="*", metavar="data.key=value",
                        help="how to read --data, as for train, e.g. data.id_column=id")  # fmt: skip
    parser.set_defaults(handler=_run)
