"""``emotune export``: a transformer bundle as an ONNX bundle (fp32, or int8 with dynamic quantisation).

The graph ends in the sigmoid (multilabel) or softmax (multiclass), so it outputs probabilities, and the
bundle keeps everything else of the source: labels, thresholds, preprocessing, dialogue settings, metrics.
LoRA bundles are exported merged (loading one merges its adapter). ``predict``, ``evaluate`` and ``serve``
load the result like any other bundle (:mod:`emotune.models.onnx`).
"""

from __future__ import annotations

import copy
import json
import logging
import tempfile
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from emotune.classifier import EmotionClassifier
from emotune.errors import DataError, EmotuneError
from emotune.models.onnx import EXTRA, GRAPH, SETTINGS, TOKENIZER, OnnxModel

log = logging.getLogger("emotune")

BLOCK_SIZE = 128  # int8-block: weights per block of this many inputs (BENCHMARKS.md, "int8 in blocks")
EXPORTABLE = ("encoder", "decoder")
_WHY_NOT = {
    "tfidf": "a TF-IDF bundle runs in scikit-learn, without torch, and is already fast",
    "generative": "a generative bundle writes its labels token by token; ONNX export covers classifier heads",
    "ensemble": "an ensemble holds several bundles: export each member",
    "onnx": "it is already an ONNX bundle",
}
OPSET = 17


def export_onnx(model: str | Path | EmotionClassifier, output: str | Path, quantize: str = "none") -> Path:
    """Write the ONNX bundle of ``model`` (a bundle folder or a loaded classifier) to ``output``.

    ``quantize="int8"``: the weights of every matrix product in 7-bit int8 (per channel), activations quantised
    on the fly, one scale per batch (ONNX Runtime dynamic quantisation; VNNI instructions where the CPU has them):
    the fastest, and on MiniLM within about 0.01 macro-F1, but larger models can lose more.
    ``quantize="int8-block"``: weights and activations in int8 per block of :data:`BLOCK_SIZE` inputs, each token
    its own scales (ONNX Runtime ``MatMulNBits``): much closer to fp32's answers than ``int8`` (an MPNet bundle kept
    its dev macro-F1 at twice fp32's speed), about half way between fp32 and ``int8`` in speed.
    """
    if quantize not in QUANTIZATIONS:
        raise EmotuneError(f"--quantize {quantize}: choose one of {', '.join(QUANTIZATIONS)}")
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        raise EmotuneError(f"export --format onnx needs onnx and onnxruntime; {EXTRA}") from None
    clf = model if isinstance(model, EmotionClassifier) else EmotionClassifier.load(model)
    source = str(getattr(clf, "path_", model))
    kind = clf.model_.kind
    if kind not in EXPORTABLE:
        raise DataError(f"{source}: cannot export a {kind} bundle to ONNX ({_WHY_NOT.get(kind, kind)})")
    output = Path(output)
    with tempfile.TemporaryDirectory(prefix="emotune-onnx-") as tmp:
        folder = Path(tmp)
        settings = _write_graph(clf, folder / GRAPH)
        QUANTIZERS[quantize](folder / GRAPH)
        _write_tokenizer(clf, folder / TOKENIZER)
        settings.update(quantization=quantize, exported_from={"kind": kind, "path": source})
        (folder / SETTINGS).write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
        onnx_clf = EmotionClassifier.from_parts(clf.config, clf.schema, clf.calibrator, OnnxModel.load(folder),
                                                getattr(clf, "metrics_", {}))  # fmt: skip
        onnx_clf.save(output, onnx_clf.metrics_)
    log.info("exported %s (%s) to %s: ONNX opset %d, %s", source, kind, output, OPSET,
             "fp32" if quantize == "none" else f"{quantize} weights")  # fmt: skip
    return output


def _write_graph(clf: EmotionClassifier, path: Path) -> dict[str, Any]:
    """Trace a copy of the module (fp32, on the CPU) with its probabilities on top into ``path``; returns the
    settings the graph needs. The classifier itself is left as it was."""
    import torch

    transformer: Any = clf.model_
    module = copy.deepcopy(transformer.module_).float().cpu().eval()
    sample = transformer.inputs_(["an example text", "a second, longer example text"], padding=True,
                                 return_tensors="pt")  # fmt: skip
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in sample]
    graph = _probabilities(module, names, clf.task)
    axes = {n: {0: "batch", 1: "tokens"} for n in names} | {"probabilities": {0: "batch"}}
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # tracer warnings about Python control flow on shapes
        try:
            torch.onnx.export(graph, tuple(sample[n] for n in names), str(path), input_names=names,
                              output_names=["probabilities"], dynamic_axes=axes, opset_version=OPSET,
                              dynamo=False)  # fmt: skip
        except Exception as exc:
            detail = (str(exc).strip().splitlines() or [""])[0][:160]
            raise DataError(f"ONNX export of this {transformer.kind} failed ({type(exc).__name__}: {detail}); "
                            "predict with the torch backend instead") from exc  # fmt: skip
    tokenizer = transformer.tokenizer_
    prefix = transformer.inputs_.prefix
    return {"schema": clf.schema.to_dict(), "inputs": names, "pad_id": int(tokenizer.pad_token_id), "prefix": prefix}


def _probabilities(module: Any, names: list[str], task: str) -> Any:
    """``module`` (an emotune classifier taking keyword inputs) as a module of positional inputs that ends in
    probabilities: what the graph computes."""
    import torch

    class Probabilities(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = module

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            logits = self.inner(**dict(zip(names, inputs, strict=True)))["logits"].float()
            return torch.softmax(logits, dim=-1) if task == "multiclass" else torch.sigmoid(logits)

    return Probabilities().eval()  # a new module trains by default, and the exporter restores that mode


def quantize_int8(path: Path, keep_fp32: Sequence[str] = ()) -> None:
    """Dynamic int8 quantisation of the matrix products in place, weights per output channel in 7 bits; the graph
    nodes named in ``keep_fp32`` stay as they are (``benchmarks/inference.py --only int8`` uses that).

    7 bits (``reduce_range``) because the same file must predict on any CPU: without VNNI, onnxruntime sums pairs
    of u8 x s8 products in 16 bits, which full-range per-channel weights saturate. An MPNet bundle quantised with
    8 bits scored 0.114 dev macro-F1 on an AVX2 CPU (fp32: 0.578) and 0.590 on a VNNI one (fp32: 0.610); with 7 bits
    0.543 and 0.583 (BENCHMARKS.md, "int8 on CPUs with and without VNNI")."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory(prefix="emotune-int8-") as tmp:
        target = Path(tmp) / GRAPH
        logging.getLogger().disabled, was = True, logging.getLogger().disabled  # its "run pre-processing" hint
        try:
            quantize_dynamic(str(path), str(target), weight_type=QuantType.QInt8, per_channel=True,
                             reduce_range=True, op_types_to_quantize=["MatMul"],
                             nodes_to_exclude=list(keep_fp32))  # fmt: skip
        finally:
            logging.getLogger().disabled = was
        target.replace(path)


def quantize_int8_block(path: Path, block_size: int = BLOCK_SIZE) -> None:
    """Blockwise int8 quantisation of the matrix products in place: each weight column in blocks of
    ``block_size`` inputs with a scale each, and at run time each row of activations the same way (ONNX Runtime's
    ``MatMulNBits``, ``accuracy_level`` 4: int8 products). An outlier value then costs precision in its own block
    of its own token only, where dynamic ``int8`` shares one activation scale across the whole batch."""
    import onnx

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        from onnxruntime.quantization import matmul_nbits_quantizer as nbits
        from onnxruntime.quantization.quant_utils import QuantFormat
    except ImportError as exc:  # onnx-ir: an install from before int8-block joined the [onnx] extra
        raise EmotuneError(f"--quantize int8-block needs {exc.name or exc}; {EXTRA}") from None
    finally:  # the module configures the root logger when imported: undo that
        root.handlers[:], root.level = handlers, level
    logging.getLogger(nbits.__name__).setLevel(logging.WARNING)  # one INFO line per matrix otherwise
    config = nbits.DefaultWeightOnlyQuantConfig(block_size=block_size, is_symmetric=True, accuracy_level=4,
                                                quant_format=QuantFormat.QOperator, op_types_to_quantize=("MatMul",),
                                                quant_axes=(("MatMul", 0),), bits=8)  # fmt: skip
    quantizer = nbits.MatMulNBitsQuantizer(onnx.load(str(path)), algo_config=config)
    quantizer.process()
    with tempfile.TemporaryDirectory(prefix="emotune-int8-block-") as tmp:
        target = Path(tmp) / GRAPH
        quantizer.model.save_model_to_file(str(target), False)
        target.replace(path)


QUANTIZERS: dict[str, Callable[[Path], None]] = {
    "none": lambda path: None,
    "int8": quantize_int8,
    "int8-block": quantize_int8_block,
}
QUANTIZATIONS = tuple(QUANTIZERS)  # the --quantize choices


def _write_tokenizer(clf: EmotionClassifier, path: Path) -> None:
    """The fast tokenizer with the model's truncation built in (padding is done per batch at prediction)."""
    from tokenizers import Tokenizer

    transformer: Any = clf.model_
    hf = transformer.tokenizer_
    if not getattr(hf, "is_fast", False):
        raise DataError("ONNX export needs a fast tokenizer (tokenizer.json); save the model's tokenizer with one")
    tokenizer = Tokenizer.from_str(hf.backend_tokenizer.to_str())
    tokenizer.no_padding()
    strategy = "only_second" if transformer.inputs_.prefix is not None else "longest_first"
    tokenizer.enable_truncation(int(transformer.inputs_.max_length), strategy=strategy,
                                direction=str(getattr(hf, "truncation_side", "right")))  # fmt: skip
    tokenizer.save(str(path))
