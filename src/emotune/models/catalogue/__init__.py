"""The model catalogue: short names (``minilm``, ``mpnet``, ``gemma3-270m``) for models emotune can get offline.

Each entry says what the model is (family, parameters, language, licence), which packages install it, how
their files become a normal model folder (:mod:`.materialise`: once, atomically, under the emotune cache) and
its recipe: what the ``auto`` training settings become for it. Adding a model: one module exporting
``ENTRY = CatalogueModel(...)`` and one line in :data:`CATALOGUE`.

>>> sorted(CATALOGUE)
['gemma3-270m', 'minilm', 'mpnet']
"""

from __future__ import annotations

from pathlib import Path

from emotune.models.catalogue import gemma, minilm, mpnet
from emotune.models.catalogue.entry import CatalogueModel, Piece

CATALOGUE: dict[str, CatalogueModel] = {entry.name: entry for entry in (minilm.ENTRY, mpnet.ENTRY, gemma.ENTRY)}


def licence_of(name: str) -> str | None:
    """The licence of catalogue model ``name`` (a bundle fine-tuned from it is under the same terms); ``None``
    for other models, whose licence emotune cannot know."""
    entry = CATALOGUE.get(name)
    return entry.licence if entry else None


def model_path(name: str) -> Path:
    """The local folder of catalogue model ``name``, materialised on first use."""
    from emotune.models.catalogue.materialise import materialise  # filelock, tqdm: only when a folder is needed

    return materialise(CATALOGUE[name])


__all__ = ["CATALOGUE", "CatalogueModel", "Piece", "licence_of", "model_path"]
