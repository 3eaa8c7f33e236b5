"""Fixture ``wandb_runs``: read W&B offline run files back.

wandb ships no reader for its run file (``run-<id>.wandb``), so this follows its record format (LevelDB's log:
32 KiB blocks of CRC-checked chunks) and decodes each record with wandb's protobufs.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

BLOCK = 32 * 1024
HEADER = struct.Struct("<4sHB")  # ":W&B", magic 0xBEE1, version
CHUNK = struct.Struct("<IHB")  # crc32, length, type: 1 full, 2 first, 3 middle, 4 last


def _payloads(path: Path) -> Iterator[bytes]:
    data = path.read_bytes()
    ident, magic, _ = HEADER.unpack_from(data)
    assert ident == b":W&B" and magic == 0xBEE1, f"{path}: not a W&B run file"
    pos, pending = HEADER.size, b""
    while pos + CHUNK.size <= len(data):
        left = BLOCK - pos % BLOCK
        if left < CHUNK.size:  # the block's tail is padding
            pos += left
            continue
        _crc, length, kind = CHUNK.unpack_from(data, pos)
        if kind == 0 and length == 0:
            pos += left
            continue
        chunk = data[pos + CHUNK.size : pos + CHUNK.size + length]
        pos += CHUNK.size + length
        if kind == 1:
            yield chunk
        elif kind == 2:
            pending = chunk
        elif kind == 3:
            pending += chunk
        elif kind == 4:
            yield pending + chunk
            pending = b""


def read_run(folder: Path) -> dict[str, Any]:
    """``{"name", "group", "config", "history": [rows], "summary"}`` of one ``offline-run-*`` folder."""
    from wandb.proto import wandb_internal_pb2 as pb

    (path,) = folder.glob("run-*.wandb")
    out: dict[str, Any] = {"config": {}, "history": [], "summary": {}}
    for payload in _payloads(path):
        record = pb.Record()
        record.ParseFromString(payload)
        kind = record.WhichOneof("record_type")
        if kind == "run":
            out["name"], out["group"] = record.run.display_name, record.run.run_group
            out["config"] |= {u.key: json.loads(u.value_json) for u in record.run.config.update}
        elif kind == "config":
            out["config"] |= {u.key: json.loads(u.value_json) for u in record.config.update}
        elif kind == "history":
            out["history"].append(
                {"/".join(i.nested_key) or i.key: json.loads(i.value_json) for i in record.history.item}
            )
        elif kind == "summary":
            out["summary"] |= {"/".join(u.nested_key) or u.key: json.loads(u.value_json)
                               for u in record.summary.update}  # fmt: skip
    return out


@pytest.fixture
def wandb_runs() -> Callable[[Path], list[dict[str, Any]]]:
    """``wandb_runs(RUN)``: every offline run under ``RUN/wandb/``, as :func:`read_run` gives it."""

    def read(run_dir: Path) -> list[dict[str, Any]]:
        return [read_run(folder) for folder in sorted((run_dir / "wandb").glob("offline-run-*"))]

    return read
