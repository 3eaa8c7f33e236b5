"""``emotune models list [--json]`` and ``emotune models fetch NAME``."""

from __future__ import annotations

import argparse


def _size(n: int | None) -> str:
    return "-" if n is None else f"{n / 1e6:,.0f} MB"


def _list(args: argparse.Namespace) -> int:
    import json

    from emotune.workflows import models

    rows = models.rows()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    header = ("name", "kind", "params", "language", "licence", "installed", "materialised", "size", "path")
    yes = {True: "yes", False: "no"}
    table = [header] + [
        (r["name"], r["kind"], f"{r['parameters'] / 1e6:.0f}M", r["language"].split(" (")[0],
         r["licence"].split(" (")[0], yes[r["installed"]], yes[r["materialised"]], _size(r["size_bytes"]),
         r["path"] or "-")
        for r in rows
    ]  # fmt: skip
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header) - 1)]
    for row in table:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1])
    for r in rows:
        if not r["installed"]:
            print(f"# {r['name']}: {r['install']}")
    return 0


def _fetch(args: argparse.Namespace) -> int:
    from emotune.workflows import models

    for name in args.names:
        print(models.fetch(name))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("models", help="the offline model catalogue: list it, build a model's folder")
    commands = parser.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    listing = commands.add_parser("list", help="catalogue models, whether installed and built, their licences")
    listing.add_argument("--json", action="store_true", help="one JSON list instead of the table")
    listing.set_defaults(handler=_list)
    fetch = commands.add_parser("fetch", help="build a catalogue model's folder now (otherwise built on first use)")
    fetch.add_argument("names", nargs="+", metavar="NAME", help="a catalogue name (emotune models list)")
    fetch.set_defaults(handler=_fetch)
