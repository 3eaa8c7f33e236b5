"""Texts to label, read in chunks of rows so that a file of any size takes constant memory.

``text_chunks(path, text_column)`` yields :class:`~emotune.data.readers.Table` chunks in file order, each
checked (every text a non-empty string) with errors naming the file's own line or row. ``.txt`` is one text
per line; CSV / TSV / JSONL / Parquet need the text column. Hugging Face datasets are read whole.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from emotune.data.readers import (
    Table,
    check_header,
    check_not_binary,
    check_texts,
    detect_format,
    json_record,
    read_texts,
)
from emotune.errors import DataError

CHUNK_ROWS = 4096


def count_rows(path: Path, fmt: str = "auto") -> int | None:
    """The number of rows to expect, for a progress bar: exact for Parquet, TXT and JSONL (lines), one per line
    after the header for CSV / TSV (texts with line breaks make it an estimate); ``None`` when unknown."""
    fmt = "txt" if path.suffix.lower() == ".txt" and fmt == "auto" else detect_format(path, fmt)
    if fmt == "hf" or not path.is_file():
        return None
    if fmt == "parquet":
        import pyarrow.parquet as pq

        try:
            return int(pq.ParquetFile(path).metadata.num_rows)
        except Exception:  # not Parquet after all: text_chunks names the problem
            return None
    with path.open("rb") as handle:
        lines = sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
    return max(0, lines - 1) if fmt in ("csv", "tsv") else lines


def text_chunks(path: Path, text_column: str, fmt: str = "auto", rows: int = CHUNK_ROWS) -> Iterator[Table]:
    """Chunks of at most ``rows`` rows of ``path`` in file order, each with ``text_column`` checked."""
    if not path.is_file() and detect_format(path, fmt) != "hf":
        raise DataError(f"{path}: file not found; check the path")
    if path.is_file() and detect_format(path, fmt) != "parquet":
        with path.open("rb") as handle:
            check_not_binary(path, handle.read(4))
    chunks = _chunks(path, text_column, fmt, rows)
    seen = 0
    for table in chunks:
        if text_column not in table.frame.columns:
            raise DataError(f"{path}: no column {text_column!r}; pass --text-column NAME")
        check_texts(table, table.frame[text_column].tolist(), path)
        seen += len(table.frame)
        yield table
    if not seen:
        raise DataError(f"{path}: no texts to predict; the file has no rows")


def _chunks(path: Path, column: str, fmt: str, rows: int) -> Iterator[Table]:
    if path.suffix.lower() == ".txt" and fmt == "auto":
        yield from _lines(path, rows, lambda line, number: {column: line})
        return
    fmt = detect_format(path, fmt)
    if fmt in ("csv", "tsv"):
        yield from _delimited(path, "," if fmt == "csv" else "\t", rows)
    elif fmt == "jsonl":
        yield from _lines(path, rows, lambda line, number: json_record(path, line, number))
    elif fmt == "parquet":
        yield from _parquet(path, rows)
    else:
        yield read_texts(path, column, fmt)


def _lines(path: Path, rows: int, parse: Any) -> Iterator[Table]:
    """Line-based files, decoded strictly as UTF-8 line by line (an error names its line)."""
    batch: list[dict[str, Any]] = []
    first = 1
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8").rstrip("\r\n")
            except UnicodeDecodeError as exc:
                raise DataError(f"{path}: line {number} is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); re-save "
                                "the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)") from None  # fmt: skip
            record = parse(line, number)
            if record is None:
                continue
            if not batch:
                first = number
            batch.append(record)
            if len(batch) == rows:
                yield Table(pd.DataFrame.from_records(batch), str(path), first_line=first)
                batch = []
    if batch:
        yield Table(pd.DataFrame.from_records(batch), str(path), first_line=first)


def _delimited(path: Path, sep: str, rows: int) -> Iterator[Table]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        check_header(path, handle.readline(), sep, csv.QUOTE_MINIMAL)
    start = 0
    try:
        reader = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, chunksize=rows, encoding="utf-8-sig")
        for frame in reader:
            yield Table(frame, str(path), first_line=2 + start)  # exact while no text holds a line break
            start += len(frame)
    except UnicodeDecodeError:
        raise DataError(f"{path}: not valid UTF-8 after row {start}; re-save the file as UTF-8") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty; it needs a header line and one row per text") from None
    except (pd.errors.ParserError, ValueError) as exc:
        detail = str(exc).strip().splitlines()[-1][:150]
        raise DataError(f"{path}: cannot parse as delimited text after row {start} ({detail}); check the "
                        "delimiter and quoting") from None  # fmt: skip


def _parquet(path: Path, rows: int) -> Iterator[Table]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several unrelated types for a bad file
        raise DataError(f"{path}: cannot read as Parquet ({type(exc).__name__}: {exc})") from None
    start = 0
    for batch in parquet.iter_batches(batch_size=rows):
        yield Table(batch.to_pandas(), str(path), first_row=start)
        start += batch.num_rows
