"""``emotune data inspect --preset NAME --data FILE`` and ``emotune data presets [--example NAME]``."""

from __future__ import annotations

import argparse


def _inspect(args: argparse.Namespace) -> int:
    from emotune.config import load_config
    from emotune.workflows import inspect_data

    cfg = load_config(args.config, args.overrides).data if (args.config or args.overrides) else None
    print(inspect_data.run(args.preset, args.data, cfg).render(), end="")
    return 0


def _presets(args: argparse.Namespace) -> int:
    from emotune.data.presets import PRESETS, get_preset

    if args.example:
        preset = get_preset(args.example)
        print(f"# a data folder for --preset {preset.name} (--data-dir DIR); train: {', '.join(preset.train_files)}, "
              f"dev: {', '.join(preset.dev_files)}")  # fmt: skip
        for name, content in preset.example.items():
            print(f"\n## {name}\n{content}", end="" if content.endswith("\n") else "\n")
        return 0
    width = max(map(len, PRESETS))
    for name, preset in sorted(PRESETS.items()):
        print(f"{name:<{width}}  {preset.description}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("data", help="look at datasets")
    commands = parser.add_subparsers(dest="data_command", required=True, metavar="SUBCOMMAND")
    inspect = commands.add_parser("inspect", help="label counts, co-occurrence, lengths, duplicates")
    inspect.add_argument("--preset", default="generic", help="how to read --data (default: generic)")
    inspect.add_argument("--data", required=True, metavar="FILE", help="labelled file (or split folder)")
    inspect.add_argument("--config", metavar="FILE", help="YAML whose data: section describes the columns")
    inspect.add_argument("overrides", nargs="*", metavar="key=value", help="e.g. data.label_column=emotions")
    inspect.set_defaults(handler=_inspect)
    presets = commands.add_parser("presets", help="list the dataset presets")
    presets.add_argument("--example", metavar="NAME", help="print a tiny data folder in that preset's layout")
    presets.set_defaults(handler=_presets)
