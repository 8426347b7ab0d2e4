"""The admin's home: sign in with PLW_ADMIN_TOKEN (a session cookie, no token per action),
the index and its last build, upload, delete and re-index notes, and the latest results of
the admin's golden questions, measured again after every re-index.

The guard has refused cross-site forms, clients with too many refused attempts and bodies
over their cap already; here the session is checked before any body is read, then the form
token. Every refused attempt counts towards PLW_ADMIN_FAILURE_RATE."""

from __future__ import annotations

import hmac
import logging
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from ...assistant import Assistant
from ...config import Settings
from ...errors import BuildError, PLWError
from ...evaluation.latest import measure
from ...ingest.corpus import UPLOADS, save_note
from ...pipeline.build import build_index
from ...pipeline.report import BuildReport
from ..admin_view import (
    DISABLED,
    WRONG_TOKEN,
    admin_form,
    admin_page,
    failure,
    home,
    locked,
    stale,
    upload_path,
)
from ..deps import AssistantDep, SettingsDep
from ..session import COOKIE, AdminSessions, clear_cookie, session_of, set_cookie
from ..startup import recorder

log = logging.getLogger("plw_assistant")

NO_FILE = "Choose a file to upload."
NO_UPLOAD = "There is no such uploaded note."
UNREADABLE = "the file could not be read"

router = APIRouter()


@router.get("/admin", response_class=HTMLResponse)
async def admin(request: Request) -> HTMLResponse:
    if session_of(request) is None:
        return admin_page(request)
    return admin_page(request, **await run_in_threadpool(home, request))


@router.post("/admin/signin", response_class=HTMLResponse)
async def sign_in(request: Request, settings: SettingsDep) -> Response:
    if settings.admin_secret is None:
        return failure(request, 403, DISABLED)
    async with request.form(max_files=0, max_fields=10) as form:
        token = form.get("token")
    expected = settings.admin_secret.encode()
    if not isinstance(token, str) or not hmac.compare_digest(token.encode(), expected):
        return failure(request, 401, WRONG_TOKEN)
    sessions: AdminSessions = request.app.state.sessions  # made whenever admin is on
    response = RedirectResponse("/admin", status_code=303)
    set_cookie(response, request, sessions.issue())
    return response


@router.post("/admin/signout", response_class=HTMLResponse)
async def sign_out(request: Request) -> Response:
    """Sign out: the cookie is dropped and its session refused from now on. The form token is
    checked like any admin form's, so no other page can sign the admin out."""
    if session_of(request) is not None:
        _, refused = await admin_form(request)
        if refused is not None:
            return refused
        sessions: AdminSessions = request.app.state.sessions
        sessions.revoke(request.cookies.get(COOKIE))
    response = RedirectResponse("/admin", status_code=303)
    clear_cookie(response, request)
    return response


def _rebuild(request: Request, assistant: Assistant, settings: Settings) -> BuildReport:
    """Re-index now and serve the new index at once, without reading it back from disk."""
    report = build_index(settings, assistant.embedder, None, assistant.live.loaded())
    if report.index is not None:
        assistant.live.use(report.index)
    recorder(request.app.state.builds)(report)
    return report


def _measure(assistant: Assistant) -> str | None:
    """Ask the golden questions of the new index; what went wrong, if anything did."""
    try:
        measure(assistant)
    except PLWError as exc:
        return str(exc)
    return None


async def _rebuilt(request: Request, assistant: Assistant, **context: Any) -> HTMLResponse:
    """Re-index, measure, and show the home page with the report; a failed build says why."""
    settings = assistant.settings
    try:
        report = await run_in_threadpool(_rebuild, request, assistant, settings)
    except PLWError as exc:
        status = 500 if isinstance(exc, BuildError) else 400
        return admin_page(request, status=status, **await _home(request, error=str(exc)))
    eval_error = await run_in_threadpool(_measure, assistant)
    facts = await _home(request, report=report.summary(), eval_error=eval_error, **context)
    return admin_page(request, **facts)


async def _home(request: Request, **context: Any) -> dict[str, Any]:
    return await run_in_threadpool(home, request, **context)


@router.post("/admin/reindex", response_class=HTMLResponse)
async def reindex(request: Request, assistant: AssistantDep) -> HTMLResponse:
    _, refused = await admin_form(request)
    if refused is not None:
        return refused
    return await _rebuilt(request, assistant)


@router.post("/admin/uploads/delete", response_class=HTMLResponse)
async def delete_upload(request: Request, assistant: AssistantDep) -> HTMLResponse:
    """Take an uploaded note out of the corpus and the index."""
    fields, refused = await admin_form(request)
    if refused is not None:
        return refused
    path = upload_path(assistant.settings, fields.get("name"))
    if path is None:
        return admin_page(request, status=404, **await _home(request, error=NO_UPLOAD))
    await run_in_threadpool(path.unlink, missing_ok=True)
    return await _rebuilt(request, assistant, deleted=f"{UPLOADS}/{path.name}")


@router.post("/admin/upload", response_class=HTMLResponse)
async def upload(request: Request, assistant: AssistantDep) -> HTMLResponse:
    if (refused := locked(request)) is not None:
        return refused
    settings = assistant.settings
    limit = settings.max_upload_mb * 1024 * 1024
    async with request.form(max_files=1, max_fields=10) as form:
        if (refused := stale(request, form.get("form_token"))) is not None:
            return refused
        note = form.get("note")
        if not isinstance(note, UploadFile) or not note.filename:
            return admin_page(request, status=400, **await _home(request, error=NO_FILE))
        name, data = note.filename, await note.read(limit + 1)
    if len(data) > limit:
        error = f"The file is larger than {settings.max_upload_mb} MB."
        return admin_page(request, status=413, **await _home(request, error=error))
    return await _save_and_index(request, assistant, name, data)


async def _save_and_index(
    request: Request, assistant: Assistant, name: str, data: bytes
) -> HTMLResponse:
    """Save the note and index it; a note that cannot be read is answered with the reason
    and taken out of the corpus again (unless it was there before), so it is not listed."""
    settings = assistant.settings
    folder = settings.corpus_dir / UPLOADS
    before = set(folder.iterdir()) if folder.is_dir() else set()
    try:
        saved = save_note(settings.corpus_dir, name, data)
    except PLWError as exc:
        return admin_page(request, status=400, **await _home(request, error=f"{name}: {exc}"))
    try:
        report = await run_in_threadpool(_rebuild, request, assistant, settings)
    except Exception as exc:  # a parser's crash on this file must not leave it behind
        if not isinstance(exc, PLWError):
            log.exception("Indexing the upload %s failed", saved)
        reason = str(exc) if isinstance(exc, PLWError) else UNREADABLE
        await run_in_threadpool(_take_back, request, assistant, saved, before)
        return admin_page(request, status=400, **await _home(request, error=f"{name}: {reason}"))
    failed = next((f for f in report.failed if f.path == saved), None)
    if failed is not None:
        await run_in_threadpool(_take_back, request, assistant, saved, before)
        error = f"{name}: {failed.reason or UNREADABLE}"
        return admin_page(request, status=400, **await _home(request, error=error))
    eval_error = await run_in_threadpool(_measure, assistant)
    facts = await _home(request, saved=saved, report=report.summary(), eval_error=eval_error)
    return admin_page(request, **facts)


def _take_back(request: Request, assistant: Assistant, saved: str, before: set[Path]) -> None:
    """Remove a just-saved note that could not be indexed, and index without it."""
    path = assistant.settings.corpus_dir / saved
    if path in before:
        return  # the same file was there already: not this upload's to remove
    path.unlink(missing_ok=True)
    try:
        _rebuild(request, assistant, assistant.settings)
    except Exception:  # the old index serves; the log says why
        log.exception("Re-indexing after removing %s failed", saved)
