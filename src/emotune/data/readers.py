"""Read CSV, TSV, JSONL, Parquet and Hugging Face datasets into a table of rows.

Every reader returns a :class:`Table`: a ``pandas.DataFrame`` plus enough to name a row in an error
("line 12" in a text file, "row 12" elsewhere). Text files are decoded strictly as UTF-8 so that a bad byte
is reported with its line instead of silently turned into a replacement character.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from emotune.errors import DataError

FORMATS = ("csv", "tsv", "jsonl", "parquet", "hf")
_SUFFIXES = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "tsv",
    ".jsonl": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


@dataclass
class Table:
    """Rows read from one source. ``first_line`` is the file line of data row 0 (``None``: not line-based)."""

    frame: pd.DataFrame
    source: str
    first_line: int | None = None

    def where(self, row: int) -> str:
        """Name data row ``row`` (0-based) the way a user finds it: ``'line 7'`` or ``'row 6'``."""
        return f"line {self.first_line + row}" if self.first_line is not None else f"row {row + 1}"

    def rows(self, indices: list[int], limit: int = 5) -> str:
        """Name a few rows: ``'lines 3, 9 and 2 more'``."""
        if not indices:
            return ""
        names = [self.where(i) for i in indices[:limit]]
        unit = names[0].split()[0]
        plural = unit + ("s" if len(indices) > 1 else "")
        shown = ", ".join(n.split()[1] for n in names)
        extra = f" and {len(indices) - limit} more" if len(indices) > limit else ""
        return f"{plural} {shown}{extra}"


def read_text(path: str | Path) -> str:
    """Read a whole text file as UTF-8 (a BOM is dropped); a bad byte raises a :class:`DataError`."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found; check the path (or pass --data-dir / --train / --data)")
    if path.is_dir():
        raise DataError(f"{path}: is a folder, expected a file")
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(
            f"{path}: line {line} is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); "
            "re-save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)"
        ) from None


def detect_format(path: str | Path, fmt: str = "auto") -> str:
    """The reader for ``path``: the given ``fmt`` or one inferred from the suffix."""
    if fmt != "auto":
        return fmt
    path = Path(path)
    if path.is_dir():
        return "hf"
    found = _SUFFIXES.get(path.suffix.lower())
    if found is None:
        if not path.exists() and "/" in str(path) and path.suffix == "":
            return "hf"  # looks like a hub dataset name such as dair-ai/emotion
        known = ", ".join(sorted(_SUFFIXES))
        raise DataError(f"{path}: cannot tell the format from the suffix (known: {known}); set data.format")
    return found


def read_table(
    path: str | Path,
    fmt: str = "auto",
    *,
    header: bool = True,
    names: list[str] | None = None,
    quoting: int = csv.QUOTE_MINIMAL,
) -> Table:
    """Read one source into a :class:`Table` of string or native-typed columns.

    Args:
        path: a file, a dataset folder saved with ``datasets.save_to_disk``, or a hub dataset name with an
            optional ``:split`` suffix (``dair-ai/emotion:validation``).
        fmt: ``auto`` or one of :data:`FORMATS`.
        header: delimited files only: whether the first line names the columns.
        names: delimited files only: column names to use when there is no header.
        quoting: delimited files only: a ``csv`` quoting constant.
    """
    fmt = detect_format(path, fmt)
    if fmt in ("csv", "tsv"):
        text = read_text(path)
        try:
            frame = pd.read_csv(  # type: ignore[call-overload]  # stubs want a Literal quoting
                io.StringIO(text),
                sep="," if fmt == "csv" else "\t",
                header=0 if header else None,
                names=names,
                dtype=str,
                keep_default_na=False,
                quoting=quoting,
            )
        except (pd.errors.ParserError, ValueError) as exc:
            detail = str(exc).strip().splitlines()[-1]
            raise DataError(f"{path}: cannot parse as {fmt.upper()} ({detail}); check the delimiter") from None
        return Table(frame, str(path), first_line=2 if header else 1)
    if fmt == "jsonl":
        text = read_text(path)
        records: list[Any] = []
        import json

        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{path}: line {number} is not valid JSON ({exc.msg}); one object per line") from None
            if not isinstance(record, dict):
                raise DataError(f"{path}: line {number} is not a JSON object; one object per line")
            records.append(record)
        return Table(pd.DataFrame.from_records(records), str(path), first_line=1)
    if fmt == "parquet":
        path = Path(path)
        if not path.is_file():
            raise DataError(f"{path}: file not found; check the path")
        try:
            return Table(pd.read_parquet(path), str(path))
        except Exception as exc:  # pyarrow raises several unrelated types for a bad file
            raise DataError(f"{path}: cannot read as Parquet ({type(exc).__name__}: {exc})") from None
    if fmt == "hf":
        return Table(_read_hf(str(path)), str(path))
    raise DataError(f"{path}: unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def _read_hf(spec: str) -> pd.DataFrame:
    """A local ``save_to_disk`` folder or a hub dataset name, optionally ``name:split``."""
    import datasets

    name, _, split = spec.partition(":") if not Path(spec).exists() else (spec, "", "")
    if Path(name).is_dir():
        loaded = datasets.load_from_disk(name)
        if isinstance(loaded, datasets.DatasetDict):
            if not split:
                split = "train"
            if split not in loaded:
                raise DataError(f"{name}: no split {split!r} (splits: {', '.join(loaded)}); use {name}:SPLIT")
            loaded = loaded[split]
        return loaded.to_pandas()
    try:
        loaded = datasets.load_dataset(name, split=split or "train")
    except Exception as exc:  # offline, unknown name, gated, ...: all mean the same to the user
        raise DataError(
            f"{spec}: cannot load this Hugging Face dataset ({type(exc).__name__}); without hub access, "
            "save it with `datasets.save_to_disk(DIR)` elsewhere and pass DIR, or export CSV/JSONL"
        ) from None
    return loaded.to_pandas()
