"""Model kinds, looked up by name (see :mod:`emotune.models.base`)."""

from emotune.models.base import KIND_MODULES, DevSet, ModelKind, TextModel, build_model, get_kind, kind_of, load_model

__all__ = ["KIND_MODULES", "DevSet", "ModelKind", "TextModel", "build_model", "get_kind", "kind_of", "load_model"]
