from __future__ import annotations

import numpy as np
import pytest

from emotune.data.dataset import EmotionDataset
from emotune.data.labels import LabelSchema
from emotune.data.splits import kfold, train_dev_split
from emotune.errors import DataError


def _multilabel(n: int = 300, seed: int = 0) -> EmotionDataset:
    rng = np.random.default_rng(seed)
    y = (rng.random((n, 5)) < np.array([0.5, 0.3, 0.1, 0.05, 0.2])).astype(np.int8)
    return EmotionDataset([f"t{i}" for i in range(n)], y, LabelSchema(tuple("abcde"), "multilabel"))


def _multiclass(n: int = 300, groups: bool = False) -> EmotionDataset:
    rng = np.random.default_rng(1)
    schema = LabelSchema(("none", "joy", "anger"), "multiclass")
    ids = rng.choice(3, size=n, p=[0.8, 0.15, 0.05])
    group = np.array([f"d{i // 6}" for i in range(n)]) if groups else None
    return EmotionDataset([f"t{i}" for i in range(n)], schema.one_hot(ids), schema, groups=group)


def test_kfold_partitions_every_row_once() -> None:
    ds = _multilabel()
    folds = kfold(ds, k=5, seed=3)
    tests = np.concatenate([te for _, te in folds])
    assert sorted(tests.tolist()) == list(range(len(ds)))
    for train, test in folds:
        assert not set(train) & set(test)


def test_iterative_stratification_balances_rare_labels() -> None:
    ds = _multilabel(1000)
    for _, test in kfold(ds, k=5, seed=0):
        # every fold holds close to a fifth of each label's positives, even the 5% one
        share = ds.y[test].sum(axis=0) / ds.y.sum(axis=0)
        assert np.all(np.abs(share - 0.2) < 0.03), share


def test_stratified_multiclass_keeps_proportions() -> None:
    ds = _multiclass(600)
    _, dev = train_dev_split(ds, 0.2, seed=0)
    assert len(dev) == 120
    assert abs(dev.y[:, 2].mean() - ds.y[:, 2].mean()) < 0.02


@pytest.mark.parametrize("task", ["multiclass", "multilabel"])
def test_grouped_splits_never_straddle(task: str) -> None:
    ds = _multiclass(600, groups=True)
    if task == "multilabel":
        ds = EmotionDataset(ds.texts, ds.y, LabelSchema(ds.schema.names, "multilabel"), groups=ds.groups)
    for train, test in kfold(ds, k=4, seed=0):
        assert ds.groups is not None
        assert not set(ds.groups[train]) & set(ds.groups[test])


def test_seed_makes_splits_reproducible_and_different() -> None:
    ds = _multilabel()
    a = train_dev_split(ds, 0.1, seed=1)[1].texts
    assert a == train_dev_split(ds, 0.1, seed=1)[1].texts
    assert a != train_dev_split(ds, 0.1, seed=2)[1].texts


def test_too_few_rows_for_k() -> None:
    with pytest.raises(DataError, match="too few for 5 folds"):
        kfold(_multilabel(4), k=5)
