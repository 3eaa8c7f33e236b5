"""Read CSV, TSV, JSONL, Parquet and Hugging Face datasets into a table of rows.

Every reader returns a :class:`Table`: a ``pandas.DataFrame`` plus enough to name a row in an error
("line 12" in a text file, "row 12" elsewhere). Text files are decoded strictly as UTF-8 so that a bad byte
is reported with its line instead of silently turned into a replacement character.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
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
    first_row: int = 0  # not line-based: the file row of data row 0 (a chunk of a larger file starts later)

    def where(self, row: int) -> str:
        """Name data row ``row`` (0-based) the way a user finds it: ``'line 7'`` or ``'row 6'``."""
        return f"line {self.first_line + row}" if self.first_line is not None else f"row {self.first_row + row + 1}"

    def rows(self, indices: list[int], limit: int = 3) -> str:
        """Name a few rows: ``'lines 3, 9, 12 and 2 more'``."""
        if not indices:
            return ""
        names = [self.where(i) for i in indices[:limit]]
        unit = names[0].split()[0]
        plural = unit + ("s" if len(indices) > 1 else "")
        shown = ", ".join(n.split()[1] for n in names)
        extra = f" and {len(indices) - limit} more" if len(indices) > limit else ""
        return f"{plural} {shown}{extra}"


def preview(values: Sequence[object], limit: int = 8, width: int = 30) -> str:
    """A bounded list for an error message: at most ``limit`` items of at most ``width`` characters each.

    >>> preview(["id", "text", "x" * 40], width=10)
    'id, text, xxxxxxxxx…'
    """
    shown = [str(v) if len(str(v)) <= width else str(v)[: width - 1] + "…" for v in list(values)[:limit]]
    extra = f" and {len(values) - limit} more" if len(values) > limit else ""
    return ", ".join(shown) + extra


_BINARY = (
    (b"\x1f\x8b", "gzip-compressed", "decompress it first (gunzip -k FILE)"),
    (b"PK\x03\x04", "zip", "unzip it and pass the file inside"),
    (b"PAR1", "Parquet", "name it .parquet (or set data.format=parquet)"),
)


def check_not_binary(path: str | Path, head: bytes) -> None:
    """Refuse a compressed or Parquet file (by its first bytes ``head``) that was given as text."""
    for magic, kind, fix in _BINARY:
        if head.startswith(magic):
            raise DataError(f"{path}: is a {kind} file, not text; {fix}")


def read_text(path: str | Path) -> str:
    """Read a whole text file as UTF-8 (a BOM is dropped); a bad byte raises a :class:`DataError`."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found; check the path (or pass --data-dir / --train / --data)")
    if path.is_dir():
        raise DataError(f"{path}: is a folder, expected a file")
    raw = path.read_bytes()
    check_not_binary(path, raw[:4])
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
        except pd.errors.EmptyDataError:
            raise DataError(f"{path}: the file is empty; it needs a header line and one row per text") from None
        except (pd.errors.ParserError, ValueError) as exc:
            detail = str(exc).strip().splitlines()[-1][:150]
            raise DataError(f"{path}: cannot parse as {fmt.upper()} ({detail}); check the delimiter") from None
        if header:
            check_header(path, text, "," if fmt == "csv" else "\t", quoting)
        return Table(frame, str(path), first_line=2 if header else 1)
    if fmt == "jsonl":
        text = read_text(path)
        records: list[Any] = []
        for number, line in enumerate(text.splitlines(), start=1):
            record = json_record(path, line, number)
            if record is not None:
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


def json_record(path: str | Path, line: str, number: int) -> dict[str, Any] | None:
    """One JSONL line as an object (``None`` for a blank line); anything else names its line."""
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: line {number} is not valid JSON ({exc.msg}); one object per line") from None
    if not isinstance(record, dict):
        raise DataError(f"{path}: line {number} is not a JSON object; one object per line")
    return record


def check_header(path: str | Path, text: str, delimiter: str, quoting: int) -> None:
    """pandas renames a repeated column name silently (``joy``, ``joy.1``): refuse it instead."""
    line = text.split("\n", 1)[0]
    try:
        first = next(csv.reader(io.StringIO(line), delimiter=delimiter, quoting=quoting), [])  # type: ignore[arg-type]
    except csv.Error as exc:  # e.g. one field over the csv module's limit (131,072 characters)
        raise DataError(f"{path}: line 1 is not a header of column names ({exc}; it is {len(line):,} characters "
                        "long); the first line must name the columns") from None  # fmt: skip
    seen: dict[str, int] = {}
    for position, name in enumerate(first, start=1):
        if name in seen:
            raise DataError(f"{path}: column {preview([name])!r} appears twice in the header (columns {seen[name]} "
                            f"and {position}); rename or remove one")  # fmt: skip
        seen[name] = position


def _read_hf(spec: str) -> pd.DataFrame:
    """A local ``save_to_disk`` folder or a hub dataset name, optionally ``name:split``."""
    import datasets

    name, _, split = spec.partition(":") if not Path(spec).exists() else (spec, "", "")
    if Path(name).is_dir():
        if not any((Path(name) / f).is_file() for f in ("dataset_info.json", "state.json", "dataset_dict.json")):
            raise DataError(f"{name}: is a folder, not a data file or a dataset saved with `save_to_disk`; "
                            "pass the file itself (or --data-dir for a preset's folder)")  # fmt: skip
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


def read_texts(path: Path, text_column: str, fmt: str = "auto") -> Table:
    """Texts to label: a ``.txt`` file (one per line, as column ``text_column``) or a table with that column."""
    if path.suffix.lower() == ".txt" and fmt == "auto":
        lines = read_text(path).splitlines()
        return Table(pd.DataFrame({text_column: lines}), str(path), first_line=1)
    table = read_table(path, fmt)
    if text_column not in table.frame.columns:
        columns = preview([str(c) for c in table.frame.columns])
        raise DataError(f"{path}: no column {text_column!r} (columns: {columns}); pass --text-column NAME")
    return table


def check_texts(table: Table, texts: list[Any], input_path: str | Path) -> None:
    """Every text is a non-empty string, and there is at least one."""
    if not texts:
        raise DataError(f"{input_path}: no texts to predict; the file has no rows")
    bad = [i for i, t in enumerate(texts) if not isinstance(t, str) or not t.strip()]
    if bad:
        raise DataError(f"{input_path}: empty text at {table.rows(bad)}; remove those rows or fill them in")
