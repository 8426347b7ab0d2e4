"""The web chat: FastAPI routes that translate HTTP to the core (``assistant``) and back."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs

from fastapi import Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from pydantic import BaseModel, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from . import __version__
from .admin import add_admin_routes
from .answer import MARKER, Answer, clean_question
from .assistant import Assistant
from .build import BuildReport, watch
from .config import MAX_K, MAX_QUESTION_CHARS, Settings, get_settings
from .embed import Embedder
from .errors import IndexMismatchError, IndexNotBuiltError, ModelError, PLWError, QuestionError
from .feedback import FeedbackStore
from .followup import Turn
from .guard import Guard
from .index import Filters, Index
from .lessons import group_lessons
from .retrieve import Mode

NOT_BUILT = "The index is not built yet. Run `plw index`, then ask again."
MISMATCH = (
    "The index does not match the configured model or version. Run `plw index` to rebuild it."
)
MODEL_FAILED = "The embedding model could not be loaded. Check PLW_MODEL and the server log."
BAD_K = f"k must be a whole number from 1 to {MAX_K}."
MAX_HISTORY = 20
log = logging.getLogger("plw_assistant")


def web_root() -> Path:
    """Templates and static files: inside the installed package, or ``web/`` in a checkout."""
    packaged = Path(__file__).parent / "web"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "web"


class HistoryTurn(BaseModel):
    """An earlier turn as the page sends it back; only the question and cited ids are used."""

    question: str = Field(max_length=MAX_QUESTION_CHARS)
    answer: str = Field("", max_length=20_000)
    citations: list[dict[str, Any]] = Field(default_factory=list, max_length=MAX_K)

    def turn(self) -> Turn:
        cited = [c.get("chunk_id") for c in self.citations if c.get("highlights")]
        return Turn(self.question, self.answer, tuple(str(c) for c in cited if c))


class FilterRequest(BaseModel):
    session: str | None = Field(None, max_length=200)
    document: str | None = Field(None, max_length=500)
    tag: str | None = Field(None, max_length=200)

    def filters(self) -> Filters:
        return Filters(self.session or None, self.document or None, self.tag or None)


class FeedbackRequest(BaseModel):
    rating: Literal["up", "down"]
    question: str = Field(max_length=MAX_QUESTION_CHARS)
    answer: str = Field("", max_length=20_000)
    chunk_ids: list[str] = Field(default_factory=list, max_length=MAX_K)
    comment: str = Field("", max_length=2_000)


class AskRequest(BaseModel):
    question: str
    k: int | None = None
    mode: Mode | None = None
    filters: FilterRequest = Field(default_factory=FilterRequest)
    history: list[HistoryTurn] = Field(default_factory=list, max_length=MAX_HISTORY)

    @field_validator("question")
    @classmethod
    def _question(cls, value: str) -> str:
        try:
            return clean_question(value)
        except QuestionError as exc:
            raise PydanticCustomError("plw_question", str(exc)) from None

    @field_validator("k")
    @classmethod
    def _k(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= MAX_K:
            raise PydanticCustomError("plw_k", BAD_K)
        return value


def _status_of(exc: PLWError) -> tuple[int, str]:
    if isinstance(exc, QuestionError):
        return 422, str(exc)
    if isinstance(exc, IndexNotBuiltError):
        return 503, NOT_BUILT
    if isinstance(exc, IndexMismatchError):
        return 503, MISMATCH
    if isinstance(exc, ModelError):
        return 503, MODEL_FAILED
    return 500, str(exc)


def cite_links(text: str) -> Markup:
    """Escape answer text and turn each ``[n]`` marker into a link to passage ``n``."""
    return Markup(
        MARKER.sub(
            lambda m: f'<a class="cite" href="#passage-{m.group(1)}">[{m.group(1)}]</a>',
            str(escape(text)),
        )
    )


def highlight(text: str, spans: list[tuple[int, int]]) -> Markup:
    """Escape a passage and wrap each highlighted span in ``<mark>``."""
    out, pos = [], 0
    for start, end in sorted(spans):
        if start < pos:
            continue
        out += [str(escape(text[pos:start])), f"<mark>{escape(text[start:end])}</mark>"]
        pos = end
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def _history(raw: str | None) -> list[HistoryTurn]:
    """Earlier turns posted back by the page's form; anything malformed is dropped."""
    try:
        data = json.loads(raw or "[]")
        return [HistoryTurn.model_validate(t) for t in data[-MAX_HISTORY:]]
    except (ValueError, TypeError, ValidationError):
        return []


def _log_report(report: BuildReport | PLWError) -> None:
    if isinstance(report, PLWError):
        log.error("Re-indexing failed: %s", report)
    elif report.path is not None:
        log.info("Re-indexed: %s", report.totals())


async def _index_or_error(assistant: Assistant) -> Index | HTMLResponse:
    """The current index, or the page that says why there is none."""
    try:
        return await run_in_threadpool(lambda: assistant.index)
    except PLWError as exc:
        status, detail = _status_of(exc)
        return HTMLResponse(str(escape(detail)), status_code=status)


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def get_assistant(request: Request) -> Assistant:
    assistant: Assistant = request.app.state.assistant
    return assistant


AssistantDep = Annotated[Assistant, Depends(get_assistant)]


def create_app(settings: Settings | None = None, embedder: Embedder | None = None) -> FastAPI:
    """The ASGI app; tests pass their own settings and an already loaded embedder."""
    settings = settings or get_settings()
    root = web_root()
    templates = Jinja2Templates(directory=root / "templates")
    templates.env.filters["cite_links"] = cite_links
    templates.env.filters["highlight"] = highlight

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        assistant = Assistant(settings, embedder)
        app.state.assistant = assistant
        try:
            await run_in_threadpool(assistant.warm_up)
        except PLWError as exc:  # serve anyway: each request reports what is wrong
            app.state.startup_error = str(exc)
        stop = threading.Event()
        watcher = None
        if settings.watch:

            def on_report(report: BuildReport | PLWError) -> None:
                if isinstance(report, BuildReport) and report.index is not None:
                    assistant.use(report.index)
                _log_report(report)

            watcher = threading.Thread(
                target=watch,
                args=(settings, assistant.embedder, on_report, stop, assistant.loaded),
                daemon=True,
            )
            watcher.start()
        yield
        stop.set()
        if watcher is not None:
            watcher.join(timeout=5)

    app = FastAPI(title="PLW Assistant", version=__version__, lifespan=lifespan)
    app.mount("/static", StaticFiles(directory=root / "static"), name="static")

    app.add_middleware(Guard, max_pending=settings.max_pending)

    add_admin_routes(app, templates, settings)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        err = exc.errors()[0]
        if str(err.get("type", "")).startswith("plw_"):
            return JSONResponse({"detail": err["msg"]}, status_code=422)
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        return JSONResponse({"detail": f"{where}: {err['msg']}"}, status_code=422)

    @app.get("/healthz")
    async def healthz(assistant: AssistantDep) -> JSONResponse:
        try:
            manifest = (await run_in_threadpool(lambda: assistant.index)).manifest
        except PLWError as exc:
            return JSONResponse({"status": "error", "detail": _status_of(exc)[1]}, 503)
        return JSONResponse(
            {
                "status": "ok",
                "model": manifest.model,
                "documents": manifest.documents,
                "chunks": manifest.chunks,
                "built_at": manifest.built_at,
            }
        )

    @app.post("/api/ask")
    async def api_ask(body: AskRequest, assistant: AssistantDep) -> JSONResponse:
        try:
            history = [t.turn() for t in body.history]
            answer = await run_in_threadpool(
                assistant.ask, body.question, body.k, body.mode, history, body.filters.filters()
            )
        except PLWError as exc:
            status, detail = _status_of(exc)
            return JSONResponse({"detail": detail}, status_code=status)
        return JSONResponse(answer.to_dict())

    async def _chat_page(
        request: Request,
        assistant: Assistant,
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
            turns = [t.turn() for t in history]
            try:
                answer = await run_in_threadpool(assistant.ask, q, k, mode, turns, filters)
            except PLWError as exc:
                status, error = _status_of(exc)
        try:
            facets = assistant.index.facets()
        except PLWError:
            facets = {"session": [], "document": [], "tag": []}
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

    @app.post("/api/ask/stream")
    async def api_ask_stream(body: AskRequest, assistant: AssistantDep) -> StreamingResponse:
        """Server-sent events: ``token`` (generated text as it comes), then ``answer`` (the
        checked answer as in ``/api/ask``, plus its rendered ``html``) or ``error``."""
        history = [t.turn() for t in body.history]
        partial = templates.get_template("_answer.html")

        def events() -> Iterator[str]:
            try:
                events = assistant.ask_stream(
                    body.question, body.k, body.mode, history, body.filters.filters()
                )
                for event in events:
                    if isinstance(event, str):
                        yield _sse("token", {"text": event})
                    else:
                        html = partial.render(answer=event)
                        yield _sse("answer", {**event.to_dict(), "html": html})
            except PLWError as exc:
                yield _sse("error", {"detail": _status_of(exc)[1]})

        return StreamingResponse(
            events(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
        )

    @app.get("/", response_class=HTMLResponse)
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
        filters = Filters(session or None, document or None, tag or None)
        return await _chat_page(request, assistant, q, k, mode, [], filters)

    @app.post("/", response_class=HTMLResponse)
    async def page_post(request: Request, assistant: AssistantDep) -> HTMLResponse:
        """The chat form without JavaScript: the conversation so far travels in the form."""
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        q = form.get("q", [""])[0][:10_000]
        mode = form.get("mode", [""])[0]
        chosen: Mode | None = mode if mode in MODE_LABELS else None  # type: ignore[assignment]
        history = _history(form.get("history", [None])[0])
        filters = Filters(*(form.get(f, [""])[0][:500] or None for f in FILTER_FIELDS))
        return await _chat_page(request, assistant, q, None, chosen, history, filters)

    feedback = FeedbackStore(settings.feedback_path)

    @app.post("/api/feedback")
    async def api_feedback(body: FeedbackRequest) -> JSONResponse:
        """Store a thumbs up or down for an answer."""
        await run_in_threadpool(
            feedback.add, body.rating, body.question, body.answer, body.chunk_ids, body.comment
        )
        return JSONResponse({"status": "saved"})

    @app.post("/feedback", response_class=HTMLResponse)
    async def feedback_form(request: Request) -> HTMLResponse:
        """The feedback buttons without JavaScript."""
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        try:
            body = FeedbackRequest(
                rating=form.get("rating", [""])[0],
                question=form.get("question", [""])[0],
                answer=form.get("answer", [""])[0],
                chunk_ids=form.get("chunk_ids", [""])[0].split(),
            )
        except ValidationError:
            return HTMLResponse("Feedback needs a rating of up or down.", status_code=422)
        await run_in_threadpool(
            feedback.add, body.rating, body.question, body.answer, body.chunk_ids
        )
        return templates.TemplateResponse(
            request=request, name="thanks.html", context={"question": body.question}
        )

    @app.get("/lessons", response_class=HTMLResponse)
    async def lessons_page(
        request: Request,
        assistant: AssistantDep,
        by: Literal["document", "webinar"] = "document",
        filter: Annotated[str, Query(max_length=200)] = "",
    ) -> HTMLResponse:
        """Every lesson, grouped by document and section or by webinar, with a filter."""
        index = await _index_or_error(assistant)
        if isinstance(index, HTMLResponse):
            return index
        groups = group_lessons(index, by, filter)
        context = {
            "groups": groups,
            "by": by,
            "filter": filter,
            "total": sum(g.count for g in groups),
        }
        return templates.TemplateResponse(request=request, name="lessons.html", context=context)

    @app.get("/documents/{document:path}", response_class=HTMLResponse)
    async def document_page(
        request: Request, document: str, assistant: AssistantDep, passage: str | None = None
    ) -> HTMLResponse:
        """A whole note, with the cited passage marked."""
        index = await _index_or_error(assistant)
        if isinstance(index, HTMLResponse):
            return index
        doc = index.documents.get(document)
        if doc is None:
            return HTMLResponse("No such document in the index.", status_code=404)
        chunk = next((c for c in index.chunks if c.id == passage and c.document == doc.id), None)
        spans = [(chunk.start, chunk.end)] if chunk else []
        context = {"doc": doc, "spans": spans, "passage": chunk}
        return templates.TemplateResponse(request=request, name="document.html", context=context)

    return app


FILTER_FIELDS = ("session", "document", "tag")
MODE_LABELS = {"hybrid": "Hybrid (meaning + words)", "dense": "Meaning", "bm25": "Exact words"}
EXAMPLES = [
    "How can clusters support their members with EU funding?",
    "How should a cluster communicate with its members in a crisis?",
    "What was discussed in PLW#3?",
    "What did partnerships learn about working with other ESCP-4x projects?",
]
