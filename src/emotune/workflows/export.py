"""``emotune export``: write an ONNX bundle, then check it against the source bundle in fp32 PyTorch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from emotune.classifier import EmotionClassifier
from emotune.errors import DataError
from emotune.inference.backends import Answers, as_fp32, calibration_texts, load_classifier
from emotune.inference.export import export_onnx


def run(model: str | Path, output: str | Path, quantize: str = "none") -> dict[str, Any]:
    """Export ``model`` to ``output``; returns the parity of the export on the bundled sample tweets
    (``max_abs_diff``, ``identical_label_sets``); ``emotune parity`` measures it on a labelled file."""
    model, output = Path(model), Path(output)
    if output.resolve() == model.resolve():
        raise DataError(f"{output}: --output must differ from --model; the source bundle is kept as it is")
    source = EmotionClassifier.load(model)
    export_onnx(source, output, quantize)  # refuses kinds it cannot export; leaves source as it was
    reference = as_fp32(source)
    exported = load_classifier(output, "saved")
    texts = calibration_texts()
    report = Answers.of(exported, texts).against(Answers.of(reference, texts))
    report.pop("texts_per_s")  # one pass of 500 texts says little about speed: `emotune parity` measures it
    return {"output": str(output), "quantize": quantize, "texts": len(texts), **report}
