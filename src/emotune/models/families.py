"""What emotune knows about model families: catalogue names, encoder or decoder, default adapter targets.

Nothing here imports torch; the hub is only asked for a config when a name is neither a catalogue model
(:mod:`emotune.models.catalogue`) nor a folder.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from emotune.errors import SettingError
from emotune.models.catalogue import CATALOGUE, model_path

# Decoder (causal LM) families whose AutoModelForSequenceClassification pools the last real token.
DECODER_TYPES = frozenset(
    {"llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "gemma", "gemma2", "gemma3_text", "phi", "phi3",
     "gpt2", "gpt_neox", "falcon", "olmo", "olmo2", "smollm3", "granite", "stablelm", "starcoder2"}
)  # fmt: skip

# LoRA: every attention projection of the usual decoder families (peft's own defaults only wrap q and v).
_ATTENTION = ("q_proj", "k_proj", "v_proj", "o_proj")
LORA_TARGETS: dict[str, list[str]] = {
    **{
        family: list(_ATTENTION)
        for family in ("llama", "mistral", "mixtral", "qwen2", "qwen3", "gemma", "gemma2", "gemma3_text", "granite")
    },
    "phi3": ["qkv_proj", "o_proj"],
    "phi": ["q_proj", "k_proj", "v_proj", "dense"],
}
# IA3: (target modules, the feed-forward ones among them, which are scaled on their input).
IA3_TARGETS: dict[str, tuple[list[str], list[str]]] = {"phi3": (["qkv_proj", "down_proj"], ["down_proj"])}


def resolve_model_path(name: str) -> str:
    """A catalogue name (its folder, built on first use), a local folder, or a hub id (checked here, so a bad
    name fails before any work)."""
    if name in CATALOGUE:
        return str(model_path(name))
    if Path(name).is_dir():
        return name
    _hub_config(name)
    return name


@functools.lru_cache(maxsize=16)
def _hub_config(name: str) -> dict[str, Any]:
    """A hub model's config, asked of the hub once per process (validation, the model kind and the build
    each need it)."""
    from transformers import AutoConfig

    try:
        return dict(AutoConfig.from_pretrained(name).to_dict())
    except (OSError, ValueError) as exc:
        reason = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
        raise SettingError(
            "model.name",
            f"cannot load {name!r} from the Hugging Face hub ({reason}); without hub "
            "access, download it elsewhere and pass its local folder: model=/path/to/model",
        ) from None


def model_config(name: str) -> dict[str, Any]:
    """The ``config.json`` of a model name (catalogue name, folder or hub id) as a dict."""
    path = resolve_model_path(name)
    local = Path(path, "config.json")
    if local.is_file():
        loaded: dict[str, Any] = json.loads(local.read_text(encoding="utf-8"))
        return loaded
    return dict(_hub_config(path))


def is_decoder(config: dict[str, Any]) -> bool:
    """True for causal-LM families (Llama, Gemma, Qwen2, Mistral, Phi, ...)."""
    architectures = config.get("architectures") or []
    return config.get("model_type") in DECODER_TYPES or any(a.endswith("ForCausalLM") for a in architectures)


def default_targets(method: str, model_type: str) -> tuple[list[str], list[str]]:
    """``(target_modules, feedforward_modules)`` for an adapter ``method`` on a ``model_type``."""
    from peft.utils import constants

    if method == "ia3":
        if model_type in IA3_TARGETS:
            return IA3_TARGETS[model_type]
        targets = constants.TRANSFORMERS_MODELS_TO_IA3_TARGET_MODULES_MAPPING.get(model_type)
        feedforward = constants.TRANSFORMERS_MODELS_TO_IA3_FEEDFORWARD_MODULES_MAPPING.get(model_type, [])
    else:
        mapping = constants.TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING
        targets = LORA_TARGETS.get(model_type) or list(mapping.get(model_type) or [])
        feedforward = []
    if not targets:
        raise SettingError(
            "model.peft.target_modules",
            f"no default {method} targets for model type "
            f"{model_type!r}; list the module names to adapt, e.g. model.peft.target_modules=[q_proj,v_proj]",
        )
    return list(targets), list(feedforward)
