"""TF-IDF word + character n-grams into a balanced logistic regression: the classical baseline.

One-vs-rest for multilabel, multinomial for multiclass. Trains in seconds on a CPU and is the reference
every fine-tuned model has to beat.

Saved without pickle: the fitted pipeline in skops' format (``tfidf.skops``: arrays and the names of the
scikit-learn types, so loading it runs no code from the file; only scikit-learn's own types and this module's two
are accepted) and its settings as JSON. Bundles saved before held a pickle (``tfidf.joblib``); they still load,
with a warning, unless ``emotune --safe`` (or ``EMOTUNE_SAFE=1``) refuses them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from emotune.config import RunConfig, TfidfConfig
from emotune.data.labels import LabelSchema
from emotune.errors import DataError, Problem
from emotune.io_utils import safe_loading
from emotune.models.base import DevSet, ModelKind, no_loss_terms

log = logging.getLogger("emotune")

FILE = "tfidf.skops"  # the fitted pipeline: arrays and type names, no pickle
SETTINGS = "tfidf.json"  # its config, seed and label schema
PICKLE = "tfidf.joblib"  # how bundles were saved before skops: loading runs code from the file
OWN_TYPES = ["emotune.models.tfidf.PerLabel", "emotune.models.tfidf.canonical_csr"]  # skops trusts sklearn's


def canonical_csr(features: Any) -> Any:
    """Sorted, de-duplicated CSR. LogisticRegression sorts indices in place otherwise, which races when the
    one-vs-rest fits share the matrix across threads."""
    features = features.tocsr()
    features.sum_duplicates()
    features.sort_indices()
    return features


class PerLabel(ClassifierMixin, BaseEstimator):
    """One binary ``estimator`` per label, each fitted on the rows annotated for it (``NaN`` in ``Y``: not
    annotated). Without ``NaN`` it fits what scikit-learn's ``OneVsRestClassifier`` fits."""

    def __init__(self, estimator: Any, n_jobs: int | None = None) -> None:
        self.estimator = estimator
        self.n_jobs = n_jobs

    def _fit_one(self, X: Any, y: np.ndarray) -> Any:
        rows = ~np.isnan(y)
        target = y[rows].astype(int)
        model = clone(self.estimator) if len(np.unique(target)) > 1 else DummyClassifier(strategy="prior")
        return model.fit(X[rows], target)

    def fit(self, X: Any, Y: np.ndarray) -> PerLabel:
        Y = np.asarray(Y, dtype=float)
        self.estimators_ = Parallel(n_jobs=self.n_jobs)(delayed(self._fit_one)(X, Y[:, j]) for j in range(Y.shape[1]))
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """``(n, n_labels)``: each label's probability of being present."""
        return np.column_stack([e.predict_proba(X)[:, -1] if len(e.classes_) > 1 else
                                np.full(X.shape[0], float(e.classes_[0])) for e in self.estimators_])  # fmt: skip


class TfidfModel:
    """``fit(texts, y, schema)`` then ``predict_proba(texts) -> (n, n_labels)``."""

    kind = "tfidf"

    def __init__(self, config: TfidfConfig | None = None, seed: int = 42) -> None:
        self.config = config or TfidfConfig()
        self.seed = seed

    def _classifier(self, schema: LabelSchema, n_rows: int) -> Any:
        """Logistic regression with the configured solver; ``sgd`` minimises the same L2-regularised log loss."""
        cfg = self.config
        weight = None if cfg.class_weight == "none" else "balanced"
        solver = cfg.solver if cfg.solver != "auto" else "liblinear" if schema.task == "multilabel" else "lbfgs"
        if solver == "sgd":
            return SGDClassifier(loss="log_loss", alpha=1 / (cfg.C * max(n_rows, 1)), class_weight=weight,
                                 max_iter=cfg.max_iter, tol=1e-4, random_state=self.seed)  # fmt: skip
        return LogisticRegression(C=cfg.C, class_weight=weight, max_iter=cfg.max_iter, solver=solver,
                                  random_state=self.seed)  # fmt: skip

    def _pipeline(self, schema: LabelSchema, n_rows: int) -> Pipeline:
        cfg = self.config
        common = {
            "min_df": cfg.min_df,
            "max_features": cfg.max_features,
            "sublinear_tf": True,
            "dtype": np.float32,
        }
        features = FeatureUnion(
            [
                (
                    "word",
                    TfidfVectorizer(ngram_range=cfg.word_ngrams, token_pattern=r"(?u)\b\w+\b|[!?]", **common),
                ),
                ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=cfg.char_ngrams, **common)),
            ]
        )
        logistic = self._classifier(schema, n_rows)
        classifier = PerLabel(logistic, n_jobs=-1) if schema.task == "multilabel" else logistic
        canonical = FunctionTransformer(canonical_csr, accept_sparse=True)
        return Pipeline([("tfidf", features), ("canonical", canonical), ("clf", classifier)])

    def fit(
        self,
        texts: Sequence[str],
        y: np.ndarray,
        schema: LabelSchema,
        dev: DevSet | None = None,
        work_dir: Path | None = None,
        callbacks: Sequence[Any] = (),
    ) -> TfidfModel:
        """Fit on preprocessed ``texts`` and indicator labels ``y`` ``(n, n_labels)`` (multilabel: ``NaN`` where a
        row is not annotated for a label); ``dev`` is not needed."""
        self.schema_ = schema
        self.pipeline_ = self._pipeline(schema, len(texts))
        target = y if schema.task == "multilabel" else schema.class_ids(y)
        # Threads, not processes: liblinear releases the GIL, and process workers would receive read-only
        # memory-mapped copies of the matrix.
        with joblib.parallel_backend("threading", n_jobs=2):
            self.pipeline_.fit(list(texts), target)
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities ``(n, n_labels)`` in schema order (classes absent from training get 0)."""
        if not texts:
            return np.zeros((0, self.schema_.n_labels), dtype=np.float32)
        proba = self.pipeline_.predict_proba(list(texts))
        if self.schema_.task == "multilabel":
            return np.asarray(proba, dtype=np.float32)
        full = np.zeros((len(texts), self.schema_.n_labels), dtype=np.float32)
        full[:, self.pipeline_.classes_] = proba
        return full

    def save(self, directory: Path) -> None:
        import skops.io as sio

        sio.dump(self.pipeline_, directory / FILE)
        settings = {"config": self.config.model_dump(mode="json"), "seed": self.seed, "schema": self.schema_.to_dict()}
        (directory / SETTINGS).write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> TfidfModel:
        if not (directory / FILE).is_file() and (directory / PICKLE).is_file():
            return cls._load_pickle(directory / PICKLE)
        import skops.io as sio

        path = directory / FILE
        foreign = sorted(set(sio.get_untrusted_types(file=path)) - set(OWN_TYPES))
        if foreign:
            raise DataError(f"{path}: holds types a TF-IDF bundle never has ({', '.join(foreign)}); not loaded, "
                            "as loading them could run code: re-train the bundle, or use one you trust")  # fmt: skip
        settings = json.loads((directory / SETTINGS).read_text(encoding="utf-8"))
        model = cls(TfidfConfig(**settings["config"]), settings["seed"])
        model.schema_ = LabelSchema.from_dict(settings["schema"])
        model.pipeline_ = sio.load(path, trusted=OWN_TYPES)
        return model

    @classmethod
    def _load_pickle(cls, path: Path) -> TfidfModel:
        """A bundle saved before the skops format: a pickle, which can run any code while it loads."""
        if safe_loading():
            raise DataError(f"{path}: a pickle (a TF-IDF bundle saved by an older emotune), refused by --safe: loading "
                            "it could run code; load it without --safe if you trust it, and save it again")  # fmt: skip
        log.warning("%s is a pickle (a TF-IDF bundle saved by an older emotune): loading it can run code from the "
                    "file, so load only bundles you trust; saving it again writes the safe format", path)  # fmt: skip
        state = joblib.load(path)
        model = cls(TfidfConfig(**state["config"]), state["seed"])
        model.schema_ = LabelSchema.from_dict(state["schema"])
        model.pipeline_ = state["pipeline"]
        return model


def _build(cfg: RunConfig) -> TfidfModel:
    return TfidfModel(cfg.model.tfidf, cfg.train.seed)


def _problems(cfg: RunConfig) -> list[Problem]:
    """Transformer settings that mean nothing to TF-IDF."""
    model, problems = cfg.model, []
    for key, short, value in (("model.peft.method", "peft", model.peft.method),
                              ("model.quantization", "quantization", model.quantization)):  # fmt: skip
        if value != "none":
            fix = f"drop {short}={value} or pick a transformer model"
            problems.append(Problem(key, f"{value} applies to transformer models, not model=tfidf", fix))
    if model.label_aware:
        problems.append(Problem("model.label_aware", "label-aware inputs need an encoder, not model=tfidf",
                                "drop label_aware=true or pick an encoder model"))  # fmt: skip
    if model.head == "generate":
        problems.append(Problem("model.head", "generate needs a decoder LLM, not model=tfidf",
                                "use head=linear or a decoder model"))  # fmt: skip
    return problems + no_loss_terms(cfg)


KIND = ModelKind(
    "tfidf",
    _build,
    TfidfModel.load,
    settings=("tfidf",),
    space={
        "model.tfidf.C": {"type": "float", "low": 0.1, "high": 30.0, "log": True},
        "model.tfidf.min_df": {"type": "int", "low": 1, "high": 3},
        "model.tfidf.class_weight": {"type": "categorical", "choices": ["balanced", "none"]},
    },
    problems=_problems,
    label_masks=True,
)
