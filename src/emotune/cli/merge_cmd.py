"""``emotune merge --model BUNDLE --output DIR``."""

from __future__ import annotations

import argparse


def _run(args: argparse.Namespace) -> int:
    from emotune.workflows import merge

    print(merge.run(args.model, args.output))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("merge", help="fold a bundle's LoRA/DoRA/IA3 adapter into a standalone bundle")
    parser.add_argument("--model", required=True, metavar="BUNDLE", help="adapter bundle folder (RUN/model)")
    parser.add_argument("--output", required=True, metavar="DIR", help="where the standalone bundle goes")
    parser.set_defaults(handler=_run)
