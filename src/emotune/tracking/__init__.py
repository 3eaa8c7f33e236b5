"""Experiment tracking: MLflow, Weights & Biases and TensorBoard behind one small interface.

Workflows call :func:`start` for every run (a no-op unless ``track.to`` names trackers) and
:func:`log_outputs` at its end; the Trainer path adds :class:`~emotune.tracking.callback.TrackingCallback`
for per-epoch metrics. Adding a tracker is one module exporting a :class:`Backend` subclass as ``BACKEND``
and one line in ``TRACKERS``.
"""

from emotune.tracking.base import Backend
from emotune.tracking.outputs import log_outputs, tracking_callbacks
from emotune.tracking.run import TRACKERS, TrackedRun, active, start

__all__ = ["TRACKERS", "Backend", "TrackedRun", "active", "log_outputs", "start", "tracking_callbacks"]
