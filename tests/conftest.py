"""Shared fixtures: the bundled sample data, tiny files written per test, and an in-process CLI runner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

import emotune
from emotune.cli import main


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``emotune ARGS...`` in-process; returns exit code, stdout and stderr."""

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return emotune.sample_data_dir()


@pytest.fixture(scope="session")
def trained_bundle(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> Path:
    """A TF-IDF bundle trained once on the sample data through the CLI, shared by read-only tests."""
    run_dir = tmp_path_factory.mktemp("run")
    assert main(["-q", "baseline", "--preset", "semeval2018-ec", "--data-dir", str(sample_dir),
                 "--output", str(run_dir)]) == 0  # fmt: skip
    return run_dir / "model"
