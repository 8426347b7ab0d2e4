"""What the admin pages share: who may see them (signed in, the form made for the session),
refusals that count towards PLW_ADMIN_FAILURE_RATE, and the facts the home page shows
(the index, its glossary, the last build, the uploaded notes, the latest golden-question
results)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from ..appdata.builds import BuildLog, LastBuild
from ..assistant import Assistant
from ..config import Settings
from ..errors import PLWError, StorageError
from ..evaluation.latest import SHOWN, load_results
from ..ingest.corpus import UPLOADS
from .rates import Rates, client_of
from .render import templates
from .session import AdminSessions, session_of

# Said to anyone who opens /admin: nothing about how the server is set up (its log says why).
DISABLED = "Admin is not enabled on this server. Whoever runs it can turn it on."
WRONG_TOKEN = "Wrong admin token."
SIGN_IN_FIRST = "Sign in with the admin token first."
STALE_FORM = "This form is out of date: reload the page and send it again."
EVALS_SHOWN = 10


def admin_page(
    request: Request, name: str = "admin.html", status: int = 200, **context: Any
) -> HTMLResponse:
    """An admin page; without a session (or with admin disabled) the sign-in page instead."""
    settings: Settings = request.app.state.settings
    sessions: AdminSessions | None = request.app.state.sessions
    nonce = session_of(request) if sessions is not None else None
    context.setdefault("enabled", settings.admin_secret is not None)
    context.setdefault("disabled", DISABLED)
    context["signed_in"] = nonce is not None
    context["form_token"] = sessions.form_token(nonce) if sessions and nonce else ""
    if nonce is None:
        name = "admin_signin.html"
    return templates.TemplateResponse(
        request=request, name=name, context=context, status_code=status
    )


def failure(request: Request, status: int, error: str, **context: Any) -> HTMLResponse:
    """A refused attempt: counted against the client's failure rate."""
    rates: Rates = request.app.state.rates
    rates.hit("admin_failure", client_of(request.scope))
    return admin_page(request, status=status, error=error, **context)


def locked(request: Request) -> HTMLResponse | None:
    """The refusal of an admin action when admin is disabled or nobody is signed in
    (checked before the body is read); ``None`` when it may go on."""
    settings: Settings = request.app.state.settings
    if settings.admin_secret is None:
        return failure(request, 403, DISABLED)
    if session_of(request) is None:
        return failure(request, 401, SIGN_IN_FIRST)
    return None


def stale(request: Request, token: object) -> HTMLResponse | None:
    """The refusal of a form not made for this session (a forged or old one)."""
    sessions: AdminSessions | None = request.app.state.sessions
    nonce = session_of(request)
    if sessions is not None and nonce is not None and sessions.form_ok(nonce, token):
        return None
    return failure(request, 403, STALE_FORM)


async def admin_form(request: Request) -> tuple[dict[str, str], HTMLResponse | None]:
    """The fields of a signed-in admin's small form (no files; the body is read only once the
    session is known), or the refusal: admin off, nobody signed in, a stale form token."""
    if (refused := locked(request)) is not None:
        return {}, refused
    async with request.form(max_files=0, max_fields=10) as form:
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
    return fields, stale(request, fields.get("form_token"))


@dataclass(frozen=True)
class Upload:
    name: str
    size: int
    modified: str


def uploads(settings: Settings) -> list[Upload]:
    """The notes uploaded through /admin (they may be deleted there)."""
    folder = settings.corpus_dir / UPLOADS
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            info = path.stat()
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(info.st_mtime))
            out.append(Upload(path.name, info.st_size, when))
    return out


def upload_path(settings: Settings, name: object) -> Path | None:
    """The uploaded note called ``name``, if there is one (never a path outside uploads/)."""
    if not isinstance(name, str) or not name or "/" in name or "\\" in name:
        return None
    if name.startswith("."):
        return None
    path = settings.corpus_dir / UPLOADS / name
    try:
        return path if path.is_file() else None
    except OSError:  # a name longer than the file system allows: no such note either
        return None


def index_status(assistant: Assistant) -> dict[str, Any]:
    """Documents, passages, model and build time of the index served, the files its build
    could not read, its glossary (term → meanings) and the glossary entries left out; or what
    is wrong with it."""
    try:
        index = assistant.index
    except PLWError as exc:
        return {"problem": exc.detail}
    m = index.manifest
    return {
        "documents": m.documents,
        "chunks": m.chunks,
        "model": m.model,
        "built_at": m.built_at,
        "ann": m.ann,
        "failed": m.failed,
        "notes": sorted((d.path, d.title) for d in index.documents.values())[:500],
        "glossary": [(t.term, t.means) for t in index.glossary.terms],
        "glossary_problems": m.glossary_problems,
    }


def _last_build(request: Request) -> LastBuild | None:
    builds: BuildLog = request.app.state.builds
    try:
        return builds.last()
    except StorageError:
        return None  # the page says what else it can; the build log is not worth a 500


def home(request: Request, **context: Any) -> dict[str, Any]:
    """The home page's facts, with ``context`` (a report, an error) on top."""
    assistant: Assistant = request.app.state.assistant
    settings = assistant.settings
    try:
        open_gaps = len(assistant.gaps.gaps()) if assistant.gaps is not None else None
    except StorageError as exc:
        open_gaps, context["gap_problem"] = None, str(exc)
    return {
        "index": index_status(assistant),
        "report": _last_build(request),
        "uploads": uploads(settings),
        "evals": load_results(settings.eval_results_path)[:EVALS_SHOWN],
        "shown": SHOWN,
        "golden": settings.golden_path,
        "golden_exists": settings.golden_path.is_file(),
        "open_gaps": open_gaps,
        **context,
    }
