"""``emotune merge``: fold a bundle's adapter (LoRA, DoRA, IA3, ...) into its base weights.

The result is a standalone bundle: it no longer needs the base model it was trained from, and it predicts
the same probabilities (up to float rounding). Bundles trained with 4-bit QLoRA are merged into the base
loaded in full precision, the usual way to ship a QLoRA model.
"""

from __future__ import annotations

from pathlib import Path

from emotune.classifier import EmotionClassifier
from emotune.errors import DataError


def run(bundle: str | Path, output: str | Path) -> Path:
    """Write the merged copy of ``bundle`` to ``output`` (atomically); returns ``output``."""
    bundle, output = Path(bundle), Path(output)
    if output.resolve() == bundle.resolve():
        raise DataError(f"{output}: --output must differ from --model; the adapter bundle is kept as it is")
    clf = EmotionClassifier.load(bundle)
    model = clf.model_
    if clf.config.model.peft.method == "none" or not hasattr(model, "merged"):
        raise DataError(f"{bundle}: this bundle has no adapter (model.peft.method is none); it is standalone already")
    clf.model_ = model.merged()
    clf.config = clf.model_.config  # type: ignore[attr-defined]
    return clf.save(output, clf.metrics_)
