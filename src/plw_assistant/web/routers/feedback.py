"""Thumbs up or down on an answer, from the page's script or its plain form. The guard has
bounded the body and the votes per client already (``web.bounds``, ``web.rates``)."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import ValidationError

from ..deps import FeedbackDep
from ..render import templates
from ..schemas import FeedbackRequest

router = APIRouter()
BAD_FORM = "Feedback needs a rating of up or down, and fields within their length limits."


@router.post("/api/feedback")
async def api_feedback(body: FeedbackRequest, feedback: FeedbackDep) -> JSONResponse:
    """Store a thumbs up or down for an answer."""
    await run_in_threadpool(
        feedback.add, body.rating, body.question, body.answer, body.chunk_ids, body.comment
    )
    return JSONResponse({"status": "saved"})


@router.post("/feedback", response_class=HTMLResponse)
async def feedback_form(request: Request, feedback: FeedbackDep) -> HTMLResponse:
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
        return HTMLResponse(BAD_FORM, status_code=422)
    await run_in_threadpool(feedback.add, body.rating, body.question, body.answer, body.chunk_ids)
    return templates.TemplateResponse(
        request=request, name="thanks.html", context={"question": body.question}
    )
