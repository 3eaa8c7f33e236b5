"""The HTTP service: endpoints through FastAPI's TestClient, request limits, micro-batching under concurrent
calls, and a bounded schemathesis run against the OpenAPI schema (no server errors)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from emotune import EmotionClassifier
from emotune.serve.batching import Busy, MicroBatcher

fastapi = pytest.importorskip("fastapi", reason="the [serve] extra is part of `make setup`")
from fastapi.testclient import TestClient  # noqa: E402

from emotune.serve.app import Limits, create_app  # noqa: E402

TEXTS = ["I can't believe they cancelled the show", "Finally home with my family, so blessed", "so scared 😰"]


@pytest.fixture(scope="module")
def clf(trained_bundle: Path) -> EmotionClassifier:
    return EmotionClassifier.load(trained_bundle)


@pytest.fixture
def client(clf: EmotionClassifier) -> Iterator[TestClient]:
    limits = Limits(max_texts=8, max_chars=200, max_body=4000)
    with TestClient(create_app(clf, limits, backend="saved")) as test_client:
        yield test_client


def test_predict_gives_the_bundles_labels_and_probabilities(client: TestClient, clf: EmotionClassifier) -> None:
    response = client.post("/predict", json={"texts": TEXTS})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["text"] for r in results] == TEXTS
    assert [r["labels"] for r in results] == clf.predict_labels(TEXTS)
    probs = np.array([[r["probabilities"][n] for n in clf.schema_.names] for r in results])
    np.testing.assert_allclose(probs, clf.predict_proba(TEXTS), atol=1e-4)


def test_labels_health_metadata_and_openapi(client: TestClient, clf: EmotionClassifier) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    labels = client.get("/labels").json()
    assert labels["labels"] == list(clf.schema_.names) and labels["task"] == "multilabel"
    assert len(labels["thresholds"]["thresholds"]) == clf.schema_.n_labels
    client.post("/predict", json={"texts": TEXTS[:1]})
    meta = client.get("/metadata").json()
    assert meta["model_kind"] == "tfidf" and meta["backend"] == "saved" and "macro_f1" in str(meta["metrics"])
    assert meta["batching"]["requests"] == 1
    assert meta["licence"] is None  # TF-IDF: no base model whose licence emotune could know
    assert "/predict" in client.get("/openapi.json").json()["paths"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"texts": ["a text"] * 9}, 413, "9 texts in one request; the limit is 8"),
        ({"texts": ["x" * 201]}, 413, "text 0 has 201 characters"),
        ({"texts": []}, 422, "no texts"),
        ({"texts": ["fine", "  "]}, 422, "text 1 is empty"),
        ({}, 422, "give either texts or conversation"),
        ({"texts": ["a"], "conversation": [{"text": "b"}]}, 422, "give either texts or conversation"),
        ({"conversation": [{"text": "hi"}]}, 422, "this bundle labels single texts"),
        ({"texts": "not a list"}, 422, "list"),
    ],
)
def test_bad_requests_get_4xx_with_a_json_detail(client: TestClient, body: dict, status: int, message: str) -> None:
    response = client.post("/predict", json=body)
    assert response.status_code == status and message in str(response.json()["detail"])


def test_oversize_and_malformed_bodies(client: TestClient) -> None:
    big = client.post("/predict", content=b'{"texts": ["' + b"x" * 5000 + b'"]}',
                      headers={"content-type": "application/json"})  # fmt: skip
    assert big.status_code == 413 and "over 4000 bytes" in big.json()["detail"]
    broken = client.post("/predict", content=b'{"texts": [', headers={"content-type": "application/json"})
    assert broken.status_code == 422
    surrogate = client.post("/predict", content=b'{"texts": ["\\ud800 a lone surrogate"]}',
                            headers={"content-type": "application/json"})  # fmt: skip
    assert surrogate.status_code == 422 and "not valid Unicode" in surrogate.json()["detail"]


def test_concurrent_requests_share_model_calls_and_each_gets_its_own_rows(clf: EmotionClassifier) -> None:
    calls: list[int] = []
    lock = threading.Lock()

    def slow_predict(texts: list[str]) -> np.ndarray:
        with lock:
            calls.append(len(texts))
        time.sleep(0.02)  # a model call takes a while, so requests pile up behind it
        return clf.predict_proba(texts)

    async def main() -> list[np.ndarray]:
        batcher = MicroBatcher(slow_predict, max_batch=64, max_wait_ms=10)
        await batcher.start()
        try:
            return await asyncio.gather(*(batcher.predict([TEXTS[i % 3]] * (1 + i % 2)) for i in range(24)))
        finally:
            await batcher.stop()

    results = asyncio.run(main())
    for i, probs in enumerate(results):
        assert probs.shape == (1 + i % 2, clf.schema_.n_labels)
        np.testing.assert_allclose(probs, clf.predict_proba([TEXTS[i % 3]] * (1 + i % 2)), atol=1e-6)
    assert sum(calls) == sum(1 + i % 2 for i in range(24)) and len(calls) < 24 / 2


def test_a_request_that_waited_behind_a_model_call_is_not_held_for_company(clf: EmotionClassifier) -> None:
    starts: list[float] = []
    ends: list[float] = []

    def slow_predict(texts: list[str]) -> np.ndarray:
        starts.append(time.perf_counter())
        time.sleep(0.6 if len(starts) == 1 else 0)  # the first call outlasts max_wait
        ends.append(time.perf_counter())
        return clf.predict_proba(texts)

    async def main() -> None:
        batcher = MicroBatcher(slow_predict, max_batch=2, max_wait_ms=300)
        await batcher.start()
        first = asyncio.ensure_future(batcher.predict(["a", "b"]))  # a full batch: goes at once
        await asyncio.sleep(0.05)
        await asyncio.gather(first, batcher.predict(["c"]))  # queued behind it for over 300 ms already
        await batcher.stop()

    asyncio.run(main())
    assert len(starts) == 2
    assert starts[1] - ends[0] < 0.15  # not another 300 ms: its wait counts from its arrival


def test_a_full_queue_is_busy_not_a_wait(clf: EmotionClassifier) -> None:
    release = threading.Event()

    def blocked(texts: list[str]) -> np.ndarray:
        release.wait(5)
        return clf.predict_proba(texts)

    async def main() -> None:
        batcher = MicroBatcher(blocked, max_batch=1, max_wait_ms=0, max_queue=2)
        await batcher.start()
        first = asyncio.ensure_future(batcher.predict(["a"]))
        await asyncio.sleep(0.05)  # taken by the model call, which blocks
        queued = [asyncio.ensure_future(batcher.predict(["b"])) for _ in range(2)]
        await asyncio.sleep(0)
        with pytest.raises(Busy):
            await batcher.predict(["c"])
        release.set()
        await asyncio.gather(first, *queued)
        await batcher.stop()

    asyncio.run(main())


def test_a_dialogue_bundle_scores_each_turn_of_a_conversation(tmp_path: Path, cli) -> None:
    rows = [{"dialog_id": f"d{d}", "turn": t, "speaker": "AB"[t % 2], "text": text, "label": label}
            for d in range(30) for t, (text, label) in enumerate([("hello there", "no emotion"),
                                                                  ("my dog died", "sadness"),
                                                                  ("I am so sorry", "sadness")])]  # fmt: skip
    pd.DataFrame(rows).to_csv(tmp_path / "d.csv", index=False)
    assert cli("train", "--preset", "dialogues", "--train", tmp_path / "d.csv", "--output", tmp_path / "run",
               "model=tfidf", "task=utterance", "dialogue.context=1").code == 0  # fmt: skip
    dialogue = EmotionClassifier.load(tmp_path / "run" / "model")
    with TestClient(create_app(dialogue)) as client:
        turns = [{"text": "hello there", "speaker": "A"}, {"text": "my dog died", "speaker": "B"}]
        results = client.post("/predict", json={"conversation": turns}).json()["results"]
    assert [(r["turn"], r["speaker"], r["task"]) for r in results] == [(0, "A", "utterance"), (1, "B", "utterance")]
    assert results[1]["labels"] == ["sadness"]


def test_schemathesis_finds_no_server_error(clf: EmotionClassifier) -> None:
    schemathesis = pytest.importorskip("schemathesis", reason="in the [dev] extra")
    from hypothesis import HealthCheck, given, settings
    from schemathesis.python.asgi import get_client

    app, statuses = create_app(clf, Limits(max_texts=16, max_chars=500)), []
    with get_client(app) as session:  # one client that runs the app's lifespan (the batcher) for every call
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        for result in schema.get_all_operations():
            operation = result.ok()

            @given(case=operation.as_strategy())
            @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def check(case: object) -> None:
                response = case.call(session=session)  # type: ignore[attr-defined]
                statuses.append(response.status_code)
                assert response.status_code < 500, (case, response.text)

            check()
    assert 200 in statuses and 422 in statuses  # the run reached the model and the validation


def test_cli_serve_answers_and_shuts_down_gracefully(trained_bundle: Path) -> None:
    import signal
    import socket
    import subprocess
    import sys

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "emotune", "serve", "--model", str(trained_bundle), "--port", str(port)]
    server = subprocess.Popen([*command, "--backend", "saved"], stderr=subprocess.PIPE, text=True)
    try:
        url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        response = httpx.post(f"{url}/predict", json={"texts": TEXTS})
        assert response.status_code == 200 and len(response.json()["results"]) == 3
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)  # uvicorn re-raises the signal once it has shut down cleanly
        assert "Application shutdown complete" in (server.stderr.read() if server.stderr else "")
    finally:
        server.kill()
