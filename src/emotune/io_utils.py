"""Atomic writes (an output file or folder appears whole or not at all), the cache folder, and the safe-loading
switch."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

SAFE_ENV = "EMOTUNE_SAFE"  # set (by `emotune --safe`): refuse model files whose loading could run code


def safe_loading() -> bool:
    """Whether bundles must load without running code from their files (``emotune --safe`` or ``EMOTUNE_SAFE=1``):
    a TF-IDF bundle saved as a pickle (before emotune's skops format) is then refused instead of loaded."""
    return os.environ.get(SAFE_ENV, "") not in ("", "0")


@contextlib.contextmanager
def safe_loading_set(on: bool) -> Iterator[None]:
    """Inside the block, :func:`safe_loading` is true when ``on`` (as before the block otherwise)."""
    before = os.environ.get(SAFE_ENV)
    if on:
        os.environ[SAFE_ENV] = "1"
    try:
        yield
    finally:
        if on and before is None:
            del os.environ[SAFE_ENV]
        elif on:
            os.environ[SAFE_ENV] = before  # type: ignore[assignment]


def _umask() -> int:
    mask = os.umask(0o022)  # the only portable way to read it is to set it; 022 meanwhile is the usual value
    os.umask(mask)
    return mask


def _plain_modes(*paths: Path) -> None:
    """Give each path the mode a plain ``open`` / ``mkdir`` would (0666 / 0777 less the umask). ``tempfile`` and
    some libraries (safetensors) make files 0600 and folders 0700, which would leave outputs private to their
    writer."""
    mask = _umask()
    for path in paths:
        path.chmod((0o777 if path.is_dir() else 0o666) & ~mask)


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary file path beside ``target``; on success it is renamed over ``target``.

    >>> # with atomic_path("out.csv") as tmp: frame.to_csv(tmp)
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        if target.is_file():  # rewriting a file keeps its mode, as a plain open would
            tmp.chmod(target.stat().st_mode & 0o7777)
        else:
            _plain_modes(tmp)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(target: str | Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


@contextlib.contextmanager
def atomic_dir(target: str | Path) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``target``; on success it replaces ``target`` whole."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield tmp
        _plain_modes(tmp, *tmp.rglob("*"))
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
            target.replace(old / target.name)
            tmp.replace(target)
            shutil.rmtree(old)
        else:
            tmp.replace(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


CACHE_ENV = "EMOTUNE_CACHE_DIR"


def cache_root() -> Path:
    """emotune's cache (exported ONNX models, ``auto`` backend choices, augmented texts): ``$EMOTUNE_CACHE_DIR``,
    else ``$XDG_CACHE_HOME/emotune``, else ``~/.cache/emotune``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "emotune"
