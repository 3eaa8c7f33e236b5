"""Which int8 quantisation keeps a bundle's dev macro-F1 (issue 34 item 4: MPNet int8 within 0.005 of fp32).

The bundle's fp32 ONNX export (``emotune``'s cached one, made on first use) is quantised with onnxruntime's
``quantize_dynamic`` (matrix products only, int8 weights) in each variant below, loaded as an ONNX bundle and
scored on the SemEval dev file with the bundle's own thresholds. texts/s is one pass over dev after a 16-text
warm-up.

- ``per_channel``: weights per output channel, 8 bits;
- ``per_channel_reduce_range``: the same with 7-bit weights (``emotune export --quantize int8``);
- ``per_tensor``: one scale per weight matrix;
- ``per_tensor_fp32_ffn_out``: per tensor, the feed-forward output projections (``output/dense``) kept fp32;
- ``per_tensor_fp32_ffn``: per tensor, every feed-forward product (``dense``) kept fp32;
- ``per_channel_reduce_range_fp32_ffn_out`` / ``..._fp32_ffn``: emotune's rule with the feed-forward output
  products (weights wider in than out) / every product whose weight is not square kept fp32, found by shape;
- ``block_N``: ``emotune export --quantize int8-block`` with blocks of N inputs (``MatMulNBits``, 8 bits,
  activations quantised per token and block at run time);
- ``per_channel_u8`` / ``per_tensor_u8``: weights as unsigned 8-bit (``QUInt8``), which onnxruntime multiplies
  with the u8 activations without the 16-bit intermediate sums that u8 x s8 products saturate on CPUs without
  VNNI (the reason for its ``reduce_range`` option).

Whether a CPU has VNNI is recorded with each result: the u8 x s8 kernels differ there.

    python benchmarks/int8_variants.py RUN/model [--data-dir DIR] [--only VARIANT ...]

Results: ``benchmarks/results/int8_variants.json`` (one entry per bundle folder name of its run).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import DATA_ROOT, add_result  # noqa: E402

from emotune import EmotionClassifier  # noqa: E402
from emotune.config import DataConfig  # noqa: E402
from emotune.data.loading import load_like  # noqa: E402
from emotune.evaluation.metrics import compute_metrics  # noqa: E402
from emotune.inference.backends import load_classifier  # noqa: E402
from emotune.inference.export import quantize_int8_block  # noqa: E402

GRAPH = "model.onnx"
BLOCK_SIZES = (32, 64, 128, 256)  # block_N: emotune's int8-block quantiser with blocks of N inputs (default 128)


def variants(matmuls: dict[str, tuple[int, int]]) -> dict[str, dict[str, Any]]:
    """``quantize_dynamic`` options per variant, given the graph's MatMul node names and their weights' shapes
    (``(0, 0)`` where the second input is not a weight)."""
    out = [name for name in matmuls if "output/dense" in name]
    ffn = [name for name in matmuls if "dense" in name]
    # By shape, whatever the architecture calls them: the feed-forward products are the ones whose weight is not
    # square (hidden x intermediate in, intermediate x hidden out; the small classifier head too).
    wide_in = [name for name, (rows, cols) in matmuls.items() if rows > cols]
    not_square = [name for name, (rows, cols) in matmuls.items() if rows != cols]
    return {
        "per_channel": {"per_channel": True},
        "per_channel_reduce_range": {"per_channel": True, "reduce_range": True},
        "per_tensor": {"per_channel": False},
        "per_tensor_fp32_ffn_out": {"per_channel": False, "nodes_to_exclude": out},
        "per_tensor_fp32_ffn": {"per_channel": False, "nodes_to_exclude": ffn},
        "per_channel_u8": {"per_channel": True, "weight_type": "QUInt8"},
        "per_tensor_u8": {"per_channel": False, "weight_type": "QUInt8"},
        "per_channel_reduce_range_fp32_ffn_out": {"per_channel": True, "reduce_range": True,
                                                  "nodes_to_exclude": wide_in},
        "per_channel_reduce_range_fp32_ffn": {"per_channel": True, "reduce_range": True,
                                              "nodes_to_exclude": not_square},
        **{f"block_{size}": {"block_size": size} for size in BLOCK_SIZES},
    }  # fmt: skip


def vnni() -> bool:
    """Whether this CPU has 8-bit dot-product instructions (AVX512-VNNI or AVX-VNNI)."""
    flags = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").is_file() else ""
    return "avx512_vnni" in flags or "avx_vnni" in flags


def main() -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--data-dir", type=Path, default=DATA_ROOT / "semeval2018_ec")
    parser.add_argument("--only", nargs="+", help="these variants only (default: all)")
    args = parser.parse_args()
    started = time.perf_counter()
    onnx_clf = load_classifier(args.bundle, "onnx")  # exports once into the emotune cache
    exported = Path(onnx_clf.path_)
    dev = load_like("semeval2018-ec", str(args.data_dir / "2018-E-c-En-dev.txt"), DataConfig(preset="semeval2018-ec"),
                    onnx_clf.schema)  # fmt: skip
    texts = list(dev.texts)

    def scored(clf: EmotionClassifier) -> dict[str, float]:
        clf.predict_proba(texts[:16])  # warm-up
        begun = time.perf_counter()
        probs = clf.predict_proba(texts)
        rate = len(texts) / (time.perf_counter() - begun)
        f1 = compute_metrics(dev.y, onnx_clf.decide(probs), onnx_clf.schema)["macro_f1"]
        return {"dev_macro_f1": round(f1, 4), "texts_per_s": round(rate, 1)}

    result: dict[str, Any] = {"bundle": str(args.bundle), "vnni": vnni(), "fp32": scored(onnx_clf)}
    print("fp32", result["fp32"], flush=True)
    graph = onnx.load(str(exported / GRAPH), load_external_data=False)
    shapes = {init.name: tuple(init.dims) for init in graph.graph.initializer}
    matmuls = {node.name: shapes.get(node.input[1], (0, 0)) for node in graph.graph.node if node.op_type == "MatMul"}
    for name, options in variants(matmuls).items():
        if args.only and name not in args.only:
            continue
        with tempfile.TemporaryDirectory(prefix="emotune-int8-") as tmp:
            folder = Path(tmp) / "bundle"
            shutil.copytree(exported, folder)
            if "block_size" in options:
                quantize_int8_block(folder / GRAPH, options["block_size"])
            else:
                weight_type = QuantType[options.pop("weight_type", "QInt8")]
                quantize_dynamic(str(exported / GRAPH), str(folder / GRAPH), weight_type=weight_type,
                                 op_types_to_quantize=["MatMul"], **options)  # fmt: skip
            result[name] = scored(EmotionClassifier.load(folder)) | {
                "kept_fp32": len(options.get("nodes_to_exclude", []))
            }
        print(name, result[name], flush=True)
    result["wall_seconds"] = round(time.perf_counter() - started, 1)
    add_result("int8_variants.json", args.bundle.parent.name, result)


if __name__ == "__main__":
    main()
