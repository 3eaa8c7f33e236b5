"""ONNX export and the prediction backends, on tiny models trained in-process.

Parity: an fp32 ONNX graph computes what fp32 PyTorch computes, up to float rounding (1e-4 here); int8
weights change probabilities by more, so for int8 the test asks for agreeing labels on most texts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from emotune import EmotionClassifier, RunConfig, io_utils, load_dataset
from emotune.inference import backends
from emotune.inference.backends import calibration_texts, load_classifier
from emotune.inference.export import export_onnx

pytest.importorskip("onnxruntime", reason="the [onnx] extra is part of `make setup`")

TEXTS = ["so happy today", "this is awful and I hate it", "I am scared of the dark", "what a joy", "terrible news",
         "so afraid", "love you all so much, thank you"]  # fmt: skip
PARITY_ATOL = 1e-4
PRESET = ("--preset", "semeval2018-ec")


def _fit(model: Path, sample_dir: Path, **options: Any) -> EmotionClassifier:
    train = load_dataset(sample_dir / "2018-E-c-En-train.txt", preset="semeval2018-ec").subset(range(96))
    model_cfg = {"name": str(model), "max_length": 48, **options}
    cfg = RunConfig.model_validate({"model": model_cfg, "train": {"epochs": 1, "batch_size": 16, "lr": 1e-3}})
    return EmotionClassifier(config=cfg).fit_dataset(train)


@pytest.fixture(scope="module")
def encoder_bundle(tmp_path_factory: pytest.TempPathFactory, tiny_bert: Path, sample_dir: Path) -> Path:
    return _fit(tiny_bert, sample_dir).save(tmp_path_factory.mktemp("enc") / "model")


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(io_utils.CACHE_ENV, str(tmp_path / "cache"))


def _parity(bundle: Path, exported: Path, texts: list[str]) -> float:
    reference = load_classifier(bundle, "torch").predict_proba(texts)
    onnx = EmotionClassifier.load(exported).predict_proba(texts)
    return float(np.abs(onnx - reference).max())


def test_onnx_bundle_outputs_the_torch_probabilities(encoder_bundle: Path, tmp_path: Path) -> None:
    out = export_onnx(encoder_bundle, tmp_path / "onnx")
    manifest = json.loads((out / "emotune.json").read_text())
    source = json.loads((encoder_bundle / "emotune.json").read_text())
    assert manifest["model_kind"] == "onnx" and manifest["thresholds"] == source["thresholds"]
    texts = [*TEXTS, "a much longer text " * 20]  # longer than max_length: truncated the same way
    assert _parity(encoder_bundle, out, texts) < PARITY_ATOL
    clf = EmotionClassifier.load(out)
    assert clf.predict_labels(TEXTS) == load_classifier(encoder_bundle, "torch").predict_labels(TEXTS)


def test_onnx_bundle_works_with_predict_evaluate_and_parity_cli(
    encoder_bundle: Path, tmp_path: Path, sample_dir: Path, cli
) -> None:
    out = tmp_path / "onnx"
    done = cli("export", "--model", encoder_bundle, "--output", out)
    assert done.code == 0 and json.loads(done.out)["max_abs_diff"] < PARITY_ATOL
    predicted = cli("predict", "--model", out, "--json", "I am so scared")
    assert predicted.code == 0 and set(json.loads(predicted.out)["probabilities"]) >= {"fear", "joy"}
    dev = sample_dir / "2018-E-c-En-dev.txt"
    # fp32 on both sides: a bundle trained in bf16 would predict in bf16 as saved (make test-bf16)
    runs = [cli("evaluate", "--model", m, "--data", dev, *PRESET, "--backend", b, "--json")
            for m, b in ((out, "saved"), (encoder_bundle, "torch"))]  # fmt: skip
    scores = [json.loads(run.out)["macro_f1"] for run in runs]
    assert scores[0] == pytest.approx(scores[1], abs=1e-3)
    report = cli("parity", "--model", encoder_bundle, "--data", dev, "--backend", "onnx", *PRESET, "--json")
    rows = {r["backend"]: r for r in json.loads(report.out)}
    assert rows["onnx"]["max_abs_diff"] < PARITY_ATOL and rows["onnx"]["identical_label_sets"] == 1.0
    assert rows["torch"]["macro_f1"] == pytest.approx(scores[1], abs=1e-4)


def test_int8_export_has_int8_weights_and_mostly_agrees(encoder_bundle: Path, tmp_path: Path) -> None:
    import onnx

    int8 = export_onnx(encoder_bundle, tmp_path / "int8", "int8")
    graph = onnx.load(str(int8 / "model.onnx")).graph
    assert sum(t.data_type == onnx.TensorProto.INT8 for t in graph.initializer) >= 12  # 6 matrices a layer, 2 layers
    texts = calibration_texts()
    reference = load_classifier(encoder_bundle, "torch").predict(texts)
    quantized = EmotionClassifier.load(int8)
    assert json.loads((int8 / "onnx.json").read_text())["quantization"] == "int8"
    assert (quantized.predict(texts) == reference).mean() > 0.9  # label decisions, not identical probabilities


def test_int8_block_export_quantises_every_weight_matrix_and_stays_closer_to_fp32(
    encoder_bundle: Path, tmp_path: Path
) -> None:
    import onnx

    block = export_onnx(encoder_bundle, tmp_path / "block", "int8-block")
    nodes = [node.op_type for node in onnx.load(str(block / "model.onnx")).graph.node]
    fp32 = onnx.load(str(export_onnx(encoder_bundle, tmp_path / "fp32") / "model.onnx")).graph
    weights = {init.name for init in fp32.initializer}
    weight_products = sum(n.op_type == "MatMul" and n.input[1] in weights for n in fp32.node)
    assert nodes.count("MatMulNBits") == weight_products >= 12  # each product with a weight; Q @ K stays float
    assert json.loads((block / "onnx.json").read_text())["quantization"] == "int8-block"
    texts = calibration_texts()
    reference = load_classifier(encoder_bundle, "torch").predict_proba(texts)
    blockwise = np.abs(EmotionClassifier.load(block).predict_proba(texts) - reference)
    dynamic = np.abs(load_classifier(encoder_bundle, "onnx-int8").predict_proba(texts) - reference)
    assert blockwise.mean() < dynamic.mean() and blockwise.max() < 0.05


def test_export_cli_offers_each_quantisation(cli) -> None:
    from emotune.cli import build_parser
    from emotune.inference.export import QUANTIZATIONS

    for quantize in QUANTIZATIONS:
        args = build_parser().parse_args(["export", "--model", "B", "--output", "O", "--quantize", quantize])
        assert args.quantize == quantize
    refused = cli("export", "--model", "B", "--output", "O", "--quantize", "int4")
    assert refused.code == 2 and "invalid choice: 'int4'" in refused.err


@pytest.mark.parametrize(
    "options",
    [{"peft": {"method": "lora"}}, {"label_aware": True, "max_length": "auto"}],
    ids=["lora-merged", "label-aware"],
)
def test_export_of_lora_and_label_aware_encoders(
    tiny_bert: Path, sample_dir: Path, tmp_path: Path, options: dict[str, Any]
) -> None:
    bundle = _fit(tiny_bert, sample_dir, **options).save(tmp_path / "model")
    assert _parity(bundle, export_onnx(bundle, tmp_path / "onnx"), TEXTS) < PARITY_ATOL


def test_multiclass_graph_ends_in_softmax(tiny_bert: Path, tmp_path: Path) -> None:
    labels = ["joy", "sadness", "fear", "joy", "sadness", "fear", "joy"] * 6
    cfg = RunConfig.model_validate({"model": {"name": str(tiny_bert), "max_length": 32}, "train": {"epochs": 1}})
    bundle = EmotionClassifier(config=cfg).fit(TEXTS * 6, labels).save(tmp_path / "model")
    probs = EmotionClassifier.load(export_onnx(bundle, tmp_path / "onnx")).predict_proba(TEXTS)
    np.testing.assert_allclose(probs.sum(axis=1), 1, atol=1e-5)
    assert _parity(bundle, tmp_path / "onnx", TEXTS) < PARITY_ATOL


def test_decoder_classifier_exports(tiny_decoder: Callable[[str], Path], sample_dir: Path, tmp_path: Path) -> None:
    bundle = _fit(tiny_decoder("llama"), sample_dir).save(tmp_path / "model")
    assert _parity(bundle, export_onnx(bundle, tmp_path / "onnx"), TEXTS) < PARITY_ATOL


def test_bundles_that_cannot_be_exported_get_one_line(trained_bundle: Path, tmp_path: Path, cli) -> None:
    done = cli("export", "--model", trained_bundle, "--output", tmp_path / "x")
    assert done.code == 2 and "cannot export a tfidf bundle to ONNX" in done.err and len(done.err.splitlines()) == 1
    assert not (tmp_path / "x").exists()
    same = cli("export", "--model", trained_bundle, "--output", trained_bundle)
    assert same.code == 2 and "must differ" in same.err


def test_onnx_kind_cannot_be_trained(cli, sample_dir: Path, tmp_path: Path) -> None:
    done = cli(
        "train", "--preset", "semeval2018-ec", "--data-dir", sample_dir, "--output", tmp_path / "r", "model=onnx"
    )
    assert done.code == 2 and "made by `emotune export`" in done.err


def test_onnx_backend_exports_once_into_the_cache(encoder_bundle: Path, tmp_path: Path) -> None:
    first = load_classifier(encoder_bundle, "onnx")
    assert first.model_.kind == "onnx"
    cached = list((tmp_path / "cache" / "onnx").iterdir())
    assert len(cached) == 1 and cached[0].name.endswith("-onnx-v2")
    mtime = (cached[0] / "model.onnx").stat().st_mtime_ns
    load_classifier(encoder_bundle, "onnx")
    assert (cached[0] / "model.onnx").stat().st_mtime_ns == mtime  # reused, not exported again


def test_auto_picks_a_backend_that_holds_parity_and_remembers(
    encoder_bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backends, "CALIBRATION_TEXTS", 64)
    chosen = backends.choose_backend(encoder_bundle)
    memo = json.loads(next((tmp_path / "cache" / "auto").iterdir()).read_text())
    assert memo["backend"] == chosen
    rows = {r["backend"]: r for r in memo["measured"]}
    assert rows[chosen].get("parity", True) and {"torch", "onnx", "onnx-int8"} <= set(rows)
    assert all(r["texts_per_s"] <= rows[chosen]["texts_per_s"] for r in rows.values() if r.get("parity", True))
    monkeypatch.setattr(backends, "measure", lambda *a: pytest.fail("measured again instead of remembered"))
    assert backends.choose_backend(encoder_bundle) == chosen


def test_backend_errors_are_one_line(
    encoder_bundle: Path, trained_bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli
) -> None:
    tfidf = cli("predict", "--model", trained_bundle, "--backend", "onnx", "hello")
    assert tfidf.code == 2 and "runs transformer bundles; this is a tfidf bundle" in tfidf.err
    exported = export_onnx(encoder_bundle, tmp_path / "onnx")
    as_torch = cli("predict", "--model", exported, "--backend", "torch", "hello")
    assert as_torch.code == 2 and str(encoder_bundle) in as_torch.err  # names the bundle it came from
    as_int8 = cli("predict", "--model", exported, "--backend", "onnx-int8", "hello")
    assert as_int8.code == 2 and "has none weights, not int8" in as_int8.err
    monkeypatch.setattr("emotune.models.transformer.precision.native_precision", lambda: "fp32")
    emulated = cli("predict", "--model", encoder_bundle, "--backend", "torch-bf16", "hello")
    assert emulated.code == 2 and "needs native bf16" in emulated.err
    monkeypatch.setenv("CXX", "no-such-compiler")
    uncompiled = cli("predict", "--model", encoder_bundle, "--backend", "torch-compiled", "hello")
    assert uncompiled.code == 2 and "need a C++ compiler (no-such-compiler not found)" in uncompiled.err
    assert cli("predict", "--model", trained_bundle, "--backend", "auto", "hello").code == 0  # tfidf: as saved


def test_cli_backend_names_match_the_registry() -> None:
    from emotune.cli.predict_cmd import BACKENDS

    assert BACKENDS == backends.CHOICES


def _modules_after_predict(bundle: Path, backend: str) -> set[str]:
    import subprocess
    import sys

    load = f"load_classifier({str(bundle)!r}, {backend!r}).predict_proba(['so happy'])"
    imports = "import sys, json; from emotune.inference.backends import load_classifier"
    code = f"{imports}; {load}; print(json.dumps(list(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out))


def _modules_after_cli_predict(bundle: Path) -> set[str]:
    import subprocess
    import sys

    run = f"from emotune.cli import main; main(['-q', 'predict', '--model', {str(bundle)!r}, 'so happy'])"
    code = f"import sys, json; {run}; print(json.dumps(list(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


TRAINING_ONLY = {"torch", "transformers", "transformers.trainer", "sklearn.model_selection", "iterstrat", "datasets"}


def test_prediction_imports_no_trainer_and_onnx_bundles_no_torch(encoder_bundle: Path, tmp_path: Path) -> None:
    assert "transformers.trainer" not in _modules_after_predict(encoder_bundle, "torch")
    exported = export_onnx(encoder_bundle, tmp_path / "onnx")
    onnx_modules = _modules_after_predict(exported, "saved")
    assert "onnxruntime" in onnx_modules and not {"torch", "transformers"} & onnx_modules
    # `emotune predict` itself (the CLI, the predict workflow, the dialogue helpers) loads nothing training needs
    cli_modules = _modules_after_cli_predict(exported)
    assert "onnxruntime" in cli_modules and not TRAINING_ONLY & cli_modules, TRAINING_ONLY & cli_modules


def test_a_torch_bundle_starts_without_torch_once_its_onnx_export_is_cached(
    encoder_bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EMOTUNE_CACHE_DIR", str(tmp_path / "cache"))  # the subprocesses inherit it
    assert "torch" in _modules_after_predict(encoder_bundle, "onnx")  # the first call exports, with torch
    assert not {"torch", "transformers"} & _modules_after_predict(encoder_bundle, "onnx")  # later ones start fast


def test_compiled_backend_predicts_what_torch_does(encoder_bundle: Path, tmp_path: Path) -> None:
    compiled = load_classifier(encoder_bundle, "torch-compiled")
    texts = [*TEXTS, "a much longer text " * 20, "ok"]
    reference = load_classifier(encoder_bundle, "torch").predict_proba(texts)
    assert compiled.model_.compiled_ is not None
    probs = np.vstack([compiled.predict_proba(part) for part in (texts[:2], texts[2:])])  # two batch shapes
    assert np.abs(probs - reference).max() < PARITY_ATOL
    saved = compiled.save(tmp_path / "again")  # the compiled wrapper is never what gets saved
    assert np.abs(load_classifier(saved, "torch").predict_proba(texts) - reference).max() < PARITY_ATOL


def test_workers_share_one_onnx_export_and_match_one_process(
    encoder_bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from emotune.workflows.predict import predict_file

    exports: list[tuple[Path, str]] = []
    real = backends.export_once
    monkeypatch.setattr(
        backends, "export_once", lambda path, backend: exports.append((path, backend)) or real(path, backend)
    )
    source = tmp_path / "in.txt"
    source.write_text("\n".join(TEXTS * 3) + "\n", encoding="utf-8")
    options: dict[str, Any] = {"batch_size": 4, "progress": False, "backend": "onnx"}
    assert predict_file(encoder_bundle, source, tmp_path / "two.jsonl", workers=2, **options) == 3 * len(TEXTS)
    predict_file(encoder_bundle, source, tmp_path / "one.jsonl", **options)
    assert (tmp_path / "two.jsonl").read_text() == (tmp_path / "one.jsonl").read_text()
    assert exports == [(encoder_bundle, "onnx")]  # by the parent, before the workers start
    assert len(list((tmp_path / "cache" / "onnx").iterdir())) == 1
