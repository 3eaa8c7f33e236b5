"""Seeded train/dev splits and k-fold: iterative-stratified for multilabel, stratified for multiclass,
grouped (by dialogue) whenever the dataset has groups so that no group straddles two splits.

The splitter is looked up from ``(task, grouped)`` in :data:`SPLITTERS`, each a scikit-learn-style k-fold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from iterstrat.ml_stratifiers import MultilabelStratifiedKFold
from sklearn.model_selection import GroupKFold, StratifiedGroupKFold, StratifiedKFold

from emotune.data.dataset import EmotionDataset
from emotune.errors import DataError

Folds = Iterator[tuple[np.ndarray, np.ndarray]]


def _multilabel(k: int, seed: int, ds: EmotionDataset) -> Folds:
    return MultilabelStratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(ds.texts, ds.y)


def _multiclass(k: int, seed: int, ds: EmotionDataset) -> Folds:
    return StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(ds.texts, ds.schema.class_ids(ds.y))


def _multiclass_grouped(k: int, seed: int, ds: EmotionDataset) -> Folds:
    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    return splitter.split(ds.texts, ds.schema.class_ids(ds.y), groups=ds.groups)


def _multilabel_grouped(k: int, seed: int, ds: EmotionDataset) -> Folds:
    # No iterative-stratified group k-fold exists: shuffle whole groups, then balance their sizes.
    groups = np.asarray(ds.groups)
    unique = np.unique(groups)
    permuted = np.random.default_rng(seed).permutation(unique)
    remap = {g: i for i, g in enumerate(permuted)}
    return GroupKFold(n_splits=k).split(ds.texts, groups=np.array([remap[g] for g in groups]))


SPLITTERS: dict[tuple[str, bool], Callable[[int, int, EmotionDataset], Folds]] = {
    ("multilabel", False): _multilabel,
    ("multiclass", False): _multiclass,
    ("multilabel", True): _multilabel_grouped,
    ("multiclass", True): _multiclass_grouped,
}


def kfold(dataset: EmotionDataset, k: int = 5, seed: int = 42) -> list[tuple[np.ndarray, np.ndarray]]:
    """``k`` folds of ``(train_indices, test_indices)``; every row is in exactly one test fold.

    >>> # folds = kfold(dataset, k=5, seed=0)
    """
    if k < 2:
        raise DataError(f"k-fold needs k >= 2, got {k}")
    units = len(np.unique(dataset.groups)) if dataset.groups is not None else len(dataset)
    if units < k:
        what = "dialogues" if dataset.groups is not None else "rows"
        raise DataError(f"{dataset.source}: only {units} {what}, too few for {k} folds")
    splitter = SPLITTERS[(dataset.schema.task, dataset.groups is not None)]
    with np.errstate(all="ignore"):
        return [(np.asarray(tr), np.asarray(te)) for tr, te in _quiet(splitter(k, seed, dataset))]


def _quiet(folds: Folds) -> list[Any]:
    import warnings

    with warnings.catch_warnings():
        # "The least populated class has only N members": expected for rare emotions, not the user's error.
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        return list(folds)


def train_dev_split(
    dataset: EmotionDataset, dev_size: float = 0.1, seed: int = 42
) -> tuple[EmotionDataset, EmotionDataset]:
    """Split off a stratified (and grouped, where groups exist) dev set of about ``dev_size``."""
    if not 0 < dev_size < 1:
        raise DataError(f"dev_size must be between 0 and 1, got {dev_size}")
    k = max(2, round(1 / dev_size))
    train_idx, dev_idx = kfold(dataset, k, seed)[0]
    return dataset.subset(np.sort(train_idx)), dataset.subset(np.sort(dev_idx))
