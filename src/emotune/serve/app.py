"""``emotune serve``: a bundle behind HTTP (FastAPI), with dynamic micro-batching and request limits.

Endpoints: ``POST /predict`` (``{"texts": [...]}`` -> labels and probabilities per text; ``{"conversation":
[{"text", "speaker"}, ...]}`` -> per-turn results from a dialogue bundle), ``GET /labels``, ``GET /health``,
``GET /metadata`` and the OpenAPI schema at ``/openapi.json`` (docs at ``/docs``).

Bad input never gets a 500: malformed JSON or fields are 422, a request over a limit (body bytes, texts per
request, characters per text) is 413, a full queue is 503; every error body is ``{"detail": "..."}``.

>>> # app = create_app(load_classifier("RUN/model", "auto"))
>>> # uvicorn.run(app, host="127.0.0.1", port=8000)
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.types import ASGIApp, Receive, Scope, Send

from emotune.classifier import EmotionClassifier
from emotune.inference.conversation import predict_conversation
from emotune.models.catalogue import licence_of
from emotune.serve.batching import Busy, MicroBatcher


@dataclass(frozen=True)
class Limits:
    """Request limits and batching: a request over a limit is answered 413."""

    max_texts: int = 256  # texts (or turns) per request
    max_chars: int = 10_000  # characters per text
    max_body: int = 1_000_000  # bytes per request body
    max_batch: int = 256  # texts per model call
    max_wait_ms: float = 5.0  # how long the first request of a batch waits for company
    max_queue: int = 1024  # requests waiting; beyond it 503


class Turn(BaseModel):
    text: str = Field(description="what the speaker said")
    speaker: str | None = Field(default=None, description="who said it (default: A, B, A, ...)")


class PredictRequest(BaseModel):
    """Give ``texts`` (independent texts) or ``conversation`` (the turns of one dialogue, for dialogue bundles)."""

    texts: list[str] | None = Field(default=None, examples=[["I can't believe they cancelled the show"]])
    conversation: list[Turn] | None = None


class Prediction(BaseModel):
    text: str
    labels: list[str]
    probabilities: dict[str, float]
    turn: int | None = None
    speaker: str | None = None
    task: str | None = None


class PredictResponse(BaseModel):
    results: list[Prediction]


ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"description": "over a request limit (body size, texts per request, characters per text)"},
    422: {"description": "malformed request"},
    503: {"description": "too many requests waiting; retry shortly"},
}


def create_app(clf: EmotionClassifier, limits: Limits | None = None, backend: str = "saved") -> FastAPI:
    """The service for ``clf`` (see the module doc); the micro-batcher runs while the app's lifespan does.
    (Over 60 lines: FastAPI's routes are closures over ``clf``, the batcher and the limits, one after another.)"""
    limits = limits or Limits()
    batcher = MicroBatcher(clf.predict_proba, limits.max_batch, limits.max_wait_ms, limits.max_queue)
    names = list(clf.label_names)
    dialogue = clf.config.dialogue.task != "none"

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await batcher.start()
        yield
        await batcher.stop()  # graceful: uvicorn has stopped taking requests and let the open ones finish

    app = FastAPI(title="emotune", version=_version(), lifespan=lifespan,
                  description="Emotion detection with an emotune bundle.")  # fmt: skip
    app.state.batcher = batcher

    app.add_middleware(BodyLimit, max_body=limits.max_body)

    @app.post("/predict", response_model=PredictResponse, responses=ERRORS)
    async def predict(request: PredictRequest) -> Any:
        """Labels and probabilities of each text, or of each turn of a conversation."""
        if (request.texts is None) == (request.conversation is None):
            raise HTTPException(422, "give either texts or conversation")
        items = request.texts if request.texts is not None else [t.text for t in request.conversation or []]
        _check(items, limits)
        if request.conversation is not None or dialogue:
            if not dialogue:
                raise HTTPException(422, 'this bundle labels single texts: send {"texts": [...]}')
            speakers = None
            if request.conversation is not None and all(t.speaker is not None for t in request.conversation):
                speakers = [str(t.speaker) for t in request.conversation]
            records = await asyncio.to_thread(predict_conversation, clf, items, speakers)
            return PredictResponse(results=[Prediction(**r) for r in records])
        try:
            probs = await batcher.predict(items)
        except Busy as exc:
            raise HTTPException(503, str(exc)) from None
        return JSONResponse(
            {"results": clf.records(items, probs)}
        )  # built here: the hot path skips response-model validation

    @app.get("/labels")
    async def labels() -> dict[str, Any]:
        """The label names, the task and the decision thresholds."""
        return {"labels": names, "task": clf.task, "thresholds": clf.thresholds}

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/metadata")
    async def metadata() -> dict[str, Any]:
        """What the model is: kind, base model, backend, task, dialogue settings and its saved metrics."""
        stats = batcher.stats
        return {
            "model_kind": clf.model_.kind,
            "model": clf.config.model.name,
            "licence": licence_of(clf.config.model.name),
            "backend": backend,
            "task": clf.task,
            "labels": names,
            "dialogue": clf.config.dialogue.model_dump(mode="json"),
            "metrics": getattr(clf, "metrics_", {}),
            "batching": {"model_calls": stats.batches, "requests": stats.requests, "largest": stats.largest},
        }

    return app


class BodyLimit:
    """Answer 413 before reading a body whose ``Content-Length`` is over ``max_body`` (a plain ASGI middleware:
    Starlette's ``BaseHTTPMiddleware`` costs several times more per request)."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app, self.max_body = app, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            length = dict(scope["headers"]).get(b"content-length", b"")
            if length.isdigit() and int(length) > self.max_body:
                response = JSONResponse({"detail": f"request body over {self.max_body} bytes"}, status_code=413)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _check(texts: list[str], limits: Limits) -> None:
    if not texts:
        raise HTTPException(422, "no texts: send at least one")
    if len(texts) > limits.max_texts:
        raise HTTPException(413, f"{len(texts)} texts in one request; the limit is {limits.max_texts}")
    for i, text in enumerate(texts):
        if len(text) > limits.max_chars:
            raise HTTPException(413, f"text {i} has {len(text)} characters; the limit is {limits.max_chars}")
        if not text.strip():
            raise HTTPException(422, f"text {i} is empty")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise HTTPException(422, f"text {i} is not valid Unicode (a lone surrogate)") from None


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("emotune")
    except metadata.PackageNotFoundError:
        return "unknown"
