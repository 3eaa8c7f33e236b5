"""Combining datasets: more training rows from other sources, mapped onto the run's labels, with label masks.

Public emotion datasets disagree on their label sets. Each source in ``data.sources`` comes with a label map
(target label <- source labels). A target label that a source does not annotate is *masked* for that
source's rows (``EmotionDataset.mask`` is False there): the loss leaves those entries out, so "not annotated"
never teaches the model "absent". ``unmapped: negative`` treats them as absent instead.

The run's own data (``data.preset`` ...) is the primary source: its labels are the target labels and its dev
split is the dev split. Source rows whose text repeats an earlier row (exactly, after case and spaces, or
nearly, after punctuation, URLs and mentions too) are dropped, and so are rows whose text is in the dev set or
in a ``data.check_against`` file (leakage); the counts go to the log and into ``problems``.

>>> # train = combine(train, dev, cfg)  # cfg.sources: [{preset: goemotions, data_dir: ..., label_map: {...}}]
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import yaml

from emotune.config import DataConfig, SourceConfig
from emotune.data.dataset import EmotionDataset
from emotune.data.labels import LabelSchema
from emotune.data.presets import find_split_file, get_preset, load_file
from emotune.data.readers import preview
from emotune.errors import DataError

log = logging.getLogger("emotune")
_LINKS = re.compile(r"https?://\S+|www\.\S+|@\w+")
_PUNCTUATION = re.compile(r"[^\w]+")


def exact_key(text: str) -> str:
    """Case-folded text with runs of whitespace collapsed: equal keys are the same text."""
    return " ".join(text.casefold().split())


def near_key(text: str) -> str:
    """Also without punctuation, URLs and @mentions: equal keys are near-duplicates (a retweet, a re-post)."""
    return " ".join(_PUNCTUATION.sub(" ", _LINKS.sub(" ", text.casefold())).split())


def read_label_map(source: SourceConfig, where: str) -> tuple[dict[str, list[str]], list[str], str]:
    """``(target -> source labels, dropped source labels, where it came from)`` of ``source.label_map``."""
    raw = source.label_map
    if isinstance(raw, str):
        where = raw
        path = Path(raw)
        if not path.is_file():
            raise DataError(f"{raw}: label map file not found; give {where} as a YAML file or inline mapping")
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise DataError(f"{raw}: not valid YAML ({str(exc).splitlines()[0]})") from None
        if not isinstance(raw, dict):
            raise DataError(f"{where}: a label map is a mapping 'target label: [source labels]'")
    mapping = {str(k): [v] if isinstance(v, str) else [str(x) for x in v or []] for k, v in raw.items()}
    return mapping, mapping.pop("drop", []), where


def map_labels(source: EmotionDataset, target: LabelSchema, spec: SourceConfig, where: str
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """``(y, mask, keep)`` of ``source``'s rows in ``target``'s labels; ``keep`` marks the rows that map to a
    target row (multiclass targets: exactly one class). Unknown labels in the map are one-line errors."""
    mapping, drop, where = read_label_map(spec, where)
    names = source.schema.names
    for label, wanted in mapping.items():
        if label not in target.names:
            raise DataError(f"{where}: target label {label!r} is not one of the run's labels ({preview(target.names)})")
        unknown = [w for w in wanted if w not in names]
        if unknown:
            raise DataError(f"{where}: {label} <- {unknown[0]!r}: {spec.label} has no label {unknown[0]!r} (its "
                            f"labels: {preview(names)})")  # fmt: skip
    unknown_drop = [d for d in drop if d not in names]
    if unknown_drop:
        raise DataError(f"{where}: drop {unknown_drop[0]!r}: {spec.label} has no label {unknown_drop[0]!r}")
    used = {w for wanted in mapping.values() for w in wanted} | set(drop)
    unmapped = [n for n in names if n not in used]
    if unmapped:
        log.info("%s: source labels not in the label map (left out): %s", spec.label, preview(unmapped))
    y = np.zeros((len(source), target.n_labels), dtype=np.int8)
    for label, wanted in mapping.items():
        columns = [source.schema.index(w) for w in wanted]
        y[:, target.index(label)] = source.y[:, columns].max(axis=1) if columns else 0
    annotated = np.array([n in mapping or spec.unmapped == "negative" for n in target.names])
    if target.task == "multiclass":  # one class per row, nothing to mask
        keep = y.sum(axis=1) == 1
        return y, np.ones_like(y, dtype=bool), keep
    masked = [n for n, a in zip(target.names, annotated, strict=True) if not a]
    if masked:
        log.info("%s: labels it does not annotate, masked for its rows: %s", spec.label, preview(masked))
    return y, np.tile(annotated, (len(source), 1)), np.ones(len(source), dtype=bool)


def _source_config(spec: SourceConfig) -> DataConfig:
    return DataConfig.model_validate({**spec.options, "preset": spec.preset, "data_dir": spec.data_dir,
                                      "train": spec.train, "dev": spec.dev})  # fmt: skip


def load_source(spec: SourceConfig, split: str = "train") -> EmotionDataset | None:
    """A source's ``train`` (or ``dev``) split as its own preset reads it; ``None`` when it has no such file."""
    cfg = _source_config(spec)
    path = cfg.train if split == "train" else cfg.dev
    if path is None and cfg.data_dir:
        path = str(find_split_file(get_preset(cfg.preset), cfg.data_dir, split) or "") or None
    if path is None:
        if split == "train":
            raise DataError(f"data.sources: {spec.label} has no training file; give its data_dir or train")
        return None
    return load_file(cfg.preset, path, cfg)


def _texts(files: Iterable[str], cfg: DataConfig) -> list[str]:
    """Texts of the ``data.check_against`` files, read with the run's own preset (bad rows tolerated)."""
    return [t for f in files for t in load_file(cfg.preset, f, cfg, strict=False).texts]


def combine(primary: EmotionDataset, dev: EmotionDataset | None, cfg: DataConfig) -> EmotionDataset:
    """``primary`` plus every source of ``cfg.sources``, mapped, de-duplicated and leakage-checked (see module
    doc). The result has ``mask`` and ``origin``; ``problems`` counts the dropped rows per source and reason."""
    schema = primary.schema
    seen_exact = {exact_key(t) for t in primary.texts}
    seen_near = {near_key(t) for t in primary.texts}
    held = [*(dev.texts if dev is not None else []), *_texts(cfg.check_against, cfg)]
    held_exact, held_near = {exact_key(t) for t in held}, {near_key(t) for t in held}
    texts, ys, masks = list(primary.texts), [primary.y], [np.ones_like(primary.y, dtype=bool)]
    origin = [cfg.preset] * len(primary)
    problems = dict(primary.problems)
    for i, spec in enumerate(cfg.sources):
        source = load_source(spec)
        assert source is not None
        y, mask, keep = map_labels(source, schema, spec, f"data.sources[{i}].label_map")
        counts = {"duplicate of an earlier row": 0, "near-duplicate of an earlier row": 0, "in dev or check_against": 0,
                  "maps to no single class": int((~keep).sum())}  # fmt: skip
        kept = 0
        for row, text in enumerate(source.texts):
            if not keep[row]:
                continue
            exact, near = exact_key(text), near_key(text)
            reason = ("in dev or check_against" if exact in held_exact or near in held_near else
                      "duplicate of an earlier row" if exact in seen_exact else
                      "near-duplicate of an earlier row" if near in seen_near else None)  # fmt: skip
            if reason:
                counts[reason] += 1
                continue
            seen_exact.add(exact)
            seen_near.add(near)
            texts.append(text)
            ys.append(y[row : row + 1])
            masks.append(mask[row : row + 1])
            kept += 1
        origin += [spec.label] * kept
        problems |= {f"{spec.label}: {reason}": n for reason, n in counts.items() if n}
        log.info("source %s: %d of %d rows added (%s)", spec.label, kept, len(source),
                 ", ".join(f"{n} {reason}" for reason, n in counts.items() if n) or "none dropped")  # fmt: skip
    y_all = np.concatenate(ys) if len(ys) > 1 else primary.y
    return EmotionDataset(texts, y_all, schema, source=f"{primary.source} + {len(cfg.sources)} source(s)",
                          problems=problems, mask=np.concatenate(masks), origin=np.array(origin))  # fmt: skip


def source_dev_sets(cfg: DataConfig, schema: LabelSchema) -> dict[str, EmotionDataset]:
    """Each source's own dev split (where it has one) in the run's labels, with its mask: what per-source dev
    scores are computed on."""
    out = {}
    for i, spec in enumerate(cfg.sources):
        dev = load_source(spec, "dev")
        if dev is None:
            continue
        y, mask, keep = map_labels(dev, schema, spec, f"data.sources[{i}].label_map")
        mapped = EmotionDataset(list(dev.texts), y, schema, source=str(dev.source), mask=mask)
        out[spec.label] = mapped.subset(np.flatnonzero(keep))
    return out
