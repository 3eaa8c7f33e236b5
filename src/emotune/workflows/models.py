"""``emotune models list`` / ``emotune models fetch NAME``: the offline model catalogue.

``list`` says for each catalogue model what it is, whether its packages are installed and whether its folder
is built yet; ``fetch`` builds the folder now (e.g. while building a container image) instead of on first use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from emotune.errors import EmotuneError
from emotune.models.catalogue import CATALOGUE, model_path
from emotune.models.catalogue.materialise import folder_of, folder_size, is_materialised, missing_packages


def rows() -> list[dict[str, Any]]:
    """One dict per catalogue model: name, kind, parameters, language, licence, installed, materialised, path,
    size_bytes (of the folder, once it exists)."""
    out = []
    for entry in CATALOGUE.values():
        installed = not missing_packages(entry)
        if entry.locate is not None:
            folder: Path | None = entry.locate() if installed else None
        else:
            folder = folder_of(entry)
        built = is_materialised(entry) and folder is not None and folder.is_dir()
        out.append({
            "name": entry.name, "kind": entry.family, "parameters": entry.parameters, "language": entry.language,
            "licence": entry.licence, "installed": installed, "materialised": built,
            "path": str(folder) if folder else None, "size_bytes": folder_size(folder) if built and folder else None,
            "install": None if installed else entry.install,
        })  # fmt: skip
    return out


def fetch(name: str) -> Path:
    """Build (or find) the folder of catalogue model ``name``; returns it."""
    if name not in CATALOGUE:
        raise EmotuneError(f"unknown catalogue model {name!r}; known: {', '.join(CATALOGUE)} (emotune models list)")
    return model_path(name)
