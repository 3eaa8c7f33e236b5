"""The self-contained model bundle: one folder that ``predict`` and ``evaluate`` need and nothing else.

Layout::

    model/
      emotune.json      manifest: format version, model kind, label schema, thresholds, preprocessing,
                        the resolved config, training metrics and library versions
      README.md         the model card (Hugging Face format; see :mod:`emotune.card`)
      <model files>     written by the model kind (tfidf.skops + tfidf.json, model.safetensors, ...)

The folder is written to a temporary name and renamed, so a crash never leaves a half-written bundle.
No model kind saves a pickle: loading a bundle runs no code from it (TF-IDF bundles saved by older versions
hold one; they load with a warning, or are refused under ``emotune --safe``).
"""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from emotune.card import model_card
from emotune.config import RunConfig
from emotune.data.labels import LabelSchema
from emotune.decisions.thresholds import ThresholdCalibrator
from emotune.errors import DataError, EmotuneError
from emotune.io_utils import atomic_dir
from emotune.models import TextModel, load_model
from emotune.models.base import LoadMember

MANIFEST = "emotune.json"
FORMAT_VERSION = 1
_LIBRARIES = ("emotune", "scikit-learn", "numpy", "torch", "transformers", "emoji")


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


@dataclass
class Bundle:
    """What a bundle holds: the fitted parts of an :class:`~emotune.classifier.EmotionClassifier`."""

    config: RunConfig
    schema: LabelSchema
    calibrator: ThresholdCalibrator
    model: TextModel
    metrics: dict[str, Any]


def save_bundle(bundle: Bundle, path: Path) -> Path:
    """Write ``bundle`` to the folder ``path`` (replacing an older bundle there, atomically)."""
    manifest = {
        "format_version": FORMAT_VERSION,
        "model_kind": bundle.model.kind,
        "schema": bundle.schema.to_dict(),
        "thresholds": bundle.calibrator.to_dict(),
        "preprocess": bundle.config.preprocess.model_dump(mode="json"),
        "config": bundle.config.model_dump(mode="json"),
        "metrics": bundle.metrics,
        "versions": library_versions(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    with atomic_dir(path) as tmp:
        bundle.model.save(tmp)
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        name = path.name if path.name != "model" else path.resolve().parent.name  # RUN/model: the run's name
        card = model_card(bundle.config, bundle.schema, bundle.calibrator, bundle.metrics, bundle.model.kind, name)
        (tmp / "README.md").write_text(card, encoding="utf-8")
    return path


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of the bundle at ``path``, with a clear error when it is not a bundle."""
    manifest_file = path / MANIFEST
    if not manifest_file.is_file():
        hint = " (did you mean RUN/model?)" if (path / "model" / MANIFEST).is_file() else ""
        raise DataError(f"{path}: not an emotune model bundle, no {MANIFEST} inside{hint}")
    try:
        manifest: dict[str, Any] = json.loads(manifest_file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{manifest_file}: damaged, not valid JSON ({str(exc)[:80]}); copy the bundle again or "
                        "re-train it") from None  # fmt: skip
    if manifest.get("format_version", 0) > FORMAT_VERSION:
        raise DataError(f"{path}: bundle format {manifest['format_version']} is newer than this emotune; upgrade")
    return manifest


def _settings(manifest: dict[str, Any]) -> tuple[RunConfig, LabelSchema]:
    return RunConfig.model_validate(manifest["config"]), LabelSchema.from_dict(manifest["schema"])


def read_settings(path: Path) -> tuple[RunConfig, LabelSchema]:
    """The run config and label schema of the bundle at ``path``, from its manifest alone (no model loaded)."""
    return _settings(read_manifest(path))


def load_bundle(path: Path, load_member: LoadMember | None = None) -> Bundle:
    """The parts saved at ``path``; ``load_member`` loads the member bundles of an ensemble."""
    manifest = read_manifest(path)
    try:
        model = load_model(manifest["model_kind"], path, load_member)
    except EmotuneError:
        raise
    except Exception as exc:  # missing or truncated weights: torch, safetensors, joblib raise many types
        detail = (str(exc).strip().splitlines() or [""])[0][:120]
        raise DataError(f"{path}: cannot load the model files ({type(exc).__name__}: {detail}); the bundle is "
                        "incomplete or damaged: copy it again or re-train it") from exc  # fmt: skip
    config, schema = _settings(manifest)
    calibrator = ThresholdCalibrator.from_dict(manifest["thresholds"])
    return Bundle(config, schema, calibrator, model, manifest.get("metrics", {}))
