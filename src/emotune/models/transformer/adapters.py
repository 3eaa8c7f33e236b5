"""Adapters (LoRA, rsLoRA, DoRA, IA3 through ``peft``) and 4-bit QLoRA loading (``bitsandbytes``, CUDA only).

The classification head is always in ``modules_to_save``: it is trained in full and saved with the adapter,
so a reloaded bundle scores exactly like the model that was trained.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import torch
from torch import nn

from emotune.config import ModelConfig
from emotune.errors import SettingError
from emotune.models.families import default_targets

ADAPTER_DIR = "adapter"


def quantization_kwargs(cfg: ModelConfig) -> dict[str, Any]:
    """``from_pretrained`` keyword arguments: NF4 with double quantisation and bf16 compute, on GPU 0."""
    if cfg.quantization != "4bit" or not torch.cuda.is_available():
        return {}
    from transformers import BitsAndBytesConfig

    quant = BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=torch.bfloat16,
    )
    return {"quantization_config": quant, "device_map": {"": 0}, "dtype": torch.bfloat16}


def prepare_quantized(module: nn.Module, cfg: ModelConfig) -> nn.Module:
    """peft's preparation of a 4-bit model for training: norms in fp32, input gradients, checkpointing."""
    if cfg.quantization != "4bit" or not torch.cuda.is_available():
        return module
    from peft import prepare_model_for_kbit_training

    return prepare_model_for_kbit_training(
        module, use_gradient_checkpointing=True, gradient_checkpointing_kwargs={"use_reentrant": False}
    )


def peft_config(cfg: ModelConfig, model_type: str, head: str | None, task_type: str | None) -> Any:
    """The ``peft`` config for ``cfg.peft``; ``head`` (the classifier module name) is trained and saved in full."""
    from peft import IA3Config, LoraConfig

    p = cfg.peft
    if p.target_modules == "auto":
        targets, feedforward = default_targets(p.method, model_type)
    else:
        targets, feedforward = p.target_modules, []
    save = [head] if head else None
    if p.method == "ia3":
        feedforward = [m for m in feedforward if m in targets]
        return IA3Config(target_modules=targets, feedforward_modules=feedforward, modules_to_save=save,
                         task_type=task_type)  # fmt: skip
    return LoraConfig(
        r=p.r,
        lora_alpha=p.alpha,
        lora_dropout=p.dropout,
        target_modules=targets,
        modules_to_save=save,
        use_rslora=p.method == "rslora",
        use_dora=p.method == "dora",
        task_type=task_type,
    )


def apply_peft(module: nn.Module, cfg: ModelConfig, model_type: str, head: str | None, task_type: str | None) -> Any:
    """Wrap ``module`` with the adapter ``cfg.peft`` describes; only adapter and head weights stay trainable."""
    from peft import get_peft_model

    try:
        return get_peft_model(module, peft_config(cfg, model_type, head, task_type))
    except ValueError as exc:  # e.g. target modules not found in the model
        raise SettingError("model.peft", str(exc).splitlines()[0]) from None


def load_adapter(module: nn.Module, directory: Path) -> Any:
    """The adapter saved in ``directory`` on top of the freshly loaded base ``module`` (inference mode)."""
    from peft import PeftModel

    return PeftModel.from_pretrained(module, str(directory), is_trainable=False)


def trainable_parameters(module: nn.Module) -> tuple[int, int]:
    """``(trainable, total)`` parameter counts."""
    trainable = sum(p.numel() for p in module.parameters() if p.requires_grad)
    return trainable, sum(p.numel() for p in module.parameters())


def merge_adapter(module: Any) -> nn.Module:
    """Fold the adapter into the base weights and return the plain model.

    The trained head copies are put in place of their ``modules_to_save`` wrappers first: peft's IA3 unload
    fails on a wrapped head that is not a single ``nn.Linear``.
    """
    from peft.utils import ModulesToSaveWrapper

    for name, wrapper in list(module.named_modules()):
        if isinstance(wrapper, ModulesToSaveWrapper):
            parent_name, _, attribute = name.rpartition(".")
            parent = module.get_submodule(parent_name) if parent_name else module
            setattr(parent, attribute, wrapper.modules_to_save[wrapper.active_adapters[0]])
    return cast(nn.Module, module.merge_and_unload())
