from __future__ import annotations

import numpy as np
import pytest

from emotune.config import SamplingConfig
from emotune.data.dataset import EmotionDataset
from emotune.data.labels import LabelSchema
from emotune.data.sampling import rebalance
from emotune.errors import ConfigError


def _dataset() -> EmotionDataset:
    schema = LabelSchema(("no emotion", "joy", "fear"), "multiclass", neutral="no emotion")
    ids = np.array([0] * 80 + [1] * 15 + [2] * 5)
    return EmotionDataset([f"t{i}" for i in range(100)], schema.one_hot(ids), schema)


def test_downsample_the_majority() -> None:
    out = rebalance(_dataset(), SamplingConfig(downsample="no emotion", keep_ratio=0.25), seed=0)
    assert out.y.sum(axis=0).tolist() == [20, 15, 5]


def test_oversample_rare_labels() -> None:
    out = rebalance(_dataset(), SamplingConfig(oversample_below=20), seed=0)
    assert out.y.sum(axis=0).tolist() == [80, 30, 20]  # joy x2, fear x4


def test_downsample_empty_rows_in_multilabel() -> None:
    schema = LabelSchema(("joy", "fear"), "multilabel")
    y = np.array([[0, 0]] * 50 + [[1, 0]] * 10, dtype=np.int8)
    ds = EmotionDataset([f"t{i}" for i in range(60)], y, schema)
    out = rebalance(ds, SamplingConfig(downsample="empty", keep_ratio=0.2), seed=1)
    assert (out.y.sum(axis=1) == 0).sum() == 10 and len(out) == 20


def test_noop_and_unknown_label() -> None:
    ds = _dataset()
    assert rebalance(ds, SamplingConfig()) is ds
    with pytest.raises(ConfigError, match="unknown label 'calm'"):
        rebalance(ds, SamplingConfig(downsample="calm", keep_ratio=0.5))
