"""Ray Data prediction on a local Ray instance: the same rows as ``emotune predict`` writes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ray = pytest.importorskip("ray", reason="the [ray] extra is part of `make setup`")

from emotune.errors import DataError  # noqa: E402
from emotune.integrations.ray import predict_dataset  # noqa: E402

TEXTS = [f"post {i}: {'so happy today' if i % 3 else 'I am furious and scared'}" for i in range(40)]


@pytest.fixture(scope="module")
def local_ray():  # type: ignore[no-untyped-def]
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def test_predict_dataset_matches_emotune_predict(local_ray, trained_bundle: Path, tmp_path: Path, cli) -> None:
    frame = pd.DataFrame({"id": range(len(TEXTS)), "text": TEXTS})
    frame.to_parquet(tmp_path / "posts.parquet")
    ds = ray.data.read_parquet(str(tmp_path / "posts.parquet"))
    out = predict_dataset(ds, trained_bundle, batch_size=16, workers=1).to_pandas().sort_values("id")
    assert cli("predict", "--model", trained_bundle, "--input", tmp_path / "posts.parquet",
               "--output", tmp_path / "cli.csv").code == 0  # fmt: skip
    expected = pd.read_csv(tmp_path / "cli.csv", keep_default_na=False).sort_values("id")
    assert out["labels"].tolist() == expected["labels"].tolist()
    columns = [c for c in expected.columns if c.startswith("prob_")]
    np.testing.assert_allclose(out[columns].to_numpy(float), expected[columns].to_numpy(float), atol=1e-4)


def test_a_missing_bundle_fails_before_any_actor_starts(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not an emotune model bundle"):
        predict_dataset(object(), tmp_path)
