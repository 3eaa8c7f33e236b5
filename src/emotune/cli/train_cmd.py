"""``emotune train`` and ``emotune baseline`` (the same with ``model=tfidf``)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from emotune.config import RunConfig, load_config, merge

RESUME_HELP = "continue from the last checkpoint in RUN (encoders)"


def add_run_arguments(parser: argparse.ArgumentParser, resume: str | None = RESUME_HELP, output: str | None = None
                      ) -> None:  # fmt: skip
    """The options every training-like command shares (train, baseline, cv, sweep); ``resume=None``: no --resume;
    ``output``: the help of ``--output FILE`` for commands that write a file instead of a run folder."""
    parser.add_argument("--config", metavar="FILE", help="YAML config; command-line values override it")
    parser.add_argument("--preset", help="dataset preset (see `emotune data presets`)")
    parser.add_argument("--data-dir", metavar="DIR", help="folder holding the preset's train (and dev) files")
    parser.add_argument("--train", metavar="FILE", help="training file (instead of --data-dir)")
    parser.add_argument("--dev", metavar="FILE", help="dev file for calibration and model selection")
    if output is None:
        parser.add_argument("--output", metavar="RUN", required=True, help="run folder; the bundle goes to RUN/model")
    else:
        parser.add_argument("--output", metavar="FILE", required=True, help=output)
    if resume is not None:
        parser.add_argument("--resume", action="store_true", help=resume)
        parser.add_argument("--overwrite", action="store_true", help="replace the run already in RUN")
    parser.add_argument("overrides", nargs="*", metavar="key=value",
                        help="config overrides, e.g. model=tfidf seed=1 thresholds.objective=jaccard")  # fmt: skip


def config_from_args(
    args: argparse.Namespace, extra: list[str] | None = None, defaults: dict[str, Any] | None = None
) -> RunConfig:
    """The config of a training-like command: ``--config``, then the options (``--preset`` ...) over
    ``defaults`` (nested values, e.g. a teacher's data sections), then the ``key=value`` overrides and
    ``extra``, each over the ones before."""
    flags: dict[str, Any] = {}
    for option, key in (("preset", "preset"), ("data_dir", "data_dir"), ("train", "train"), ("dev", "dev")):
        if getattr(args, option) is not None:
            flags.setdefault("data", {})[key] = getattr(args, option)
    if getattr(args, "resume", False):
        flags["train"] = {"resume": True}
    return load_config(args.config, [*args.overrides, *(extra or [])], merge(defaults or {}, flags))


def _run(args: argparse.Namespace, extra: list[str] | None = None) -> int:
    from emotune.workflows import train

    result = train.run(config_from_args(args, extra), args.output, overwrite=args.overwrite)
    if not result.metrics:  # a worker process of a torchrun launch: rank 0 reports
        return 0
    print(json.dumps({"bundle": str(result.bundle), **result.metrics["dev"]}, indent=2))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    train = subparsers.add_parser("train", help="train a model and save a bundle to RUN/model")
    add_run_arguments(train)
    train.set_defaults(handler=_run)
    baseline = subparsers.add_parser("baseline", help="train the TF-IDF + logistic regression baseline")
    add_run_arguments(baseline)
    baseline.set_defaults(handler=lambda args: _run(args, ["model=tfidf"]))
