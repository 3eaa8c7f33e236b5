"""``emotune distill``: train a student on a teacher bundle's probabilities (e.g. a cv fold ensemble)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from emotune.cli.train_cmd import add_run_arguments, config_from_args


def _teacher_data(args: argparse.Namespace) -> dict[str, Any]:
    """Without any data option, the student reads the data (and dialogues) the way the teacher was trained."""
    given = [args.config, args.preset, args.data_dir, args.train, args.dev]
    if any(v is not None for v in given) or any(o.startswith(("data.", "preset=", "task=")) for o in args.overrides):
        return {}
    from emotune.bundle import read_manifest

    teacher: dict[str, Any] = read_manifest(Path(args.teacher))["config"]
    return {section: teacher[section] for section in ("data", "dialogue")}


def _run(args: argparse.Namespace) -> int:
    from emotune.workflows import distill

    extra = [f"distill.teacher={json.dumps(str(Path(args.teacher).resolve()))}"]
    if args.unlabelled is not None:
        extra.append(f"distill.unlabelled={json.dumps(str(Path(args.unlabelled).resolve()))}")
    if args.text_column is not None:
        extra.append(f"distill.text_column={json.dumps(args.text_column)}")
    cfg = config_from_args(args, extra, defaults=_teacher_data(args))
    result = distill.run(cfg, args.output, overwrite=args.overwrite)
    if not result.metrics:
        return 0
    teacher = result.metrics["teacher"]
    print(json.dumps({"bundle": str(result.bundle), **result.metrics["dev"],
                      "teacher_dev_macro_f1": teacher["dev"]["macro_f1"]}, indent=2))  # fmt: skip
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("distill", help="train a student on a teacher bundle's probabilities")
    parser.add_argument("--teacher", metavar="BUNDLE", required=True,
                        help="the teacher bundle, e.g. RUN/model of `emotune cv` (its data by default)")  # fmt: skip
    parser.add_argument("--unlabelled", metavar="FILE", help="extra in-domain texts for the teacher to label")
    parser.add_argument("--text-column", metavar="NAME", help="the unlabelled file's text column (default text)")
    add_run_arguments(parser)
    parser.set_defaults(handler=_run)
