"""The JSON API: ask a question (whole or streamed) and the health check."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent

from ...errors import PLWError
from ..deps import AssistantDep, RecordDep
from ..follow_up import follow_up
from ..openapi import errors, event_stream, json_body
from ..render import templates
from ..responses import (
    AnswerOut,
    ErrorDetail,
    Health,
    HealthError,
    StreamAnswer,
    StreamToken,
)
from ..schemas import AskRequest

router = APIRouter()
UNAVAILABLE = (
    "Too many questions at once (PLW_MAX_PENDING; Retry-After says when to ask again), or no "
    "index to answer from yet."
)
ASK_ERRORS = errors(400, 408, 413, 422, 503, unavailable=UNAVAILABLE)
NO_INDEX = {"description": "No index can be served yet.", "content": json_body(HealthError)}


@router.get("/healthz", response_model=Health, responses={503: NO_INDEX, **errors(400)})
async def healthz(assistant: AssistantDep) -> Health | JSONResponse:
    """The index served, or why none can be."""
    try:
        manifest = (await run_in_threadpool(lambda: assistant.index)).manifest
    except PLWError as exc:
        return JSONResponse(HealthError(detail=exc.detail).model_dump(), 503)
    return Health(
        model=manifest.model,
        documents=manifest.documents,
        chunks=manifest.chunks,
        built_at=manifest.built_at,
    )


@router.post("/api/ask", responses=ASK_ERRORS)
async def api_ask(body: AskRequest, assistant: AssistantDep, record: RecordDep) -> AnswerOut:
    """The answer to a question, with every passage it quotes or retrieved."""
    return AnswerOut.of(await run_in_threadpool(assistant.ask, body.to_question(), record))


@router.post(
    "/api/ask/stream",
    response_class=EventSourceResponse,
    responses={**ASK_ERRORS, **event_stream("Server-sent events: tokens, then the answer.")},
)
def api_ask_stream(
    body: AskRequest, assistant: AssistantDep, record: RecordDep
) -> Iterator[ServerSentEvent]:
    """Server-sent events: ``token`` (generated text as it comes), then ``answer`` (the
    checked answer as in ``/api/ask``, plus its rendered ``html``) or ``error``. Iterated on
    a worker thread, as answering blocks."""
    question = body.to_question()
    partial = templates.get_template("_answer.html")
    try:
        for event in assistant.ask_stream(question, record=record):
            if isinstance(event, str):
                yield ServerSentEvent(event="token", data=StreamToken(text=event))
            else:
                html = partial.render(
                    answer=event, follow_up=lambda a: follow_up(a, assistant.index)
                )
                out = StreamAnswer(**dict(AnswerOut.of(event)), html=html)
                yield ServerSentEvent(event="answer", data=out)
    except PLWError as exc:
        yield ServerSentEvent(event="error", data=ErrorDetail(detail=exc.detail))
