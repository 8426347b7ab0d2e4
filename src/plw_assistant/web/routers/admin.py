"""The admin page: upload a note (token from PLW_ADMIN_TOKEN), index it, show the report.

The guard has refused cross-site forms, clients with too many refused attempts and bodies
over their cap already; here the token is checked, and when uploading is disabled the body
is not even read. Every refused attempt counts towards PLW_ADMIN_FAILURE_RATE."""

from __future__ import annotations

import hmac
import logging
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from ...assistant import Assistant
from ...config import Settings
from ...errors import BuildError, PLWError
from ...ingest.corpus import UPLOADS, save_note
from ...store.build import BuildReport, build_index
from ..deps import AssistantDep, RatesDep, SettingsDep
from ..rates import Rates, client_of
from ..render import templates

log = logging.getLogger("plw_assistant")

DISABLED = "Uploading is disabled: set PLW_ADMIN_TOKEN on the server to enable it."
WRONG_TOKEN = "Wrong admin token."
NO_FILE = "Choose a file to upload."
UNREADABLE = "the file could not be read"

router = APIRouter()


def _page(request: Request, settings: Settings, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("enabled", settings.admin_secret is not None)
    context.setdefault("disabled", settings.admin_problem or DISABLED)
    return templates.TemplateResponse(
        request=request, name="admin.html", context=context, status_code=status
    )


def _failure(
    request: Request, settings: Settings, rates: Rates, status: int, error: str
) -> HTMLResponse:
    """The page refusing an attempt, which counts against the client's failure rate."""
    rates.hit("admin_failure", client_of(request.scope))
    return _page(request, settings, status, error=error)


def _disabled(request: Request, settings: Settings, rates: Rates) -> HTMLResponse | None:
    """The refusal when no usable token is configured (checked before reading the body)."""
    if settings.admin_secret is not None:
        return None
    return _failure(request, settings, rates, 403, settings.admin_problem or DISABLED)


def _wrong(
    request: Request, token: object, settings: Settings, rates: Rates
) -> HTMLResponse | None:
    """The refusal of a missing or wrong token, ``None`` for the right one."""
    expected = settings.admin_secret or ""
    if isinstance(token, str) and hmac.compare_digest(token.encode(), expected.encode()):
        return None
    return _failure(request, settings, rates, 401, WRONG_TOKEN)


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
    request: Request, assistant: AssistantDep, settings: SettingsDep, rates: RatesDep
) -> HTMLResponse:
    if (refused := _disabled(request, settings, rates)) is not None:
        return refused
    async with request.form(max_files=0, max_fields=10) as form:
        token = form.get("token")
    if (refused := _wrong(request, token, settings, rates)) is not None:
        return refused
    try:
        report = await run_in_threadpool(_rebuild, assistant, settings)
    except PLWError as exc:
        status = 500 if isinstance(exc, BuildError) else 400
        return _page(request, settings, status, error=str(exc))
    return _page(request, settings, report=report)


@router.post("/admin/upload", response_class=HTMLResponse)
async def upload(
    request: Request, assistant: AssistantDep, settings: SettingsDep, rates: RatesDep
) -> HTMLResponse:
    if (refused := _disabled(request, settings, rates)) is not None:
        return refused
    limit = settings.max_upload_mb * 1024 * 1024
    async with request.form(max_files=1, max_fields=10) as form:
        token, note = form.get("token"), form.get("note")
        if (refused := _wrong(request, token, settings, rates)) is not None:
            return refused
        if not isinstance(note, UploadFile) or not note.filename:
            return _page(request, settings, 400, error=NO_FILE)
        name, data = note.filename, await note.read(limit + 1)
    if len(data) > limit:
        error = f"The file is larger than {settings.max_upload_mb} MB."
        return _page(request, settings, 413, error=error)
    return await _save_and_index(request, assistant, settings, name, data)


async def _save_and_index(
    request: Request, assistant: Assistant, settings: Settings, name: str, data: bytes
) -> HTMLResponse:
    """Save the note and index it; a note that cannot be read is answered with the reason
    and taken out of the corpus again (unless it was there before), so it is not listed."""
    folder = settings.corpus_dir / UPLOADS
    before = set(folder.iterdir()) if folder.is_dir() else set()
    try:
        saved = save_note(settings.corpus_dir, name, data)
    except PLWError as exc:
        return _page(request, settings, 400, error=f"{name}: {exc}")
    try:
        report = await run_in_threadpool(_rebuild, assistant, settings)
    except Exception as exc:  # a parser's crash on this file must not leave it behind
        if not isinstance(exc, PLWError):
            log.exception("Indexing the upload %s failed", saved)
        reason = str(exc) if isinstance(exc, PLWError) else UNREADABLE
        await run_in_threadpool(_take_back, assistant, settings, saved, before)
        return _page(request, settings, 400, error=f"{name}: {reason}")
    failed = next((f for f in report.failed if f.path == saved), None)
    if failed is not None:
        await run_in_threadpool(_take_back, assistant, settings, saved, before)
        return _page(request, settings, 400, error=f"{name}: {failed.reason or UNREADABLE}")
    return _page(request, settings, saved=saved, report=report)


def _take_back(assistant: Assistant, settings: Settings, saved: str, before: set[Path]) -> None:
    """Remove a just-saved note that could not be indexed, and index without it."""
    path = settings.corpus_dir / saved
    if path in before:
        return  # the same file was there already: not this upload's to remove
    path.unlink(missing_ok=True)
    try:
        _rebuild(assistant, settings)
    except Exception:  # the old index serves; the log says why
        log.exception("Re-indexing after removing %s failed", saved)
