"""The HTML pages: the chat (with and without JavaScript), the lessons, a whole document."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import TypeAdapter

from ...assistant import Record
from ...config import MAX_K
from ...domain import MARKER, Answer, Filters, Mode, Question, clean_question
from ...errors import PLWError, QuestionError
from ...lessons import Filter, lessons
from ...lessons.questions import questions
from ..deps import AssistantDep, IndexDep, RecordDep
from ..documents import document_view
from ..facets import Labels, filter_choices
from ..failures import problem
from ..follow_up import follow_up
from ..forms import ChatForm
from ..openapi import PAGE_INVALID
from ..page_cache import FOLDER as PAGES
from ..render import templates
from ..responses import AnswerOut
from ..schemas import MAX_HISTORY, HistoryTurn

router = APIRouter(responses=PAGE_INVALID)

FILTER_FIELDS = ("session", "document", "tag")
FILTER_NAMES = {"session": "Webinar", "document": "Document", "tag": "Tag"}
MODE_LABELS = {
    "hybrid": "Meaning and exact words",
    "dense": "Meaning only",
    "bm25": "Exact words only",
}
EXAMPLES = [
    "How can clusters support their members with EU funding?",
    "How should a cluster communicate with its members in a crisis?",
    "What was discussed in PLW#3?",
    "What did partnerships learn about working with other ESCP-4x projects?",
]
# The plain form redirects to /?q=… (a link that holds the answer) up to this length; a longer
# question is answered in place, as proxies and servers refuse longer request lines.
MAX_REDIRECT = 6_000
NO_DOCUMENT = "The notes hold no document at this address. It may have been removed."
# The conversation as the form sends it back: each turn as /api/ask returns it.
TURNS = TypeAdapter(list[AnswerOut])


def share_url(question: str, mode: str | None = None, filters: Filters | None = None) -> str:
    """``/?q=…``: the link that asks ``question`` again (``mode`` only when not the default)."""
    params = {"q": question, "mode": mode or ""}
    if filters is not None:
        params |= {f: getattr(filters, f) or "" for f in FILTER_FIELDS}
    return "/?" + urlencode({k: v for k, v in params.items() if v})


def _said(filters: Filters, labels: Labels) -> list[str]:
    return [
        f"{FILTER_NAMES[f]}: {labels.get(f, {}).get(value, value)}"
        for f in FILTER_FIELDS
        if (value := getattr(filters, f))
    ]


def _filter_note(
    answer: Answer | None, filters: Filters, labels: Labels, mode: str | None
) -> dict[str, str] | None:
    """When the filters left out what answers: say so, where the best match is (its webinar
    or note as the filters name it), and link the same question without them."""
    if answer is None or not answer.abstained or answer.language or filters.empty:
        return None
    said = _said(filters, labels)
    noun = "filter" if len(said) == 1 else "filters"
    text = f"No lesson matched with the {noun} {' and '.join(said)}."
    lead = answer.elsewhere
    if lead is not None:
        webinar = labels.get("session", {}).get(lead.session or "")
        where = webinar or labels.get("document", {}).get(lead.document) or lead.title
        text = (
            f"Nothing within the {noun} {' and '.join(said)} matches this question well. "
            f"The best match is in “{where}”."
        )
    url = share_url(answer.resolved or answer.question, mode)
    return {"text": text, "url": url, "heading": f"No good match within the {noun}" if lead else ""}


def _scope_note(
    answer: Answer | None, filters: Filters, labels: Labels, mode: str | None
) -> dict[str, str] | None:
    """The filters an answer was searched with, on its turn (the next question starts
    without them), and the same question in all lessons."""
    if answer is None or filters.empty:
        return None
    text = f"Searched only in {' and '.join(_said(filters, labels))}."
    return {"text": text, "url": share_url(answer.resolved or answer.question, mode)}


def _earlier(turn: HistoryTurn) -> Answer:
    """An earlier turn, shown again above the new answer, with the passages it can show."""
    citations = [c for c in (h.citation() for h in turn.citations) if c is not None]
    abstained = MARKER.search(turn.answer) is None
    return Answer(turn.question, turn.answer, citations, abstained=abstained)


async def _chat_page(
    request: Request,
    assistant: AssistantDep,
    q: str | None,
    k: int | None,
    mode: Mode | None,
    history: list[HistoryTurn],
    filters: Filters,
    record: Record,
) -> HTMLResponse:
    answer: Answer | None = None
    error: str | None = None
    status = 200
    if q is not None:
        try:
            turns = tuple(t.turn() for t in history)
            question = Question(q, k, mode, turns, filters)
            answer = await run_in_threadpool(assistant.ask, question, record)
        except PLWError as exc:
            status, error = exc.status, exc.detail
    facets, labels = filter_choices(assistant)
    # Earlier turns as shown again: cleaned, as the page may send back anything.
    shown = [_earlier(t) for t in history] + ([answer] if answer is not None else [])
    default = assistant.settings.mode
    chosen = mode if mode != default else None
    context: dict[str, Any] = {
        "question": q or "",
        "mode": mode or default,
        "default_mode": default,
        "modes": MODE_LABELS,
        "answer": answer,
        "earlier": history,
        "turns": shown,
        "share_url": share_url(answer.resolved or answer.question, chosen, filters)
        if answer
        else "",
        "filter_note": _filter_note(answer, filters, labels, chosen),
        "scope_note": _scope_note(answer, filters, labels, chosen),
        "history_json": TURNS.dump_json([AnswerOut.of(t) for t in shown[-MAX_HISTORY:]]).decode(),
        "error": error,
        "examples": EXAMPLES,
        "streaming": assistant.llm is not None,
        "facets": facets,
        "labels": labels,
        "filters": filters,
        "follow_up": lambda turn: follow_up(turn, assistant.index),
    }
    return templates.TemplateResponse(
        request=request, name="index.html", context=context, status_code=status
    )


@router.get("/", response_class=HTMLResponse)
async def page(
    request: Request,
    assistant: AssistantDep,
    record: RecordDep,
    q: Annotated[str | None, Query(max_length=10_000)] = None,
    k: Annotated[int | None, Query(ge=1, le=MAX_K)] = None,
    mode: Mode | None = None,
    session: Annotated[str | None, Query(max_length=200)] = None,
    document: Annotated[str | None, Query(max_length=500)] = None,
    tag: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    filters = Filters.of(session, document, tag)
    return await _chat_page(request, assistant, q, k, mode, [], filters, record)


@router.post("/", response_class=HTMLResponse)
async def page_post(
    request: Request,
    form: Annotated[ChatForm, Form()],
    assistant: AssistantDep,
    record: RecordDep,
) -> Response:
    """The chat form without JavaScript: the conversation so far travels in the form. A first
    question redirects to ``/?q=…`` (post/redirect/get), a link that holds the answer."""
    if not form.history:
        try:
            text = clean_question(form.q)
        except QuestionError:
            text = ""  # answered in place, with the reason
        chosen = form.mode if form.mode != assistant.settings.mode else None
        url = share_url(text, chosen, form.filters)
        if text and len(url) <= MAX_REDIRECT:
            return RedirectResponse(url, status_code=303)
    return await _chat_page(
        request, assistant, form.q, None, form.mode, form.history, form.filters, record
    )


@router.get("/lessons", response_class=HTMLResponse)
async def lessons_page(
    request: Request,
    index: IndexDep,
    assistant: AssistantDep,
    by: Annotated[str, Query(max_length=200)] = "document",
    filter: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    """The key lessons, each webinar with its topics, the other notes (or all by webinar);
    the filter matches words as the search does, British or American spelling, typos
    corrected. An order the page does not know (an edited address) is the default one, not
    an error."""
    order: Literal["document", "webinar"] = "webinar" if by == "webinar" else "document"
    wanted = await run_in_threadpool(
        Filter.of_index, filter, index, assistant.embedder.is_common_word
    )
    parts = await run_in_threadpool(lessons, index, order, wanted)
    context = {
        "parts": parts,
        "by": order,
        "filter": filter.strip(),
        "meant": wanted.meant,
        "ask_about": questions(index),
        "total": sum(p.count for p in parts),
    }
    return templates.TemplateResponse(request=request, name="lessons.html", context=context)


def _back(request: Request) -> str:
    """The chat page the reader came from (this site's, with its question), else the chat:
    without JavaScript the link back still finds the answer."""
    came = urlsplit(request.headers.get("referer", ""))
    if came.netloc == request.url.netloc and came.path == "/" and came.query:
        return f"/?{came.query}"
    return "/"


@router.get("/documents/{document:path}", response_class=HTMLResponse)
async def document_page(
    request: Request, document: str, index: IndexDep, passage: str | None = None
) -> Response:
    """A whole note, rendered (Markdown as HTML, front matter as a line of details), with the
    cited passage marked."""
    doc = index.documents.get(document)
    if doc is None:
        return problem(request, 404, NO_DOCUMENT)
    chunk = index.chunk(passage) if passage else None
    if chunk is not None and chunk.document != doc.id:
        chunk = None
    pages = index.path / PAGES if index.path is not None else None  # kept per generation
    view = await run_in_threadpool(document_view, doc, chunk, pages)
    context = {"doc": doc, "passage": chunk, "view": view, "back": _back(request)}
    return templates.TemplateResponse(request=request, name="document.html", context=context)
