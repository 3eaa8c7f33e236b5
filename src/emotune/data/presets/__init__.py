"""Dataset presets, one module each; looked up by name in :data:`PRESETS` (see :mod:`.base` for the registry
and third-party presets). Adding a built-in preset: a module here exporting ``PRESET`` (or ``PRESETS``) and
one line in :data:`BUILTIN`."""

from __future__ import annotations

import importlib

from emotune.data.presets.base import (
    PRESETS,
    Preset,
    find_split_file,
    get_preset,
    load_file,
    load_plugins,
    read_label_names,
    register,
    settle_autos,
)

BUILTIN = ("generic", "semeval", "goemotions", "dailydialog", "dialogues", "dair", "cedr", "ru_izard")

for _name in BUILTIN:
    _module = importlib.import_module(f"{__name__}.{_name}")
    for _preset in getattr(_module, "PRESETS", None) or (_module.PRESET,):
        register(_preset)
load_plugins()

__all__ = [
    "PRESETS",
    "Preset",
    "find_split_file",
    "get_preset",
    "load_file",
    "read_label_names",
    "register",
    "settle_autos",
]
