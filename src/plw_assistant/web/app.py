"""The ASGI app: the routers, the guard, one handler turning every ``PLWError`` into its
status and sentence, and the lifespan that loads the index (and watches the notes)."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from markupsafe import escape

from .. import __version__
from ..assistant import Assistant
from ..config import Settings, get_settings
from ..embedding.base import Embedder
from ..errors import PLWError
from ..store.build import BuildReport, watch
from ..store.feedback import FeedbackStore
from .guard import Guard
from .render import web_root
from .routers import admin, ask, feedback, pages

log = logging.getLogger("plw_assistant")


def create_app(settings: Settings | None = None, embedder: Embedder | None = None) -> FastAPI:
    """The ASGI app; tests pass their own settings and an already loaded embedder."""
    settings = settings or get_settings()
    app = FastAPI(title="PLW Assistant", version=__version__, lifespan=_lifespan)
    app.state.settings = settings
    app.state.embedder = embedder
    app.state.feedback = FeedbackStore(settings.feedback_path)
    app.mount("/static", StaticFiles(directory=web_root() / "static"), name="static")
    app.add_middleware(Guard, max_pending=settings.max_pending)
    for router in (ask.router, pages.router, feedback.router, admin.router):
        app.include_router(router)
    app.add_exception_handler(PLWError, _plw_error)
    app.add_exception_handler(RequestValidationError, _invalid)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    assistant = Assistant(settings, app.state.embedder)
    app.state.assistant = assistant
    try:
        await run_in_threadpool(assistant.warm_up)
    except PLWError as exc:  # serve anyway: each request reports what is wrong
        log.error("Serving without an index for now: %s", exc)
    stop = threading.Event()
    watcher = None
    if settings.watch:

        def on_report(report: BuildReport | PLWError) -> None:
            if isinstance(report, BuildReport) and report.index is not None:
                assistant.live.use(report.index)
            if isinstance(report, PLWError):
                log.error("Re-indexing failed: %s", report)
            elif report.path is not None:
                log.info("Re-indexed: %s", report.totals())

        watcher = threading.Thread(
            target=watch,
            args=(settings, assistant.embedder, on_report, stop, assistant.live.loaded),
            daemon=True,
        )
        watcher.start()
    yield
    stop.set()
    if watcher is not None:
        watcher.join(timeout=5)


async def _plw_error(request: Request, exc: Exception) -> Response:
    """Every core error as its status and one sentence: JSON for the API, text for pages."""
    assert isinstance(exc, PLWError)
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status)
    return HTMLResponse(str(escape(exc.detail)), status_code=exc.status)


async def _invalid(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    err = exc.errors()[0]
    if str(err.get("type", "")).startswith("plw_"):
        return JSONResponse({"detail": err["msg"]}, status_code=422)
    where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
    return JSONResponse({"detail": f"{where}: {err['msg']}"}, status_code=422)
