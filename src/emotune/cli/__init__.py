"""``emotune`` command line: ``main(argv) -> exit code``.

Exit codes: 0 success, 2 bad input or config (one line on stderr), 1 anything unexpected. ``--debug``
shows the traceback instead. Each subcommand lives in its own module and imports heavy libraries lazily.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import NoReturn

from emotune.cli import (
    blend_cmd,
    config_cmd,
    cv_cmd,
    data_cmd,
    distill_cmd,
    evaluate_cmd,
    export_cmd,
    merge_cmd,
    models_cmd,
    parity_cmd,
    predict_cmd,
    push_cmd,
    report_cmd,
    serve_cmd,
    sweep_cmd,
    train_cmd,
)
from emotune.errors import EmotuneError
from emotune.io_utils import safe_loading_set

COMMANDS = (
    train_cmd,
    cv_cmd,
    distill_cmd,
    sweep_cmd,
    evaluate_cmd,
    predict_cmd,
    export_cmd,
    parity_cmd,
    serve_cmd,
    report_cmd,
    push_cmd,
    blend_cmd,
    merge_cmd,
    models_cmd,
    data_cmd,
    config_cmd,
)


MAX_ERROR = 399  # characters of an error line (without its newline); longer messages are cut


class OneLineParser(argparse.ArgumentParser):
    """Usage errors as one ``emotune: error:`` line (exit 2), like every other error, instead of the usage."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("emotune").strip()
        hint = f"emotune {command} --help" if command else "emotune --help"
        self.exit(2, one_line(f"emotune: error: {command + ': ' if command else ''}{message} (see {hint})") + "\n")


def one_line(message: str) -> str:
    """``message`` on one line of at most :data:`MAX_ERROR` characters."""
    flat = " ".join(message.split())
    return flat if len(flat) <= MAX_ERROR else flat[: MAX_ERROR - 1] + "…"


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="emotune", description="Fine-tune and run emotion detection models on text.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    parser.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors on stderr")
    parser.add_argument(
        "--safe",
        action="store_true",
        help="refuse model files whose loading could run code (old pickled TF-IDF bundles)",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def _setup_logging(debug: bool, quiet: bool) -> None:
    logger = logging.getLogger("emotune")
    logger.handlers = [h for h in logger.handlers if not getattr(h, "_emotune_cli", False)]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("emotune: %(levelname)s: %(message)s" if debug else "emotune: %(message)s"))
    from emotune.training.distributed import is_main_process

    quiet = quiet or not is_main_process()  # under torchrun, one console log (rank 0)
    handler.setLevel(logging.DEBUG if debug else logging.WARNING if quiet else logging.INFO)
    handler._emotune_cli = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if debug else logging.WARNING if quiet else logging.INFO)
    logger.propagate = False


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the process exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    _setup_logging(args.debug, args.quiet)
    with safe_loading_set(args.safe):  # in the environment: worker processes (predict --workers) refuse them too
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.handler(args))
    except (EmotuneError, PermissionError) as exc:  # PermissionError: a file of another user, a read-only folder
        if args.debug:
            raise
        message = str(exc)
        if isinstance(exc, PermissionError):
            message = f"permission denied: {exc.filename or exc} (this user may not read or write it: check its owner "
            message += "and mode, e.g. `ls -l`)"
        print(one_line(f"emotune: error: {message}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("emotune: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        print(one_line(f"emotune: unexpected error: {type(exc).__name__}: {exc}") + " (run with --debug for the "
              "traceback)", file=sys.stderr)  # fmt: skip
        return 1
