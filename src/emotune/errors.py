"""One error format for everything a user can get wrong.

Every error a user can fix (bad config, bad data, missing file) is an :class:`EmotuneError`. Its message is
one line that names the file, the row or the key and says how to fix it. The CLI prints it to stderr and
exits with code 2; anything else is a bug and exits with code 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class EmotuneError(Exception):
    """A problem the user can fix: bad input, bad config, missing file."""


class ConfigError(EmotuneError):
    """A config file or override is invalid. Lists every problem at once."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = list(problems)
        count = f"{len(self.problems)} problem" + ("s" if len(self.problems) != 1 else "")
        super().__init__(f"{source}: {count}: " + "; ".join(self.problems))


class DataError(EmotuneError):
    """A data file cannot be used as it is."""


class SettingError(ConfigError):
    """One setting (a dotted config key) cannot work, found where it is used rather than in a config file.

    >>> str(SettingError("train.precision", "fp16 needs a CUDA GPU; use bf16 or fp32 on a CPU"))
    'train.precision: fp16 needs a CUDA GPU; use bf16 or fp32 on a CPU'
    """

    def __init__(self, key: str, problem: str) -> None:
        self.source = key
        self.what = problem
        self.problems = [f"{key}: {problem}"]
        EmotuneError.__init__(self, self.problems[0])


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a config, found before any work: where (a dotted key), what, and how to fix it."""

    where: str
    what: str
    fix: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}; {self.fix}"
