"""Backends: the runtime a bundle predicts with. ``load_classifier(bundle, backend)`` loads it that way.

============  ==========================================================================================
``saved``     the bundle as it is: a transformer in the precision it was trained in (fp32 where this
              machine lacks native bf16), an ONNX bundle in ONNX Runtime, TF-IDF in scikit-learn
``torch``     PyTorch, fp32
``torch-bf16``  PyTorch with bf16 autocast, where the CPU (AVX-512 BF16 / AMX) or GPU runs bf16 natively
``torch-compiled``, ``torch-bf16-compiled``  the same through ``torch.compile`` (inductor; needs a C++
              compiler). Loading compiles on sample texts (30-60 s for MiniLM on 2 cores), so these pay on
              long files only, not for a few texts; ``auto`` does not pick them
``onnx``      ONNX Runtime, fp32 (a transformer bundle is exported once into the cache, see
              :func:`~emotune.io_utils.cache_root`)
``onnx-int8`` ONNX Runtime with int8 weights (dynamic quantisation: one activation scale per batch)
``onnx-int8-block``  ONNX Runtime, int8 in blocks of 128 inputs, each token its own activation scales: slower
              than ``onnx-int8``, closer to fp32
``auto``      the fastest of these that holds parity with ``torch`` on a calibration sample (the bundled
              sample tweets): at most :data:`MAX_DIFF` in any probability and at least
              :data:`MIN_AGREEMENT` identical label sets. Measured once per bundle and machine, remembered
              in the cache
============  ==========================================================================================

TF-IDF, generative and ensemble bundles run only as saved (``auto`` keeps them so).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np

from emotune.bundle import MANIFEST, read_manifest
from emotune.classifier import EmotionClassifier
from emotune.errors import EmotuneError
from emotune.io_utils import cache_root, write_text_atomic

log = logging.getLogger("emotune")

TRANSFORMER_KINDS = ("encoder", "decoder")
MAX_DIFF = 0.05
MIN_AGREEMENT = 0.99
CALIBRATION_TEXTS = 500


def _bundle_key(path: Path) -> str:
    """A name for the bundle at ``path`` as it is now (its location and manifest)."""
    digest = hashlib.sha256(str(path.resolve()).encode() + (path / MANIFEST).read_bytes())
    return digest.hexdigest()[:16]


def _saved(path: Path) -> EmotionClassifier:
    return EmotionClassifier.load(path)


def _not_transformer(path: Path, backend: str, kind: str, source: str | None = None) -> EmotuneError:
    hint = f"; the torch weights are in the bundle it was exported from ({source})" if source else ""
    return EmotuneError(f"{path}: backend {backend} runs transformer bundles; this is a {kind} bundle: use "
                        f"--backend saved{hint}")  # fmt: skip


def _transformer(path: Path, backend: str) -> EmotionClassifier:
    clf = EmotionClassifier.load(path)
    kind = clf.model_.kind
    if kind not in TRANSFORMER_KINDS:
        source = getattr(clf.model_, "settings", {}).get("exported_from", {}).get("path")
        raise _not_transformer(path, backend, kind, source)
    return clf


def as_fp32(clf: EmotionClassifier) -> EmotionClassifier:
    """A loaded transformer classifier switched to fp32 PyTorch (the parity reference), in place."""
    model: Any = clf.model_
    model.module_ = model.module_.float()
    model.precision_ = "fp32"
    return clf


def _torch(path: Path) -> EmotionClassifier:
    return as_fp32(_transformer(path, "torch"))


def _torch_bf16(path: Path) -> EmotionClassifier:
    from emotune.models.transformer.precision import native_precision

    if native_precision() != "bf16":
        raise EmotuneError("backend torch-bf16 needs native bf16 (a CPU with AVX-512 BF16 or AMX, or a GPU); this "
                           "machine would emulate it, slower than fp32: use --backend onnx or torch")  # fmt: skip
    clf = _transformer(path, "torch-bf16")
    model: Any = clf.model_
    model.precision_ = "bf16"
    return clf


def _compiled(load: Callable[[Path], EmotionClassifier]) -> Callable[[Path], EmotionClassifier]:
    def compiled(path: Path) -> EmotionClassifier:
        compiler = os.environ.get("CXX") or "g++"
        if not shutil.which(compiler):
            raise EmotuneError(f"the compiled backends need a C++ compiler ({compiler} not found): install one (apt "
                               "install g++, or set CXX), or use the backend without -compiled")  # fmt: skip
        clf = load(path)
        cast(Any, clf.model_).compile()
        sample = calibration_texts()
        for texts in (sample[:64], sample[:1]):  # compile now: a batch, and one text (it gets a graph of its own)
            clf.predict_proba(texts)
        return clf

    return compiled


# ONNX backend -> how its weights are quantised (emotune.inference.export.QUANTIZERS)
ONNX_QUANTIZE = {"onnx": "none", "onnx-int8": "int8", "onnx-int8-block": "int8-block"}
EXPORT_VERSION = 2  # part of a cached export's name: bumped when exporting the same bundle changes (2: 7-bit int8)


def _cached_export(path: Path, backend: str) -> Path:
    """The ONNX export (``backend``: a key of :data:`ONNX_QUANTIZE`) of the transformer bundle at ``path`` in
    the cache, exported the first time."""
    from emotune.inference.export import export_onnx

    exported = cache_root() / "onnx" / f"{_bundle_key(path)}-{backend}-v{EXPORT_VERSION}"
    if not (exported / MANIFEST).is_file():
        log.info("exporting %s to ONNX (%s) once, into %s", path, backend, exported)
        export_onnx(path, exported, ONNX_QUANTIZE[backend])
    return exported


def _onnx(backend: str) -> Callable[[Path], EmotionClassifier]:
    quantize = ONNX_QUANTIZE[backend]

    def load(path: Path) -> EmotionClassifier:
        kind = read_manifest(path)["model_kind"]
        if kind == "onnx":
            clf = EmotionClassifier.load(path)
            saved = getattr(clf.model_, "quantization", "none")
            if saved != quantize:
                raise EmotuneError(f"{path}: this ONNX bundle has {saved} weights, not {quantize}; use --backend "
                                   "saved, or export the source bundle again")  # fmt: skip
            return clf
        if kind not in TRANSFORMER_KINDS:
            raise _not_transformer(path, backend, kind)
        return EmotionClassifier.load(_cached_export(path, backend))

    return load


def export_once(path: str | Path, backend: str) -> None:
    """For the ONNX backends of a transformer bundle: export it into the cache now, so that processes started
    next (``--workers``) all load that one export instead of each making its own."""
    path = Path(path)
    if backend in ONNX_QUANTIZE and read_manifest(path)["model_kind"] in TRANSFORMER_KINDS:
        _cached_export(path, backend)


BACKENDS: dict[str, Callable[[Path], EmotionClassifier]] = {
    "saved": _saved,
    "torch": _torch,
    "torch-bf16": _torch_bf16,
    "torch-compiled": _compiled(_torch),
    "torch-bf16-compiled": _compiled(_torch_bf16),
    **{backend: _onnx(backend) for backend in ONNX_QUANTIZE},
}
CHOICES = (*BACKENDS, "auto")
# What auto measures against torch; compiled ones start too slowly.
CANDIDATES = ("torch-bf16", "onnx", "onnx-int8", "onnx-int8-block")


def load_classifier(path: str | Path, backend: str = "saved") -> EmotionClassifier:
    """The bundle at ``path`` loaded to predict with ``backend`` (see the module doc); threads are set once."""
    path = Path(path)
    if backend not in CHOICES:
        raise EmotuneError(f"--backend {backend}: choose one of {', '.join(CHOICES)}")
    if backend == "auto":
        backend = choose_backend(path)
    return BACKENDS[backend](path)


def parity(reference: np.ndarray, ref_pred: np.ndarray, probs: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    """How far ``probs`` / ``pred`` stray from the reference: ``max_abs_diff`` (largest probability change)
    and ``identical_label_sets`` (share of rows whose predicted labels are all the same).

    >>> parity(np.array([[0.2, 0.9]]), np.array([[0, 1]]), np.array([[0.25, 0.9]]), np.array([[0, 1]]))
    {'max_abs_diff': 0.05, 'identical_label_sets': 1.0}
    """
    return {
        "max_abs_diff": round(float(np.abs(probs - reference).max()), 6) if len(probs) else 0.0,
        "identical_label_sets": float((pred == ref_pred).all(axis=1).mean()) if len(pred) else 1.0,
    }


def holds_parity(report: dict[str, float]) -> bool:
    return report["max_abs_diff"] <= MAX_DIFF and report["identical_label_sets"] >= MIN_AGREEMENT


def measure(clf: EmotionClassifier, texts: list[str]) -> tuple[np.ndarray, float]:
    """Probabilities of ``texts`` and the rate in texts/s (after one warm-up batch)."""
    clf.predict_proba(texts[:8])
    start = time.perf_counter()
    probs = clf.predict_proba(texts)
    return probs, len(texts) / max(time.perf_counter() - start, 1e-9)


@dataclass(frozen=True)
class Answers:
    """One classifier's probabilities and decisions on a set of texts, and how fast it gave them."""

    probs: np.ndarray
    pred: np.ndarray
    texts_per_s: float

    @classmethod
    def of(cls, clf: EmotionClassifier, texts: list[str]) -> Answers:
        probs, rate = measure(clf, texts)
        return cls(probs, clf.decide(probs), rate)

    def against(self, reference: Answers) -> dict[str, float]:
        """``texts_per_s`` and :func:`parity` with ``reference``: the row of every backend comparison (``auto``,
        ``emotune parity``, ``emotune export``)."""
        return {"texts_per_s": round(self.texts_per_s, 1), **parity(reference.probs, reference.pred, self.probs,
                                                                     self.pred)}  # fmt: skip


def calibration_texts() -> list[str]:
    """The bundled sample tweets (train and dev files), at most :data:`CALIBRATION_TEXTS`."""
    from importlib import resources

    folder = Path(str(resources.files("emotune") / "sample_data"))
    texts = []
    for name in ("2018-E-c-En-train.txt", "2018-E-c-En-dev.txt"):
        lines = (folder / name).read_text(encoding="utf-8").splitlines()[1:]
        texts += [line.split("\t")[1] for line in lines if "\t" in line]
    return texts[:CALIBRATION_TEXTS]


def choose_backend(path: Path) -> str:
    """The fastest backend that holds parity for the bundle at ``path`` on this machine (remembered)."""
    kind = read_manifest(path)["model_kind"]
    if kind not in TRANSFORMER_KINDS:
        return "saved"
    memo = cache_root() / "auto" / f"{_bundle_key(path)}-{os.cpu_count()}.json"
    if memo.is_file():
        return str(json.loads(memo.read_text(encoding="utf-8"))["backend"])
    texts = calibration_texts()
    reference = Answers.of(BACKENDS["torch"](path), texts)
    rows: list[dict[str, Any]] = [{"backend": "torch", "texts_per_s": round(reference.texts_per_s, 1)}]
    for backend in CANDIDATES:
        try:
            clf = BACKENDS[backend](path)
        except EmotuneError as exc:
            log.info("auto: %s unavailable (%s)", backend, exc)
            continue
        report = Answers.of(clf, texts).against(reference)
        rows.append({"backend": backend, **report, "parity": holds_parity(report)})
    best = max((r for r in rows if r.get("parity", True)), key=lambda r: r["texts_per_s"])
    for row in rows:
        log.info("auto: %s", ", ".join(f"{k} {v}" for k, v in row.items()))
    log.info("auto: %s is the fastest backend that holds parity with torch fp32", best["backend"])
    memo.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(memo, json.dumps({"backend": best["backend"], "measured": rows}, indent=2) + "\n")
    return str(best["backend"])
