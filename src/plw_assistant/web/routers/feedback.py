"""Thumbs up or down on an answer, from the page's script or its plain form. The guard has
bounded the body and the votes per client already (``web.bounds``, ``web.rates``).

Without JavaScript, "No" (and "This should have been answered") stores the vote at once; the
thank-you page then offers a one-line comment, attached to that vote (``vote``, its row id,
with its question: a vote takes one comment, and only while it has none). A "No" also goes
into the gap log (PLW_GAP_LOG), its comment with it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from ..deps import AssistantDep, FeedbackDep
from ..forms import NO_VOTE, FeedbackForm
from ..openapi import PAGE_INVALID, errors
from ..render import templates
from ..responses import FeedbackSaved
from ..schemas import FeedbackRequest

router = APIRouter()
UNSTORED = "The vote could not be stored (a full disk, a damaged database)."


@router.post(
    "/api/feedback", responses=errors(400, 403, 408, 413, 422, 429, 503, unavailable=UNSTORED)
)
async def api_feedback(
    body: FeedbackRequest, feedback: FeedbackDep, assistant: AssistantDep
) -> FeedbackSaved:
    """Store a thumbs up or down for an answer (with an optional comment); a "No" also goes
    into the gap log."""
    await run_in_threadpool(
        feedback.add,
        body.rating,
        body.question,
        body.answer,
        body.chunk_ids,
        body.comment,
        body.kind,
    )
    if body.rating == "down":
        await run_in_threadpool(assistant.record_no, body.question, body.chunk_ids, body.comment)
    return FeedbackSaved()


@router.post("/feedback", response_class=HTMLResponse, responses=PAGE_INVALID)
async def feedback_form(
    request: Request,
    body: Annotated[FeedbackForm, Form()],
    feedback: FeedbackDep,
    assistant: AssistantDep,
) -> HTMLResponse:
    """The feedback buttons without JavaScript, and the comment asked for after a "No"."""
    vote = body.vote
    context: dict[str, object] = {"question": body.question, "kind": body.kind}
    if vote is not None:  # the comment for a vote stored already
        if not body.comment.strip():
            context["commented"] = False
        elif not await run_in_threadpool(feedback.set_comment, vote, body.question, body.comment):
            return HTMLResponse(NO_VOTE, status_code=422)
        else:
            context["commented"] = True
            await run_in_threadpool(assistant.comment_no, vote, body.question, body.comment)
    else:
        stored = await run_in_threadpool(
            feedback.add,
            body.rating,
            body.question,
            body.answer,
            body.chunk_ids,
            body.comment,
            body.kind,
        )
        context["vote"] = stored
        context["ask_comment"] = body.rating == "down" and not body.comment.strip()
        if body.rating == "down":
            no = (body.question, body.chunk_ids, body.comment, stored)
            await run_in_threadpool(assistant.record_no, *no)
    return templates.TemplateResponse(request=request, name="thanks.html", context=context)
