"""What one catalogue model is: where its files come from, how they become a model folder, and its recipe."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal


@dataclass(frozen=True)
class Piece:
    """One file shipped inside an installed Python distribution (a chunk of a split zip or GGUF).

    ``package`` is the distribution's pip name, ``file`` its path relative to site-packages; ``size`` and
    ``sha256`` are checked before the piece is used, so a truncated or corrupted install is named exactly.
    """

    package: str
    file: str
    size: int
    sha256: str


@dataclass(frozen=True)
class CatalogueModel:
    """A model emotune knows how to get without the hub.

    Either ``locate()`` returns a ready model folder shipped inside a package (MiniLM), or the ``pieces`` are
    joined in order into ``joined`` and ``convert(joined_file, folder)`` writes a normal model folder from it,
    once, under the emotune cache (:func:`emotune.models.catalogue.materialise`). ``weights`` maps files of the
    finished folder to their sha256 (checked when it is built); ``recipe`` (and per adapter method
    ``adapter_recipe``) maps ``train.*`` keys left at ``auto`` to what they become for this model, over its
    family's recipe (:mod:`emotune.models.recipes`; ``emotune config show`` prints them and ``recipe_source``).
    """

    name: str
    family: Literal["encoder", "decoder"]
    parameters: int
    language: str
    licence: str
    licence_id: str  # the Hugging Face hub's id of that licence, for model cards
    install: str  # the command that installs what this model needs
    packages: tuple[str, ...]  # distributions that must be installed (checked before anything is built)
    base_model: str  # the upstream hub id, for model cards
    locate: Callable[[], Path] | None = None
    pieces: tuple[Piece, ...] = ()
    joined: str = ""
    convert: Callable[[Path, Path], None] | None = None
    weights: dict[str, str | None] = field(default_factory=dict)  # None: recorded, not compared
    recipe: dict[str, Any] = field(default_factory=dict)  # train.* key -> value, over the family's recipe
    adapter_recipe: dict[str, dict[str, Any]] = field(default_factory=dict)  # peft method -> train.* overrides
    recipe_source: str = ""
    needs: tuple[str, ...] = ()  # importable modules the conversion needs besides the pieces (gguf)
