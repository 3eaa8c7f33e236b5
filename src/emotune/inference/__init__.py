"""Prediction apart from training: batching over many texts (nothing here imports ``Trainer``)."""

from emotune.inference.batching import predict_proba_batched

__all__ = ["predict_proba_batched"]
