"""``emotune data inspect --preset NAME --data FILE`` and ``emotune data presets [--example NAME]``."""

from __future__ import annotations

import argparse
from pathlib import Path

from emotune.cli.train_cmd import add_run_arguments


def _files(args: argparse.Namespace) -> dict[str, str]:
    """Split name -> file: ``--data`` files named by their stem, or the preset's train and dev in ``--data-dir``."""
    from emotune.data.presets import find_split_file, get_preset
    from emotune.errors import DataError

    if args.data:
        names = [Path(f).stem for f in args.data]
        return {name if names.count(name) == 1 else f"{i}:{name}": file
                for i, (name, file) in enumerate(zip(names, args.data, strict=True))}  # fmt: skip
    if not args.data_dir:
        raise DataError("data inspect needs --data FILE (repeatable) or --data-dir DIR")
    preset = get_preset(args.preset)
    found = {split: find_split_file(preset, args.data_dir, split) for split in ("train", "dev")}
    return {split: str(path) for split, path in found.items() if path is not None}


def _inspect(args: argparse.Namespace) -> int:
    from emotune.config import load_config
    from emotune.workflows import inspect_data

    cfg = load_config(args.config, args.overrides).data if (args.config or args.overrides) else None
    splits = inspect_data.load(args.preset, _files(args), cfg)  # read once: for the tables and the report
    for dataset in splits.values():
        print(inspect_data.summarise(dataset).render())
    if args.report:
        written = inspect_data.report(splits, args.report, model=args.model, max_length=args.max_length,
                                      fmt=args.format)  # fmt: skip
        print(f"report: {written}")
    return 0


def _combine(args: argparse.Namespace) -> int:
    import json

    from emotune.cli.train_cmd import config_from_args
    from emotune.workflows import combine

    rows = combine.run(config_from_args(args), args.output)
    print(json.dumps({"output": str(args.output), "rows": rows}, indent=2))
    return 0


def _augment(args: argparse.Namespace) -> int:
    import json

    from emotune.cli.train_cmd import config_from_args
    from emotune.workflows import augment

    rows = augment.run(config_from_args(args), args.output)
    print(json.dumps({"output": str(args.output), "rows": rows}, indent=2))
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
    inspect.add_argument("--data", action="append", metavar="FILE",
                         help="labelled file (or split folder); repeat for several splits, train first")  # fmt: skip
    inspect.add_argument("--data-dir", metavar="DIR", help="instead of --data: the preset's train and dev files in DIR")
    inspect.add_argument("--report", metavar="OUT.html", help="also write the dataset report (figures in OUT/)")
    inspect.add_argument("--format", choices=("html", "md"), default="html", help="report format (default html)")
    inspect.add_argument("--model", default="minilm", help="count lengths in this model's tokens (tfidf: words)")
    inspect.add_argument("--max-length", type=int, metavar="N", help="mark this max_length on the length plot")
    inspect.add_argument("--config", metavar="FILE", help="YAML whose data: section describes the columns")
    inspect.add_argument("overrides", nargs="*", metavar="key=value", help="e.g. data.label_column=emotions")
    inspect.set_defaults(handler=_inspect)
    combine = commands.add_parser("combine", help="write the training rows of data.sources as one file")
    add_run_arguments(combine, resume=None, output="file for the combined rows (.csv, .tsv, .jsonl, .parquet)")
    combine.set_defaults(handler=_combine)
    augment = commands.add_parser("augment", help="write the training rows with what the augment steps add")
    add_run_arguments(augment, resume=None, output="file for the augmented rows (.csv, .tsv, .jsonl, .parquet)")
    augment.set_defaults(handler=_augment)
    presets = commands.add_parser("presets", help="list the dataset presets")
    presets.add_argument("--example", metavar="NAME", help="print a tiny data folder in that preset's layout")
    presets.set_defaults(handler=_presets)
