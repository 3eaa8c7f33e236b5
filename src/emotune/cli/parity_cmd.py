"""``emotune parity --model BUNDLE --data FILE [--backend B ...] [--reference BUNDLE]``."""

from __future__ import annotations

import argparse
import json

import pandas as pd

from emotune.cli.predict_cmd import BACKENDS


def _run(args: argparse.Namespace) -> int:
    from emotune.config import data_overrides
    from emotune.workflows import parity

    options = data_overrides(args.overrides, "parity")
    rows = parity.run(args.model, args.data, args.backend, args.reference, args.preset, options)
    if args.json:
        print(json.dumps(rows))
    else:
        print(pd.DataFrame(rows).set_index("backend").to_string())
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("parity", help="compare a bundle's backends with fp32 PyTorch on a labelled file")
    parser.add_argument("--model", required=True, metavar="BUNDLE", help="bundle folder (RUN/model)")
    parser.add_argument("--data", required=True, metavar="FILE", help="labelled file, read as evaluate reads it")
    parser.add_argument("--backend", nargs="+", default=["saved"], choices=BACKENDS,
                        help="backends to compare (default: saved)")  # fmt: skip
    parser.add_argument("--reference", metavar="BUNDLE",
                        help="compare with this bundle as saved (e.g. the source of an export) instead of "
                             "--model in fp32 PyTorch")  # fmt: skip
    parser.add_argument("--preset", help="how to read --data (default: the bundle's preset)")
    parser.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    parser.add_argument("overrides", nargs="*", metavar="data.key=value", help="how to read --data, as for train")
    parser.set_defaults(handler=_run)
