"""``emotune push --model BUNDLE --repo-id user/name``: upload a bundle and its model card to the Hub."""

from __future__ import annotations

import argparse


def _run(args: argparse.Namespace) -> int:
    from emotune.workflows import push

    print(push.run(args.model, args.repo_id, private=args.private, token=args.token, license_id=args.license,
                   endpoint=args.endpoint))  # fmt: skip
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("push", help="upload a bundle with its model card to the Hugging Face Hub")
    parser.add_argument("--model", required=True, metavar="BUNDLE", help="bundle folder (RUN/model)")
    parser.add_argument("--repo-id", required=True, metavar="USER/NAME", help="model repository (made if missing)")
    parser.add_argument("--private", action="store_true", help="make a new repository private")
    parser.add_argument("--token", help="Hub token (default: hf auth login or HF_TOKEN)")
    parser.add_argument("--license", metavar="ID", help="licence to state in the card first, e.g. apache-2.0")
    parser.add_argument("--endpoint", metavar="URL", help="another Hub or a mirror (default: HF_ENDPOINT or the Hub)")
    parser.set_defaults(handler=_run)
