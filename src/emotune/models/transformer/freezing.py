"""Which parameters train, and how they start: frozen embeddings / lower layers, re-initialised top layers,
layer-wise lr decay.

Layers are found by name (``...layer.3.``, ``...layers.3.``, ``...block.3.``, ``...h.3.``), so the same code
serves BERT-style encoders and decoder LLMs. The head (a module named ``head`` or ``score``) is never frozen.
"""

from __future__ import annotations

import re
from typing import Any

from torch import nn

from emotune.config import ModelConfig
from emotune.errors import SettingError

_LAYER = re.compile(r"(?:^|\.)(?:layer|layers|block|h)\.(\d+)\.")


def layer_index(name: str) -> int | None:
    """The transformer layer a parameter name belongs to, if any.

    >>> layer_index("encoder.layer.3.attention.self.query.weight"), layer_index("embeddings.word.weight")
    (3, None)
    """
    match = _LAYER.search(name)
    return int(match.group(1)) if match else None


def _in_head(name: str, head: str | None) -> bool:
    return head is not None and head in name.split(".")


def freeze(module: nn.Module, cfg: ModelConfig, head: str | None = "head") -> None:
    """Freeze the embeddings and/or the first ``cfg.freeze_layers`` transformer layers (never the head)."""
    for name, param in module.named_parameters():
        if _in_head(name, head):
            continue
        index = layer_index(name)
        if (cfg.freeze_embeddings and "embed" in name) or (index is not None and index < cfg.freeze_layers):
            param.requires_grad_(False)


def reinit(module: nn.Module, cfg: ModelConfig, head: str | None = "head") -> None:
    """Re-initialise the top ``cfg.reinit_layers`` transformer layers as BERT initialises them (normal(0,
    ``initializer_range``) weights, zero biases, unit norms), so fine-tuning starts them afresh (Zhang et al.
    2021, "Revisiting Few-sample BERT Fine-tuning")."""
    if not cfg.reinit_layers:
        return
    indexed = [(index, m) for name, m in module.named_modules()
               if not _in_head(name, head) and (index := layer_index(name + ".")) is not None]  # fmt: skip
    n_layers = max((index for index, _ in indexed), default=-1) + 1
    if cfg.reinit_layers > n_layers:
        raise SettingError("model.reinit_layers", f"{cfg.reinit_layers} asked, the model has {n_layers} layers")
    config = getattr(module, "config", None) or getattr(getattr(module, "encoder", None), "config", None)
    std = float(getattr(config, "initializer_range", 0.02))
    for index, m in indexed:
        if index < n_layers - cfg.reinit_layers:
            continue
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0.0, std)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)


def param_groups(
    module: nn.Module, lr: float, weight_decay: float, decay: float, head: str | None = "head"
) -> list[dict[str, Any]]:
    """AdamW groups: no weight decay on biases and norms; layer-wise lr decay ``decay`` from the top layer
    (``lr * decay``) down to the embeddings (``lr * decay ** (n_layers + 1)``); the head gets ``lr``."""
    names = [n for n, _ in module.named_parameters() if not _in_head(n, head)]
    n_layers = max((i for n in names if (i := layer_index(n)) is not None), default=-1) + 1
    groups: dict[tuple[float, float], list[nn.Parameter]] = {}
    for name, param in module.named_parameters():
        if not param.requires_grad:
            continue
        if _in_head(name, head):
            depth = 0
        elif (index := layer_index(name)) is not None:
            depth = n_layers - index
        else:
            depth = n_layers + 1  # embeddings and anything below the layers
        no_decay = param.ndim < 2 or "norm" in name.lower()
        key = (lr * decay**depth, 0.0 if no_decay else weight_decay)
        groups.setdefault(key, []).append(param)
    return [{"params": params, "lr": group_lr, "weight_decay": wd} for (group_lr, wd), params in groups.items()]
