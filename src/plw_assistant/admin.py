"""The admin page: upload a note (token from PLW_ADMIN_TOKEN), index it, show the report."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from .assistant import Assistant
from .build import BuildError, build_index
from .config import Settings
from .corpus import save_note
from .errors import PLWError

DISABLED = "Uploading is disabled: set PLW_ADMIN_TOKEN on the server to enable it."
WRONG_TOKEN = "Wrong admin token."


def add_admin_routes(app: FastAPI, templates: Jinja2Templates, settings: Settings) -> None:
    def page(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("enabled", settings.admin_token is not None)
        context.setdefault("disabled", DISABLED)
        return templates.TemplateResponse(
            request=request, name="admin.html", context=context, status_code=status
        )

    @app.get("/admin", response_class=HTMLResponse)
    async def admin(request: Request) -> HTMLResponse:
        return page(request)

    def allowed(token: str) -> str | None:
        """``None`` when the token opens the admin routes, else the error to show."""
        expected = settings.admin_token
        if expected is None:
            return DISABLED
        if not hmac.compare_digest(token.encode(), expected.get_secret_value().encode()):
            return WRONG_TOKEN
        return None

    @app.post("/admin/reindex", response_class=HTMLResponse)
    async def reindex(request: Request, token: Annotated[str, Form()] = "") -> HTMLResponse:
        error = allowed(token)
        if error is not None:
            return page(request, 403 if error == DISABLED else 401, error=error)
        assistant: Assistant = request.app.state.assistant
        try:
            report = await run_in_threadpool(
                build_index, settings, assistant.embedder, None, assistant.loaded()
            )
        except PLWError as exc:
            return page(request, 500 if isinstance(exc, BuildError) else 400, error=str(exc))
        if report.index is not None:
            assistant.use(report.index)
        return page(request, report=report)

    @app.post("/admin/upload", response_class=HTMLResponse)
    async def upload(
        request: Request,
        token: Annotated[str, Form()] = "",
        note: Annotated[UploadFile | None, File()] = None,
    ) -> HTMLResponse:
        error = allowed(token)
        if error is not None:
            return page(request, 403 if error == DISABLED else 401, error=error)
        if note is None or not note.filename:
            return page(request, 400, error="Choose a file to upload.")
        limit = settings.max_upload_mb * 1024 * 1024
        data = await note.read(limit + 1)
        if len(data) > limit:
            return page(request, 413, error=f"The file is larger than {settings.max_upload_mb} MB.")
        assistant: Assistant = request.app.state.assistant
        try:
            saved = save_note(settings.corpus_dir, note.filename, data)
            report = await run_in_threadpool(
                build_index, settings, assistant.embedder, None, assistant.loaded()
            )
            if report.index is not None:
                assistant.use(report.index)
        except PLWError as exc:
            return page(request, 400, error=f"{note.filename}: {exc}")
        return page(request, saved=saved, report=report)
