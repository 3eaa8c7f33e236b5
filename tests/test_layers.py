"""The layers contract for imports that import-linter cannot see: a module named in a string (``importlib``
registries: model kinds, trackers, presets) must sit in the importing module's layer or below, as a plain
import must. The old ``ensemble`` kind (``models/base.py`` naming ``emotune.ensembles.model``, three layers up)
is the case this would have caught."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "emotune"
MODULE = re.compile(r"^emotune(\.[a-z_][a-z0-9_]*)+$")


def _layers() -> list[list[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")
    return [[part.strip() for part in re.split(r"[|:]", layer)] for layer in contract["layers"]]


def _place(module: str, layers: list[list[str]]) -> tuple[int, str] | None:
    """(layer index, the sibling of that layer) holding ``module``; None for the package root."""
    for index, siblings in enumerate(layers):
        for sibling in siblings:
            if module == sibling or module.startswith(sibling + "."):
                return index, sibling
    return None


def _named_modules(path: Path) -> list[str]:
    """Every string constant in ``path`` that is a dotted emotune module path."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and MODULE.match(node.value)]  # fmt: skip


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def upward_names(layers: list[list[str]]) -> list[str]:
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = _place(_module_name(path), layers)
        if source is None:  # emotune/__init__.py: the public API re-exports every layer
            continue
        for target in _named_modules(path):
            place = _place(target, layers)
            if place is None:
                continue
            upward = place[0] < source[0]
            sibling = place[0] == source[0] and place[1] != source[1]
            if upward or sibling:
                problems.append(f"{_module_name(path)} names {target}")
    return problems


def test_modules_named_in_strings_respect_the_layers() -> None:
    assert upward_names(_layers()) == []


def test_the_check_sees_a_module_named_above_its_layer() -> None:
    """With the TF-IDF kind made a layer of its own above the model layer, the kind registry in
    ``models/base.py`` names a module above its own: the check must say so (it did for the old ensemble kind)."""
    layers = _layers()
    models = layers.index(["emotune.models"])
    raised = [*layers[:models], ["emotune.models.tfidf"], *layers[models:]]
    assert "emotune.models.base names emotune.models.tfidf" in upward_names(raised)
