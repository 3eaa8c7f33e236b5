"""Which int8 quantisation keeps a bundle's dev macro-F1 (issue 34 item 4: MPNet int8 within 0.005 of fp32).

The bundle's fp32 ONNX export (``emotune``'s cached one, made on first use) is quantised with onnxruntime's
``quantize_dynamic`` (matrix products only, int8 weights) in each variant below, loaded as an ONNX bundle and
scored on the SemEval dev file with the bundle's own thresholds. texts/s is one pass over dev.

- ``per_channel``: weights per output channel (``emotune export --quantize int8``);
- ``per_channel_reduce_range``: the same with 7-bit weights;
- ``per_tensor``: one scale per weight matrix;
- ``per_tensor_fp32_ffn_out``: per tensor, the feed-forward output projections (``output/dense``) kept fp32;
- ``per_tensor_fp32_ffn``: per tensor, every feed-forward product (``dense``) kept fp32;
- ``per_channel_u8`` / ``per_tensor_u8``: weights as unsigned 8-bit (``QUInt8``), which onnxruntime multiplies
  with the u8 activations without the 16-bit intermediate sums that u8 x s8 products saturate on CPUs without
  VNNI (the reason for its ``reduce_range`` option).

Whether a CPU has VNNI is recorded with each result: the u8 x s8 kernels differ there.

    python benchmarks/int8_variants.py RUN/model [--data-dir DIR]

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

GRAPH = "model.onnx"


def variants(matmuls: list[str]) -> dict[str, dict[str, Any]]:
    """``quantize_dynamic`` options per variant, given the graph's MatMul node names."""
    out = [name for name in matmuls if "output/dense" in name]
    ffn = [name for name in matmuls if "dense" in name]
    return {
        "per_channel": {"per_channel": True},
        "per_channel_reduce_range": {"per_channel": True, "reduce_range": True},
        "per_tensor": {"per_channel": False},
        "per_tensor_fp32_ffn_out": {"per_channel": False, "nodes_to_exclude": out},
        "per_tensor_fp32_ffn": {"per_channel": False, "nodes_to_exclude": ffn},
        "per_channel_u8": {"per_channel": True, "weight_type": "QUInt8"},
        "per_tensor_u8": {"per_channel": False, "weight_type": "QUInt8"},
    }


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
    args = parser.parse_args()
    started = time.perf_counter()
    onnx_clf = load_classifier(args.bundle, "onnx")  # exports once into the emotune cache
    exported = Path(onnx_clf.path_)
    dev = load_like("semeval2018-ec", str(args.data_dir / "2018-E-c-En-dev.txt"), DataConfig(preset="semeval2018-ec"),
                    onnx_clf.schema_)  # fmt: skip
    texts = list(dev.texts)

    def scored(clf: EmotionClassifier) -> dict[str, float]:
        begun = time.perf_counter()
        probs = clf.predict_proba(texts)
        rate = len(texts) / (time.perf_counter() - begun)
        f1 = compute_metrics(dev.y, onnx_clf.calibrator_.predict(probs), onnx_clf.schema_)["macro_f1"]
        return {"dev_macro_f1": round(f1, 4), "texts_per_s": round(rate, 1)}

    result: dict[str, Any] = {"bundle": str(args.bundle), "vnni": vnni(), "fp32": scored(onnx_clf)}
    print("fp32", result["fp32"], flush=True)
    graph = onnx.load(str(exported / GRAPH), load_external_data=False)
    matmuls = [node.name for node in graph.graph.node if node.op_type == "MatMul"]
    for name, options in variants(matmuls).items():
        with tempfile.TemporaryDirectory(prefix="emotune-int8-") as tmp:
            folder = Path(tmp) / "bundle"
            shutil.copytree(exported, folder)
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
