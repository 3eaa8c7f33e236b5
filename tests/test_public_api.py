from __future__ import annotations

import subprocess
import sys

import pytest

import emotune


@pytest.mark.parametrize("name", emotune.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(emotune, name) is not None


def test_unknown_attribute() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        emotune.nope  # noqa: B018


def test_cli_start_does_not_import_heavy_libraries() -> None:
    code = "import sys, emotune.cli; print(sorted({'sklearn', 'torch', 'transformers'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
