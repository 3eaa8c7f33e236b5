"""The ``onnx`` kind: a transformer classifier exported by ``emotune export`` and run by ONNX Runtime.

The bundle holds ``model.onnx`` (its output is probabilities: the sigmoid or softmax is inside the graph),
``tokenizer.json`` (the trained model's tokenizer with its truncation built in) and ``onnx.json``. Loading
imports neither torch nor transformers, so a prediction process starts fast. It cannot be trained: train a
transformer bundle and export it (:mod:`emotune.inference.export`).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from emotune.config import RunConfig
from emotune.data.labels import LabelSchema
from emotune.errors import EmotuneError, Problem
from emotune.models.base import DevSet, ModelKind
from emotune.models.batches import by_length

GRAPH = "model.onnx"
TOKENIZER = "tokenizer.json"
SETTINGS = "onnx.json"
EXTRA = "pip install 'emotune[onnx]'"


class OnnxModel:
    """An exported classifier: tokenizes with ``tokenizers`` and runs the graph with ONNX Runtime.

    ``settings`` holds ``schema``, ``inputs`` (the graph's input names), ``pad_id``, ``prefix`` (the label
    names of a label-aware model, or ``None``), ``quantization`` (``none`` / ``int8``) and ``exported_from``.
    """

    kind = "onnx"

    def __init__(self, directory: Path, settings: dict[str, Any], threads: int | None = None) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError:
            raise EmotuneError(f"{directory}: an ONNX bundle needs onnxruntime; {EXTRA}") from None
        self.directory_ = directory
        self.settings = settings
        self.schema_ = LabelSchema.from_dict(settings["schema"])
        self.tokenizer_ = Tokenizer.from_file(str(directory / TOKENIZER))
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or len(os.sched_getaffinity(0))
        options.inter_op_num_threads = 1
        self.session_ = ort.InferenceSession(str(directory / GRAPH), options, providers=["CPUExecutionProvider"])

    @property
    def quantization(self) -> str:
        return str(self.settings.get("quantization", "none"))

    def fit(
        self,
        texts: Sequence[str],
        y: np.ndarray,
        schema: Any,
        dev: DevSet | None = None,
        work_dir: Path | None = None,
        callbacks: Sequence[Any] = (),
    ) -> OnnxModel:
        raise EmotuneError("an ONNX bundle cannot be trained; train the transformer bundle and export it again")

    def encode(self, texts: Sequence[str]) -> list[Any]:
        """The token encodings of ``texts`` (truncated as in training, not padded)."""
        prefix = self.settings.get("prefix")
        batch = [(prefix, t) for t in texts] if prefix is not None else list(texts)
        return list(self.tokenizer_.encode_batch(batch))

    def _feed(self, encodings: Sequence[Any]) -> dict[str, np.ndarray]:
        """Right-padded input arrays of one batch, as many columns as its longest encoding."""
        width = max(len(e.ids) for e in encodings)
        ids = np.full((len(encodings), width), int(self.settings["pad_id"]), dtype=np.int64)
        mask = np.zeros_like(ids)
        types = np.zeros_like(ids)
        for row, enc in enumerate(encodings):
            n = len(enc.ids)
            ids[row, :n], mask[row, :n], types[row, :n] = enc.ids, 1, enc.type_ids
        arrays = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        return {name: arrays[name] for name in self.settings["inputs"]}

    def predict_proba(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Probabilities ``(n, n_labels)`` in input order; batches hold texts of similar token counts."""
        probs = np.zeros((len(texts), self.schema_.n_labels), dtype=np.float32)
        if not len(texts):
            return probs
        encodings = self.encode(texts)
        for idx in by_length([len(e.ids) for e in encodings], batch_size):
            probs[idx] = self.session_.run(None, self._feed([encodings[i] for i in idx]))[0]
        return probs

    def save(self, directory: Path) -> None:
        for name in (GRAPH, TOKENIZER, SETTINGS):
            shutil.copy2(self.directory_ / name, directory / name)

    @classmethod
    def load(cls, directory: Path) -> OnnxModel:
        settings = json.loads((directory / SETTINGS).read_text(encoding="utf-8"))
        return cls(directory, settings)


def _not_trainable(cfg: RunConfig) -> list[Problem]:
    fix = "train an encoder (model=minilm), then run emotune export --model RUN/model --format onnx"
    return [Problem("model.name", "onnx bundles are made by `emotune export` from a trained bundle, not trained", fix)]


def _build(cfg: RunConfig) -> OnnxModel:
    raise EmotuneError("an ONNX model cannot be built for training; see emotune export")


KIND = ModelKind("onnx", _build, OnnxModel.load, problems=_not_trainable)
