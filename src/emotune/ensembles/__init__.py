"""Fold ensembles and blends: averages of whole bundles, with the same estimator protocol as one model."""

from emotune.ensembles.model import EnsembleModel, ensemble_config

__all__ = ["EnsembleModel", "ensemble_config"]
