"""``emotune serve --model BUNDLE [--host 127.0.0.1 --port 8000 --backend auto]``."""

from __future__ import annotations

import argparse

from emotune.cli.predict_cmd import BACKEND_HELP, BACKENDS, positive_int
from emotune.errors import EmotuneError


def _run(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from emotune.serve.app import Limits, create_app
    except ImportError:
        raise EmotuneError("emotune serve needs FastAPI and uvicorn; pip install 'emotune[serve]'") from None
    from emotune.inference.backends import load_classifier

    clf = load_classifier(args.model, args.backend)
    limits = Limits(max_texts=args.max_texts, max_chars=args.max_chars, max_body=args.max_body,
                    max_batch=args.max_batch, max_wait_ms=args.max_wait_ms)  # fmt: skip
    app = create_app(clf, limits, args.backend)
    # uvicorn handles SIGINT / SIGTERM gracefully: stops accepting, finishes open requests, then the app's lifespan
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning" if args.quiet else "info",
                timeout_graceful_shutdown=30)  # fmt: skip
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("serve", help="serve a bundle over HTTP (FastAPI, micro-batched)")
    parser.add_argument("--model", required=True, metavar="BUNDLE", help="bundle folder (RUN/model)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=positive_int, default=8000, help="port (default: 8000)")
    parser.add_argument("--backend", choices=BACKENDS, default="auto", help=BACKEND_HELP + " (default: auto)")
    parser.add_argument("--max-batch", type=positive_int, default=256, help="texts per model call (default: 256)")
    parser.add_argument("--max-wait-ms", type=float, default=5.0,
                        help="how long a request waits for others to batch with (default: 5)")  # fmt: skip
    parser.add_argument("--max-texts", type=positive_int, default=256, help="texts per request (default: 256)")
    parser.add_argument("--max-chars", type=positive_int, default=10_000, help="characters per text (default: 10000)")
    parser.add_argument("--max-body", type=positive_int, default=1_000_000, help="bytes per request (default: 1 MB)")
    parser.set_defaults(handler=_run)
