"""The JSON API: ask a question (whole or streamed) and the health check."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse

from ...errors import PLWError
from ..deps import AssistantDep
from ..render import templates
from ..schemas import AskRequest

router = APIRouter()


@router.get("/healthz")
async def healthz(assistant: AssistantDep) -> JSONResponse:
    try:
        manifest = (await run_in_threadpool(lambda: assistant.index)).manifest
    except PLWError as exc:
        return JSONResponse({"status": "error", "detail": exc.detail}, 503)
    return JSONResponse(
        {
            "status": "ok",
            "model": manifest.model,
            "documents": manifest.documents,
            "chunks": manifest.chunks,
            "built_at": manifest.built_at,
        }
    )


@router.post("/api/ask")
async def api_ask(body: AskRequest, assistant: AssistantDep) -> JSONResponse:
    answer = await run_in_threadpool(assistant.ask, body.to_question(), True)
    return JSONResponse(answer.to_dict())


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.post("/api/ask/stream")
async def api_ask_stream(body: AskRequest, assistant: AssistantDep) -> StreamingResponse:
    """Server-sent events: ``token`` (generated text as it comes), then ``answer`` (the
    checked answer as in ``/api/ask``, plus its rendered ``html``) or ``error``."""
    question = body.to_question()
    partial = templates.get_template("_answer.html")

    def events() -> Iterator[str]:
        try:
            for event in assistant.ask_stream(question, record=True):
                if isinstance(event, str):
                    yield _sse("token", {"text": event})
                else:
                    html = partial.render(answer=event)
                    yield _sse("answer", {**event.to_dict(), "html": html})
        except PLWError as exc:
            yield _sse("error", {"detail": exc.detail})

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )
