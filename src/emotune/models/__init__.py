"""Model kinds, looked up by name (see :mod:`emotune.models.base`)."""

from emotune.models.base import MODEL_KINDS, DevSet, TextModel, build_model, kind_of, load_model

__all__ = ["MODEL_KINDS", "DevSet", "TextModel", "build_model", "kind_of", "load_model"]
