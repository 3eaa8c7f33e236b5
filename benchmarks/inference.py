"""Prediction speed, side by side in one run on the same texts (issue 13).

Parts (``--only``; by default backends, cold, stream and serve):

- ``backends``: SemEval dev (886 tweets) repeated to >= 10,000 texts. Two plain alternatives a user would write
  (``transformers.pipeline("text-classification", top_k=None)`` called per text and in batches of 64, and plain
  fp32 PyTorch batches of 64 in file order, both on MiniLM with an 11-label head: the same network and
  compute as the bundle) against every emotune backend of the bundle. Each backend's parity with fp32 PyTorch:
  max |dp|, identical label sets and dev macro-F1 (the 886 dev rows), and ``ready_s``: loading the backend plus
  its first 16 texts (where ``torch.compile`` and the ONNX export happen), outside the measured rate.
- ``profile``: where eager ``torch-bf16`` spends its time over the 886 dev tweets (``torch.profiler``, share of
  self CPU time per operator), which is what ``torch.compile`` can fuse away.
- ``padding``: tokens per dev tweet, and what batches of 64 pad them to in file order and by token count.
- ``cold``: ``emotune predict --model B "one text"`` from process start to output, median of 5, per bundle (and
  the torch bundle with ``--backend onnx``, which loads its export from the cache after the first call).
- ``stream``: a CSV of ``--rows`` rows through ``emotune predict --input``: peak resident memory and rate against
  ``predict_proba`` on the texts held in memory; then a run killed half way and finished with ``--resume``
  (every row exactly once).
- ``workers``: ``--workers-rows`` rows through ``emotune predict --input`` with one and two worker processes
  (``--workers``), wall time from process start, and whether both outputs are the same bytes.
- ``serve``: ``emotune serve`` on loopback, 32 concurrent clients for ``--seconds``: errors, p50 / p99 latency and
  texts/s against the backend's batch rate, and the texts per model call; then the ``schemathesis`` CLI against
  the live server's schema; then the model alone on random dev tweets in batches of the size the service formed.
- ``int8``: where dynamic int8 quantisation loses parity. The fp32 ONNX export with one group of matrix products
  quantised at a time (one kind in every layer, then every product of one layer), against the fp32 export.

    python benchmarks/inference.py --bundle runs/bench-quality/semeval-plain/model

Results go to ``benchmarks/results/inference.json`` under the parts' names joined by ``+`` (a rerun of the same
parts replaces that entry; ``--tag T`` writes ``NAMES-T`` instead and keeps the earlier one).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from common import DATA_ROOT, add_result, machine, wait_healthy

from emotune.config import DataConfig
from emotune.data.loading import load_like
from emotune.evaluation.metrics import compute_metrics
from emotune.inference.backends import load_classifier, parity
from emotune.inference.export import export_onnx, quantize_int8
from emotune.models.onnx import GRAPH

DEV = DATA_ROOT / "semeval2018_ec" / "2018-E-c-En-dev.txt"
RESULTS = "inference.json"
BACKENDS = ("torch", "torch-bf16", "torch-bf16-compiled", "onnx", "onnx-int8")


def cpu_flags() -> list[str]:
    wanted = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_int8", "avx_vnni")
    text = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    flags = set(next((line.split(":", 1)[1].split() for line in text.splitlines() if line.startswith("flags")), []))
    return [f for f in wanted if f in flags]


def rate(fn: Any, texts: list[str], warm_up: bool = True) -> tuple[Any, float]:
    if warm_up:
        fn(texts[:16])
    start = time.perf_counter()
    out = fn(texts)
    return out, len(texts) / (time.perf_counter() - start)


def plain_alternatives(bundle: Path, texts: list[str]) -> dict[str, float]:
    """What a user gets without emotune: the pipeline per text / batch 64, and fp32 batches of 64 in file order."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

    from emotune.models.families import resolve_model_path

    source = resolve_model_path("minilm")
    tokenizer = AutoTokenizer.from_pretrained(source)
    model = AutoModelForSequenceClassification.from_pretrained(source, num_labels=11).eval()
    classify = pipeline("text-classification", model=model, tokenizer=tokenizer, top_k=None, device="cpu")
    results = {}
    _, results["pipeline_per_text"] = rate(lambda ts: [classify(t) for t in ts], texts)
    _, results["pipeline_batch_64"] = rate(lambda ts: classify(ts, batch_size=64), texts)

    def file_order(ts: list[str]) -> None:
        with torch.inference_mode():
            for start in range(0, len(ts), 64):
                batch = tokenizer(ts[start : start + 64], padding=True, truncation=True, max_length=128,
                                  return_tensors="pt")  # fmt: skip
                torch.sigmoid(model(**batch).logits)

    _, results["fp32_batch_64_file_order"] = rate(file_order, texts)
    return {k: round(v, 1) for k, v in results.items()}


def backends(bundle: Path, repeat_to: int) -> dict[str, Any]:
    reference = load_classifier(bundle, "torch")
    dev = load_like("semeval2018-ec", str(DEV), DataConfig(preset="semeval2018-ec"), reference.schema)
    texts = list(dev.texts) * -(-repeat_to // len(dev.texts))
    rows: dict[str, Any] = {}
    ref_probs, ref_rate = rate(reference.predict_proba, texts)
    ref_pred = reference.decide(ref_probs)
    n = len(dev.texts)
    ref_f1 = compute_metrics(dev.y, ref_pred[:n], reference.schema)["macro_f1"]
    for backend in BACKENDS:
        start = time.perf_counter()
        clf = reference if backend == "torch" else load_classifier(bundle, backend)
        clf.predict_proba(texts[:16])
        ready_s = round(time.perf_counter() - start, 1)
        if backend == "torch":
            probs, texts_per_s = ref_probs, ref_rate
        else:  # warmed up by ready_s's first 16 texts
            probs, texts_per_s = rate(clf.predict_proba, texts, warm_up=False)
        pred = clf.decide(probs)
        f1 = compute_metrics(dev.y, pred[:n], reference.schema)["macro_f1"]
        rows[backend] = {"texts_per_s": round(texts_per_s, 1), "ready_s": ready_s,
                         **parity(ref_probs, ref_pred, probs, pred), "dev_macro_f1": round(f1, 4),
                         "macro_f1_delta": round(f1 - ref_f1, 4)}  # fmt: skip
        print(backend, rows[backend], flush=True)
    plain = plain_alternatives(bundle, texts)
    print("plain", plain, flush=True)
    return {"texts": len(texts), "emotune": rows, "plain": plain}


INT8_KINDS = {"query": r"/self/query/", "key": r"/self/key/", "value": r"/self/value/",
              "attention output": r"/attention/output/dense/", "feed-forward in": r"/intermediate/dense/",
              "feed-forward out": r"/layer\.\d+/output/dense/"}  # fmt: skip


def int8_parts(bundle: Path, work: Path) -> dict[str, Any]:
    """Parity and rate with one group of weight products in int8 at a time, against the fp32 ONNX export."""
    import onnx

    from emotune.classifier import EmotionClassifier

    fp32 = export_onnx(bundle, work / "int8-parts-fp32")
    graph = onnx.load(str(fp32 / GRAPH)).graph
    weights = {init.name for init in graph.initializer}
    products = [node.name for node in graph.node if node.op_type == "MatMul" and node.input[1] in weights]

    groups = {"all": products}
    groups |= {f"{kind} only": [p for p in products if re.search(pattern, p)] for kind, pattern in INT8_KINDS.items()}
    groups |= {f"layer {i} only": [p for p in products if f"/layer.{i}/" in p] for i in range(12)}
    reference = EmotionClassifier.load(fp32)
    dev = load_like("semeval2018-ec", str(DEV), DataConfig(preset="semeval2018-ec"), reference.schema)
    texts, n = list(dev.texts), len(dev.texts)
    ref_probs, ref_rate = rate(reference.predict_proba, texts * 3)
    ref_probs = ref_probs[:n]
    ref_pred = reference.decide(ref_probs)
    rows: dict[str, Any] = {"fp32": {"products": 0, "texts_per_s": round(ref_rate, 1)}}
    for name, chosen in groups.items():
        if not chosen:
            continue
        folder = work / "int8-parts"
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(fp32, folder)
        quantize_int8(folder / GRAPH, keep_fp32=[p for p in products if p not in chosen])
        clf = EmotionClassifier.load(folder)
        probs, texts_per_s = rate(clf.predict_proba, texts * 3)
        probs = probs[:n]
        pred = clf.decide(probs)
        f1 = compute_metrics(dev.y, pred, reference.schema)["macro_f1"]
        rows[name] = {"products": len(chosen), "texts_per_s": round(texts_per_s, 1),
                      **parity(ref_probs, ref_pred, probs, pred), "dev_macro_f1": round(f1, 4)}  # fmt: skip
        print("int8", name, rows[name], flush=True)
    return rows


def padding(bundle: Path) -> dict[str, Any]:
    """Tokens a SemEval dev tweet takes, and what batches of 64 pad it to: in file order and by token count."""
    clf = load_classifier(bundle, "torch")
    dev = pd.read_csv(DEV, sep="\t")["Tweet"].tolist()
    encoded = clf.model_.inputs_(clf.preprocessor.transform(dev))  # type: ignore[attr-defined]
    lengths = np.array([len(ids) for ids in encoded["input_ids"]])

    def padded(order: np.ndarray) -> float:
        batches = [order[start : start + 64] for start in range(0, len(order), 64)]
        return round(sum(len(b) * float(lengths[b].max()) for b in batches) / len(order), 1)

    result = {"mean_tokens": round(float(lengths.mean()), 1), "file_order_padded": padded(np.arange(len(lengths))),
              "by_token_count_padded": padded(np.argsort(lengths, kind="stable"))}  # fmt: skip
    print("padding", result, flush=True)
    return result


def profile(bundle: Path, top: int = 6) -> dict[str, float]:
    from torch.profiler import ProfilerActivity
    from torch.profiler import profile as torch_profile

    clf = load_classifier(bundle, "torch-bf16")
    dev = pd.read_csv(DEV, sep="\t")["Tweet"].tolist()
    clf.predict_proba(dev[:64])
    with torch_profile(activities=[ProfilerActivity.CPU]) as prof:
        clf.predict_proba(dev)
    events = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)
    total = sum(e.self_cpu_time_total for e in events)
    shares = {e.key: round(e.self_cpu_time_total / total, 3) for e in events[:top]}
    print("profile", shares, flush=True)
    return shares


def cold_start(setups: dict[str, tuple[Path, str]], repeats: int = 5) -> dict[str, Any]:
    """``emotune predict --model BUNDLE --backend BACKEND "one text"`` per setup, from process start to output;
    one untimed call first, which makes the cached ONNX export of a transformer bundle for the ONNX backends."""
    out = {}
    for name, (bundle, backend) in setups.items():
        command = [sys.executable, "-m", "emotune", "-q", "predict", "--model", str(bundle), "--backend", backend,
                   "I can't believe they cancelled the show"]  # fmt: skip
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
        out[name] = {"median_s": round(statistics.median(times), 2), "runs_s": [round(t, 2) for t in times]}
        print("cold", name, out[name], flush=True)
    return out


def _peak_rss_mb(command: list[str]) -> tuple[float, float]:
    """Run ``command``; returns (wall seconds, peak resident MB of the process)."""
    import psutil

    start = time.perf_counter()
    process = psutil.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        try:
            peak = max(peak, process.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.2)
    if process.returncode != 0:
        raise SystemExit(f"{command} failed with {process.returncode}")
    return time.perf_counter() - start, peak / 2**20


def _big_csv(work: Path, rows: int) -> tuple[Path, list[str]]:
    """``rows`` rows of ``id,text``: the SemEval dev tweets over and over; and the dev tweets."""
    dev = pd.read_csv(DEV, sep="\t")["Tweet"].tolist()
    source = work / f"big-{rows}.csv"
    pd.DataFrame({"id": range(rows), "text": [dev[i % len(dev)] for i in range(rows)]}).to_csv(source, index=False)
    return source, dev


def workers(bundle: Path, backend: str, rows: int, work: Path, counts: tuple[int, ...] = (1, 2)) -> dict[str, Any]:
    """``emotune predict --input`` with 1 and 2 worker processes: wall time from process start (loading
    included) and texts/s, and whether the outputs are byte for byte the same."""
    source, _ = _big_csv(work, rows)
    result: dict[str, Any] = {"rows": rows, "backend": backend}
    outputs = []
    for n in counts:
        outputs.append(work / f"workers-{n}.csv")
        command = [sys.executable, "-m", "emotune", "-q", "predict", "--model", str(bundle), "--backend", backend,
                   "--input", str(source), "--output", str(outputs[-1]), "--workers", str(n)]  # fmt: skip
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        result[f"workers_{n}"] = {"wall_s": round(wall, 1), "texts_per_s": round(rows / wall, 1)}
    result["identical_outputs"] = len({path.read_bytes() for path in outputs}) == 1
    print("workers", result, flush=True)
    return result


def stream(bundle: Path, backend: str, rows: int, work: Path) -> dict[str, Any]:
    source, dev = _big_csv(work, rows)
    clf = load_classifier(bundle, backend)
    sample = [dev[i % len(dev)] for i in range(min(rows, 20_000))]
    _, memory_rate = rate(clf.predict_proba, sample)
    command = [sys.executable, "-m", "emotune", "-q", "predict", "--model", str(bundle), "--backend", backend,
               "--input", str(source), "--output", str(work / "out.csv")]  # fmt: skip
    wall, peak = _peak_rss_mb(command)
    result = {"rows": rows, "backend": backend, "in_memory_texts_per_s": round(memory_rate, 1),
              "streaming_texts_per_s": round(rows / wall, 1), "streaming_wall_s": round(wall, 1),
              "peak_rss_mb": round(peak)}  # fmt: skip
    print("stream", result, flush=True)
    (work / "out.csv").unlink()
    # kill it half way (SIGKILL: nothing can be flushed or cleaned up), then --resume
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    state = work / ".out.csv.partial.json"
    while process.poll() is None:
        if state.exists() and json.loads(state.read_text() or '{"rows": 0}')["rows"] >= rows // 2:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.2)
    process.wait()
    if not state.exists():
        raise SystemExit(f"the run finished before it could be killed half way; use more than {rows} --rows")
    killed_at = json.loads(state.read_text())["rows"]
    subprocess.run([*command, "--resume"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ids = pd.read_csv(work / "out.csv", usecols=["id"])["id"].to_numpy()
    exact = bool(len(ids) == rows and np.array_equal(ids, np.arange(rows)))
    result["resume"] = {"killed_after_rows": killed_at, "rows_after_resume": len(ids), "every_row_once_in_order": exact}
    print("resume", result["resume"], flush=True)
    return result


async def _load(url: str, texts: list[str], clients: int, seconds: float, per_request: int) -> dict[str, Any]:
    import httpx

    latencies: list[float] = []
    errors = 0
    done_texts = 0
    stop = time.perf_counter() + seconds

    async def client(k: int) -> None:
        nonlocal errors, done_texts
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            i = k
            while time.perf_counter() < stop:
                body = {"texts": [texts[(i + j) % len(texts)] for j in range(per_request)]}
                start = time.perf_counter()
                try:
                    response = await http.post("/predict", json=body)
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - start)
                errors += not ok
                done_texts += per_request if ok else 0
                i += clients

    start, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(client(k) for k in range(clients)))
    wall = time.perf_counter() - start
    return {"requests": len(latencies), "errors": errors, "texts_per_s": round(done_texts / wall, 1),
            "client_cpu_cores": round((time.process_time() - cpu) / wall, 2),
            "p50_ms": round(1000 * float(np.percentile(latencies, 50)), 1),
            "p99_ms": round(1000 * float(np.percentile(latencies, 99)), 1)}  # fmt: skip


def schemathesis(url: str, examples: int = 100) -> dict[str, Any]:
    """The ``schemathesis`` CLI against the live server's OpenAPI schema: every phase, no 5xx allowed."""
    command = [str(Path(sys.executable).with_name("schemathesis")), "--no-color", "run", f"{url}/openapi.json",
               "--checks", "not_a_server_error", "--max-examples", str(examples)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True)
    lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    result = {"command": " ".join(command[1:]), "exit_code": done.returncode, "summary": lines[-6:]}
    print("schemathesis", result, flush=True)
    return result


def serve(bundle: Path, backend: str, seconds: float, port: int = 8765) -> dict[str, Any]:
    import httpx

    dev = pd.read_csv(DEV, sep="\t")["Tweet"].tolist()
    clf = load_classifier(bundle, backend)
    clf.predict_proba(dev)  # every sequence length once: bf16 kernels are prepared per shape on first use
    _, batch_rate = rate(clf.predict_proba, dev * 4)
    del clf
    server = subprocess.Popen([sys.executable, "-m", "emotune", "-q", "serve", "--model", str(bundle), "--port",
                               str(port), "--backend", backend], stderr=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url)
        result: dict[str, Any] = {"backend": backend, "batch_texts_per_s": round(batch_rate, 1)}
        for per_request in (1, 8):
            before = httpx.get(f"{url}/metadata").json()["batching"]
            run = asyncio.run(_load(url, dev, 32, seconds, per_request))
            after = httpx.get(f"{url}/metadata").json()["batching"]
            run["share_of_batch_rate"] = round(run["texts_per_s"] / batch_rate, 2)
            calls = after["model_calls"] - before["model_calls"]
            run["texts_per_model_call"] = round(per_request * (after["requests"] - before["requests"]) / calls, 1)
            result[f"{per_request}_text_per_request"] = run
            print("serve", per_request, run, flush=True)
        result["schemathesis"] = schemathesis(url)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    # the ceiling: the model alone (no HTTP, server stopped) on random dev texts in batches of the size the
    # service formed, against the same batch rate
    clf = load_classifier(bundle, backend)
    clf.predict_proba(dev)
    for per_request in (1, 8):
        run = result[f"{per_request}_text_per_request"]
        size = max(1, round(run["texts_per_model_call"]))
        rng = np.random.default_rng(0)
        groups = [list(rng.choice(dev, size)) for _ in range(max(1, 2000 // size))]
        start = time.perf_counter()
        for group in groups:
            clf.predict_proba(group)
        alone = size * len(groups) / (time.perf_counter() - start)
        run["model_alone_texts_per_s"] = round(alone, 1)
        run["model_alone_share_of_batch_rate"] = round(alone / batch_rate, 2)
        print("serve ceiling", per_request, size, round(alone, 1), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", type=Path, default=Path("runs/bench-quality/semeval-plain/model"))
    parser.add_argument("--only", nargs="+", default=["backends", "cold", "stream", "serve"])
    parser.add_argument("--repeat-to", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the streaming CSV")
    parser.add_argument("--stream-bundle", type=Path, help="bundle for the streaming part (default: --bundle)")
    parser.add_argument("--stream-backend", default="onnx-int8")
    parser.add_argument("--serve-backend", default="torch-bf16")
    parser.add_argument("--workers-backend", default="onnx")
    parser.add_argument("--workers-rows", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--tag", help="suffix of the results entry (default: the parts' names), so that a rerun "
                        "of a part can be kept beside the earlier one")  # fmt: skip
    args = parser.parse_args()
    started = time.perf_counter()
    result: dict[str, Any] = {"bundle": str(args.bundle), "cpu_flags": cpu_flags(), "machine": machine(),
                              "command": "python " + " ".join(sys.argv)}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="emotune-bench-") as tmp:
        work = Path(tmp)
        os.environ.setdefault("EMOTUNE_CACHE_DIR", str(work / "cache"))
        os.environ.setdefault("TORCHINDUCTOR_CACHE_DIR", str(work / "inductor"))  # ready_s: a first compile
        if "backends" in args.only:
            result["backends"] = backends(args.bundle, args.repeat_to)
        if "profile" in args.only:
            result["profile"] = profile(args.bundle)
        if "padding" in args.only:
            result["padding"] = padding(args.bundle)
        if "cold" in args.only:
            onnx, int8 = export_onnx(args.bundle, work / "onnx"), export_onnx(args.bundle, work / "int8", "int8")
            result["cold_start"] = cold_start({
                "torch bundle": (args.bundle, "saved"),
                "torch bundle, --backend onnx (its export cached)": (args.bundle, "onnx"),
                "onnx bundle": (onnx, "saved"),
                "onnx-int8 bundle": (int8, "saved"),
            })  # fmt: skip
        if "stream" in args.only:
            result["stream"] = stream(args.stream_bundle or args.bundle, args.stream_backend, args.rows, work)
        if "workers" in args.only:
            result["workers"] = workers(args.bundle, args.workers_backend, args.workers_rows, work)
        if "int8" in args.only:
            result["int8"] = int8_parts(args.bundle, work)
        if "serve" in args.only:
            result["serve"] = serve(args.bundle, args.serve_backend, args.seconds)
    result["wall_s"] = round(time.perf_counter() - started)
    add_result(RESULTS, "+".join(args.only) + (f"-{args.tag}" if args.tag else ""), result)


if __name__ == "__main__":
    main()
