"""``emotune sweep``: hyperparameter search with Optuna (``trials=N``, ``sweep.*`` keys)."""

from __future__ import annotations

import argparse
import json

from emotune.cli.train_cmd import add_run_arguments, config_from_args


def _run(args: argparse.Namespace) -> int:
    from emotune.workflows import sweep

    extra = [f"sweep.{key}={value}" for key, value in (("space", args.space), ("storage", args.storage),
                                                       ("study", args.study)) if value is not None]  # fmt: skip
    result = sweep.run(config_from_args(args, extra), args.output)
    print(json.dumps({"best_config": str(result.best_config), **result.summary}, indent=2))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("sweep", help="search hyperparameters with Optuna; writes RUN/best.yaml")
    add_run_arguments(parser, resume=None)  # rerun with the same storage: the study continues
    parser.add_argument("--space", metavar="FILE", help="search-space YAML (default: the model kind's built-in space)")
    parser.add_argument("--storage", metavar="URL", help="Optuna storage shared by workers (default RUN/study.db)")
    parser.add_argument("--study", metavar="NAME", help="study name inside the storage (default emotune)")
    parser.set_defaults(handler=_run)
