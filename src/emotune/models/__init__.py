"""Model kinds, looked up by name. Importing this package registers every built-in kind."""

from emotune.models import tfidf as _tfidf  # noqa: F401  (registers "tfidf")
from emotune.models.base import MODEL_KINDS, TextModel, build_model, load_model

__all__ = ["MODEL_KINDS", "TextModel", "build_model", "load_model"]
