"""``emotune config validate FILE`` and ``emotune config show [--config FILE] [data options] [key=value ...]``."""

from __future__ import annotations

import argparse

from emotune.cli.train_cmd import config_from_args
from emotune.config import load_config


def _validate(args: argparse.Namespace) -> int:
    from emotune.validation import check

    check(load_config(args.file), args.file, runtime=False)  # a config may be meant for another machine
    print(f"{args.file}: ok")
    return 0


def _show(args: argparse.Namespace) -> int:
    cfg = config_from_args(args)
    if cfg.data.data_dir is None and cfg.data.train is None:
        print(cfg.to_yaml(), end="")
        return 0
    from emotune.workflows.recipe import recipe

    resolved, settled = recipe(cfg)
    print("".join(f"# {line}\n" for line in ["settled on the training data and this machine:", *settled]), end="")
    print(resolved.to_yaml(), end="")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("config", help="check or print configs")
    commands = parser.add_subparsers(dest="config_command", required=True, metavar="SUBCOMMAND")
    validate = commands.add_parser("validate", help="report every problem in a config file at once")
    validate.add_argument("file", metavar="FILE")
    validate.set_defaults(handler=_validate)
    show = commands.add_parser("show", help="print the config with defaults filled in; with data, the recipe a run "
                                "on it gets (task, loss, max_length, precision settled)")  # fmt: skip
    show.add_argument("--config", metavar="FILE")
    show.add_argument("--preset", help="dataset preset (see `emotune data presets`)")
    show.add_argument("--data-dir", metavar="DIR", help="folder holding the preset's train (and dev) files")
    show.add_argument("--train", metavar="FILE", help="training file (instead of --data-dir)")
    show.add_argument("--dev", metavar="FILE", help="dev file")
    show.add_argument("overrides", nargs="*", metavar="key=value")
    show.set_defaults(handler=_show)
