from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import emotune


@pytest.mark.parametrize("name", emotune.__all__)
def test_every_public_name_is_a_documented_emotune_object(name: str) -> None:
    obj = getattr(emotune, name)  # resolved lazily: a broken import fails here
    if isinstance(obj, dict):  # the registries (METRICS, PRESETS): short name -> entry
        assert obj and all(isinstance(key, str) for key in obj)
    else:
        assert obj.__module__.startswith("emotune"), f"{name} comes from {obj.__module__}, not emotune"
        assert inspect.getdoc(obj), f"{name} is public and needs a docstring"


def test_unknown_attribute() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        emotune.nope  # noqa: B018


def test_cli_start_does_not_import_heavy_libraries() -> None:
    code = "import sys, emotune.cli; print(sorted({'sklearn', 'torch', 'transformers'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
