"""``emotune train`` / ``emotune baseline``: one training run into a run folder.

The steps (read top to bottom in :func:`emotune.runs.training.run`) are shared with every ``emotune sweep``
trial, so they live in the run layer below the workflows, which never import each other.
"""

from emotune.runs.training import TrainResult, run

__all__ = ["TrainResult", "run"]
