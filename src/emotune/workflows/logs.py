"""Copy the ``emotune`` log of one run into a file in its run folder."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def log_to_file(path: Path) -> Iterator[None]:
    from emotune.training.distributed import is_main_process

    if not is_main_process():  # under torchrun only rank 0 writes the run folder
        yield
        return
    logger = logging.getLogger("emotune")
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    previous = logger.level
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
        handler.close()
