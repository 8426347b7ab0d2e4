"""The admin page: upload a note (token from PLW_ADMIN_TOKEN), index it, show the report."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from ...assistant import Assistant
from ...config import Settings
from ...errors import BuildError, PLWError
from ...ingest.corpus import save_note
from ...store.build import BuildReport, build_index
from ..deps import AssistantDep, SettingsDep
from ..render import templates

DISABLED = "Uploading is disabled: set PLW_ADMIN_TOKEN on the server to enable it."
WRONG_TOKEN = "Wrong admin token."

router = APIRouter()


def _page(request: Request, settings: Settings, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("enabled", settings.admin_token is not None)
    context.setdefault("disabled", DISABLED)
    return templates.TemplateResponse(
        request=request, name="admin.html", context=context, status_code=status
    )


def _refused(token: str, settings: Settings) -> tuple[int, str] | None:
    """``None`` when the token opens the admin routes, else the status and error to show."""
    expected = settings.admin_token
    if expected is None:
        return 403, DISABLED
    if not hmac.compare_digest(token.encode(), expected.get_secret_value().encode()):
        return 401, WRONG_TOKEN
    return None


def _rebuild(assistant: Assistant, settings: Settings) -> BuildReport:
    """Re-index now and serve the new index at once, without reading it back from disk."""
    report = build_index(settings, assistant.embedder, None, assistant.live.loaded())
    if report.index is not None:
        assistant.live.use(report.index)
    return report


@router.get("/admin", response_class=HTMLResponse)
async def admin(request: Request, settings: SettingsDep) -> HTMLResponse:
    return _page(request, settings)


@router.post("/admin/reindex", response_class=HTMLResponse)
async def reindex(
    request: Request,
    assistant: AssistantDep,
    settings: SettingsDep,
    token: Annotated[str, Form()] = "",
) -> HTMLResponse:
    refused = _refused(token, settings)
    if refused is not None:
        return _page(request, settings, refused[0], error=refused[1])
    try:
        report = await run_in_threadpool(_rebuild, assistant, settings)
    except PLWError as exc:
        status = 500 if isinstance(exc, BuildError) else 400
        return _page(request, settings, status, error=str(exc))
    return _page(request, settings, report=report)


@router.post("/admin/upload", response_class=HTMLResponse)
async def upload(
    request: Request,
    assistant: AssistantDep,
    settings: SettingsDep,
    token: Annotated[str, Form()] = "",
    note: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse:
    refused = _refused(token, settings)
    if refused is not None:
        return _page(request, settings, refused[0], error=refused[1])
    if note is None or not note.filename:
        return _page(request, settings, 400, error="Choose a file to upload.")
    limit = settings.max_upload_mb * 1024 * 1024
    data = await note.read(limit + 1)
    if len(data) > limit:
        error = f"The file is larger than {settings.max_upload_mb} MB."
        return _page(request, settings, 413, error=error)
    try:
        saved = save_note(settings.corpus_dir, note.filename, data)
        report = await run_in_threadpool(_rebuild, assistant, settings)
    except PLWError as exc:
        return _page(request, settings, 400, error=f"{note.filename}: {exc}")
    return _page(request, settings, saved=saved, report=report)
