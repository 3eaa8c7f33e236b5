"""Which floating-point precision a transformer trains and predicts in.

``precision: auto`` means bf16 where the hardware runs it natively (a CUDA GPU with bf16, or a CPU with
AVX-512 BF16 / AMX), fp16 on older GPUs, else fp32. Results then depend on the machine; set
``EMOTUNE_AUTO_PRECISION=fp32`` (or ``bf16``) to make ``auto`` the same everywhere, as the test suite does.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import torch

from emotune.errors import ConfigError, SettingError

AUTO_ENV = "EMOTUNE_AUTO_PRECISION"
PRECISIONS = ("fp32", "bf16", "fp16")


def cpu_supports_bf16() -> bool:
    """True on CPUs with native bf16 instructions (AVX-512 BF16 or AMX); elsewhere bf16 is emulated and slow."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def native_precision() -> str:
    """The fastest precision this machine runs natively."""
    if torch.cuda.is_available():
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return "bf16" if cpu_supports_bf16() else "fp32"


def auto_precision() -> str:
    """What ``precision: auto`` means on this machine: ``EMOTUNE_AUTO_PRECISION`` where set, else the native one."""
    forced = os.environ.get(AUTO_ENV, "").strip()
    if forced and forced not in PRECISIONS:
        raise ConfigError(AUTO_ENV, [f"{forced!r} is not a precision; use one of {', '.join(PRECISIONS)}"])
    return forced or native_precision()


def resolve_precision(requested: str) -> str:
    """``fp32`` / ``bf16`` / ``fp16`` for a requested ``train.precision`` (``auto``: see the module doc)."""
    if requested == "auto":
        requested = auto_precision()
    if requested == "fp16" and not torch.cuda.is_available():
        raise SettingError("train.precision", "fp16 needs a CUDA GPU; use bf16 or fp32 on a CPU")
    return requested


def runnable_precision(saved: str) -> str:
    """The precision to predict in with a model trained in ``saved``: the same where this machine runs it
    natively (or where ``EMOTUNE_AUTO_PRECISION`` makes it the machine's choice), else fp32 (bf16 emulated on a
    CPU without it is several times slower than fp32)."""
    return saved if saved == "fp32" or saved == auto_precision() else "fp32"


def autocast(device: torch.device, precision: str) -> contextlib.AbstractContextManager[None]:
    """Autocast to bf16 / fp16 on ``device`` when ``precision`` asks for it; a no-op for fp32."""
    if precision == "fp32":
        return contextlib.nullcontext()
    dtype = torch.bfloat16 if precision == "bf16" else torch.float16
    return torch.autocast(device.type, dtype=dtype)
