"""Prediction apart from training: batching over many texts and conversations (nothing here imports
``Trainer``)."""

from emotune.inference.batching import predict_proba_batched
from emotune.inference.conversation import predict_conversation, predict_turns

__all__ = ["predict_conversation", "predict_proba_batched", "predict_turns"]
