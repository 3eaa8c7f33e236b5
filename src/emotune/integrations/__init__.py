"""Bridges to other systems (each behind its own extra): :mod:`emotune.integrations.ray` for Ray Data."""
