"""``emotune config validate FILE`` and ``emotune config show [--config FILE] [key=value ...]``."""

from __future__ import annotations

import argparse

from emotune.config import load_config


def _validate(args: argparse.Namespace) -> int:
    from emotune.validation import check

    check(load_config(args.file), args.file, runtime=False)  # a config may be meant for another machine
    print(f"{args.file}: ok")
    return 0


def _show(args: argparse.Namespace) -> int:
    print(load_config(args.config, args.overrides).to_yaml(), end="")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("config", help="check or print configs")
    commands = parser.add_subparsers(dest="config_command", required=True, metavar="SUBCOMMAND")
    validate = commands.add_parser("validate", help="report every problem in a config file at once")
    validate.add_argument("file", metavar="FILE")
    validate.set_defaults(handler=_validate)
    show = commands.add_parser("show", help="print the resolved config with defaults filled in")
    show.add_argument("--config", metavar="FILE")
    show.add_argument("overrides", nargs="*", metavar="key=value")
    show.set_defaults(handler=_show)
