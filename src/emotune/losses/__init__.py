"""Losses by short name. Adding one: a module with a ``@register_loss`` builder, one import line here."""

from emotune.losses import asl, bce, class_balanced, cross_entropy, focal  # noqa: F401  (register)
from emotune.losses.base import LOSSES, LabelStats, build_loss, register_loss, resolve_name

__all__ = ["LOSSES", "LabelStats", "build_loss", "register_loss", "resolve_name"]
