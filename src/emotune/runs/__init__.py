"""Run folders: what every training-like workflow (train, cv, sweep) writes, in one place."""

from emotune.runs.folder import RunFolder

__all__ = ["RunFolder"]
