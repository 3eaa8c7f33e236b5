"""``emotune report RUN [--format html|md] [--output FILE]``: the run report, drawn again from RUN's files."""

from __future__ import annotations

import argparse

from emotune.config import TrackConfig

TRACK_HELP = "send this to trackers too, e.g. mlflow or mlflow,wandb,tensorboard (stores go in the output folder)"


def track_config(tools: str | None) -> TrackConfig:
    """``--track mlflow,wandb`` of the commands without a config (evaluate, blend) as a ``track`` section."""
    from emotune.config import RunConfig, with_values

    return with_values(RunConfig(), {"track.to": tools}, "--track").track if tools else TrackConfig()


def _run(args: argparse.Namespace) -> int:
    from emotune.reports import write_report

    print(write_report(args.run, args.format, args.output))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("report", help="write a run's HTML (or Markdown) report with its figures")
    parser.add_argument("run", metavar="RUN", help="a run folder of train, cv, blend or evaluate --output")
    parser.add_argument("--format", choices=("html", "md"), default="html", help="html (one file, images inside) "
                        "or md (Markdown beside the PNGs); default html")  # fmt: skip
    parser.add_argument("--output", metavar="FILE", help="where the report goes (default: RUN/report.html or .md)")
    parser.set_defaults(handler=_run)
