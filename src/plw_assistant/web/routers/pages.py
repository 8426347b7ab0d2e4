"""The HTML pages: the chat (with and without JavaScript), the lessons, a whole document."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from ...config import MAX_K, Mode
from ...domain import Answer, Filters, Question
from ...errors import PLWError
from ...lessons import group_lessons
from ..deps import AssistantDep, IndexDep
from ..render import templates
from ..schemas import MAX_HISTORY, HistoryTurn, parse_history

router = APIRouter()

FILTER_FIELDS = ("session", "document", "tag")
MODE_LABELS = {"hybrid": "Hybrid (meaning + words)", "dense": "Meaning", "bm25": "Exact words"}
EXAMPLES = [
    "How can clusters support their members with EU funding?",
    "How should a cluster communicate with its members in a crisis?",
    "What was discussed in PLW#3?",
    "What did partnerships learn about working with other ESCP-4x projects?",
]
NO_FACETS: dict[str, list[str]] = {"session": [], "document": [], "tag": []}


async def _chat_page(
    request: Request,
    assistant: AssistantDep,
    q: str | None,
    k: int | None,
    mode: Mode | None,
    history: list[HistoryTurn],
    filters: Filters,
) -> HTMLResponse:
    answer: Answer | None = None
    error: str | None = None
    status = 200
    if q is not None:
        try:
            turns = tuple(t.turn() for t in history)
            question = Question(q, k, mode, turns, filters)
            answer = await run_in_threadpool(assistant.ask, question)
        except PLWError as exc:
            status, error = exc.status, exc.detail
    try:
        facets = assistant.index.facets()
    except PLWError:
        facets = NO_FACETS
    past = [t.model_dump() for t in history]
    if answer is not None:
        past.append(answer.to_dict())
    context: dict[str, Any] = {
        "question": q or "",
        "mode": mode or assistant.settings.mode,
        "modes": MODE_LABELS,
        "answer": answer,
        "earlier": history,
        "history_json": json.dumps(past[-MAX_HISTORY:], ensure_ascii=False),
        "error": error,
        "examples": EXAMPLES,
        "streaming": assistant.llm is not None,
        "facets": facets,
        "filters": filters,
    }
    return templates.TemplateResponse(
        request=request, name="index.html", context=context, status_code=status
    )


@router.get("/", response_class=HTMLResponse)
async def page(
    request: Request,
    assistant: AssistantDep,
    q: Annotated[str | None, Query(max_length=10_000)] = None,
    k: Annotated[int | None, Query(ge=1, le=MAX_K)] = None,
    mode: Mode | None = None,
    session: Annotated[str | None, Query(max_length=200)] = None,
    document: Annotated[str | None, Query(max_length=500)] = None,
    tag: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    filters = Filters.of(session, document, tag)
    return await _chat_page(request, assistant, q, k, mode, [], filters)


@router.post("/", response_class=HTMLResponse)
async def page_post(request: Request, assistant: AssistantDep) -> HTMLResponse:
    """The chat form without JavaScript: the conversation so far travels in the form."""
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    q = form.get("q", [""])[0][:10_000]
    mode = form.get("mode", [""])[0]
    chosen: Mode | None = mode if mode in MODE_LABELS else None  # type: ignore[assignment]
    history = parse_history(form.get("history", [None])[0])
    filters = Filters.of(*(form.get(f, [""])[0][:500] for f in FILTER_FIELDS))
    return await _chat_page(request, assistant, q, None, chosen, history, filters)


@router.get("/lessons", response_class=HTMLResponse)
async def lessons_page(
    request: Request,
    index: IndexDep,
    by: Literal["document", "webinar"] = "document",
    filter: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    """Every lesson, grouped by document and section or by webinar, with a filter."""
    groups = group_lessons(index, by, filter)
    context = {"groups": groups, "by": by, "filter": filter, "total": sum(g.count for g in groups)}
    return templates.TemplateResponse(request=request, name="lessons.html", context=context)


@router.get("/documents/{document:path}", response_class=HTMLResponse)
async def document_page(
    request: Request, document: str, index: IndexDep, passage: str | None = None
) -> HTMLResponse:
    """A whole note, with the cited passage marked."""
    doc = index.documents.get(document)
    if doc is None:
        return HTMLResponse("No such document in the index.", status_code=404)
    chunk = index.chunk(passage) if passage else None
    if chunk is not None and chunk.document != doc.id:
        chunk = None
    spans = [(chunk.start, chunk.end)] if chunk else []
    context = {"doc": doc, "spans": spans, "passage": chunk}
    return templates.TemplateResponse(request=request, name="document.html", context=context)
