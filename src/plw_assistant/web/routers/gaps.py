"""Knowledge gaps on /admin/gaps: the questions the notes could not answer, grouped by
meaning; a re-check asks them all again against the current index; a group the notes answer
now can be archived; the groups as CSV. Signed-in admins only (see ``admin``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ...appdata.gaps import GapLog
from ...assistant import Assistant
from ...errors import PLWError
from ...gaps.recheck import recheck
from ...gaps.report import gap_groups, to_csv
from ..admin_view import SIGN_IN_FIRST, admin_form, admin_page
from ..deps import AssistantDep
from ..openapi import PAGE_INVALID, Responses
from ..session import session_of

router = APIRouter()
Sort = Literal["count", "last", "label", "status"]
SORT_LABELS = {"count": "Most asked", "last": "Last asked", "label": "A–Z", "status": "Answered"}
OFF = "PLW_GAP_LOG is off: no question is recorded. Set PLW_GAP_LOG=1 to record them."
MAX_IDS = 5_000
CSV: Responses = {
    200: {
        "description": "The groups as CSV.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    },
    401: {
        "description": "Not signed in.",
        "content": {"text/plain": {"schema": {"type": "string"}}},
    },
}


def _page_facts(assistant: Assistant, log: GapLog, sort: str) -> dict[str, Any]:
    """The groups, and how many questions are recorded (more than are grouped when the log
    holds over MAX_WORDINGS wordings)."""
    return {"groups": gap_groups(assistant, log, sort), "recorded": len(log.gaps())}


@router.get("/admin/gaps", response_class=HTMLResponse, responses=PAGE_INVALID)
async def gaps_page(
    request: Request,
    assistant: AssistantDep,
    sort: Sort = "count",
    rechecked: Annotated[int | None, Query(ge=0)] = None,
    archived: Annotated[int | None, Query(ge=0)] = None,
) -> HTMLResponse:
    if session_of(request) is None:
        return admin_page(request)
    log = assistant.gaps
    context: dict[str, Any] = {"sort": sort, "sorts": SORT_LABELS, "off": "" if log else OFF}
    context |= {"rechecked": rechecked, "archived": archived, "groups": []}
    if log is not None:
        try:
            context |= await run_in_threadpool(_page_facts, assistant, log, sort)
        except PLWError as exc:
            context["error"] = exc.detail
    return admin_page(request, "admin_gaps.html", **context)


@router.get("/admin/gaps.csv", response_class=Response, responses=CSV)
async def gaps_csv(request: Request, assistant: AssistantDep) -> Response:
    if session_of(request) is None:
        return Response(SIGN_IN_FIRST, status_code=401, media_type="text/plain")
    log = assistant.gaps
    groups = await run_in_threadpool(gap_groups, assistant, log) if log is not None else []
    return Response(
        to_csv(groups),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="knowledge-gaps.csv"'},
    )


@router.post("/admin/gaps/recheck", response_class=HTMLResponse)
async def recheck_gaps(request: Request, assistant: AssistantDep) -> Response:
    """Ask every recorded question again; the page then shows which groups are answered."""
    _, refused = await admin_form(request)
    if refused is not None:
        return refused
    log = assistant.gaps
    results = await run_in_threadpool(recheck, assistant, log) if log is not None else []
    return RedirectResponse(f"/admin/gaps?sort=status&rechecked={len(results)}", 303)


@router.post("/admin/gaps/archive", response_class=HTMLResponse)
async def archive_group(request: Request, assistant: AssistantDep) -> Response:
    """Set a group's questions aside (the notes answer them now, or they are not for the
    notes); they stay in the log until PLW_GAP_LOG_DAYS pass."""
    fields, refused = await admin_form(request)
    if refused is not None:
        return refused
    ids = fields.get("ids", "").split()
    wanted = [int(i) for i in ids if i.isdigit() and len(i) < 19][:MAX_IDS]
    log = assistant.gaps
    done = await run_in_threadpool(log.archive, wanted) if log is not None and wanted else 0
    return RedirectResponse(f"/admin/gaps?archived={done}", 303)
