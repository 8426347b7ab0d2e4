"""The ASGI app: the routers, the guard, one handler turning every ``PLWError`` into its
status and sentence, and the lifespan that loads the index (see ``startup``)."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from .. import __version__
from ..appdata.builds import BuildLog
from ..appdata.database import AppDatabase
from ..appdata.feedback import FeedbackStore
from ..appdata.sessions import Revocations, signing_key
from ..config import Settings, get_settings
from ..embedding.base import Embedder
from ..errors import PLWError
from .failures import http_error, invalid, plw_error
from .guard import Guard, SecurityHeaders
from .openapi import install
from .rates import Rates
from .render import web_root
from .routers import admin, ask, feedback, gaps, pages
from .session import AdminSessions
from .startup import NO_QUERY_STRING, lifespan


def create_app(
    settings: Settings | None = None,
    embedder: Embedder | None = None,
    rebuild: bool = False,
) -> FastAPI:
    """The ASGI app; tests pass their own settings and an already loaded embedder.
    ``rebuild``: bring the index up to date in a background thread once started (the
    server's one indexer; workers under a supervisor leave it to the supervisor)."""
    settings = settings or get_settings()
    # No Swagger UI or ReDoc: they need inline scripts the CSP refuses. /openapi.json stays.
    app = FastAPI(
        title="PLW Assistant",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.embedder = embedder
    app.state.rebuild = rebuild
    app.state.database = database = AppDatabase.from_settings(settings)
    app.state.feedback = FeedbackStore(database)
    app.state.rates = rates = Rates(settings, database)
    app.state.sessions = _sessions(settings, database)
    app.state.builds = BuildLog(database)
    app.mount("/static", StaticFiles(directory=web_root() / "static"), name="static")
    # Each one added wraps those before: a request meets the security headers, the Host
    # check (a DNS-rebinding page names another host), then the guard.
    app.add_middleware(Guard, settings=settings, rates=rates)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.host_names)
    app.add_middleware(SecurityHeaders)
    for router in (ask.router, pages.router, feedback.router, admin.router, gaps.router):
        app.include_router(router)
    app.add_exception_handler(PLWError, plw_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(HTTPException, http_error)
    install(app)
    logging.getLogger("uvicorn.access").addFilter(NO_QUERY_STRING)
    return app


def _sessions(settings: Settings, database: AppDatabase) -> AdminSessions | None:
    """The admin's sessions, signed with the key every server over the index folder shares
    (``None`` while admin is off)."""
    if settings.admin_secret is None:
        return None
    key = signing_key(settings.session_key_path)
    return AdminSessions(key, settings.admin_secret, Revocations(database))
