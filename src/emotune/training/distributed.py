"""Multi-process training under ``torchrun`` or ``accelerate launch`` (DDP; gloo on CPU, NCCL on GPUs).

Every process runs the same ``emotune train``; the Trainer splits the batches and averages gradients. Only
the main process (rank 0) writes the run folder, logs to the console and saves the bundle. The launchers
set ``RANK`` and ``WORLD_SIZE``; without them this is the one process of a plain run.
"""

from __future__ import annotations

import os
import sys


def world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def is_main_process() -> bool:
    return int(os.environ.get("RANK", "0")) == 0


def finish() -> None:
    """Tear the process group down at the end of a distributed run (torch warns otherwise)."""
    if "torch" not in sys.modules:
        return
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()
