"""Thumbs up or down on an answer, from the page's script or its plain form. The guard has
bounded the body and the votes per client already (``web.bounds``, ``web.rates``).

A vote is stored the moment it is given, "No" too (the comment is optional and may never
come); its id comes back, and one answer keeps one vote: sent again with that id (and its
question) the vote changes, its rating or its comment. Without JavaScript the thank-you page
offers the comment after a "No" and the other rating. A "No" also goes into the gap log
(PLW_GAP_LOG), with its comment; changed to "Yes", it leaves it."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from ...assistant import Assistant
from ...errors import QuestionError
from ..deps import AssistantDep, FeedbackDep
from ..forms import NO_VOTE, FeedbackForm
from ..openapi import PAGE_INVALID, errors
from ..render import templates
from ..responses import FeedbackSaved
from ..schemas import FeedbackRequest

router = APIRouter()
UNSTORED = "The vote could not be stored (a full disk, a damaged database)."


class UnknownVote(QuestionError):
    """A vote to change that is not there (another question's, or made up)."""


async def store_vote(body: FeedbackRequest, feedback: FeedbackDep, assistant: Assistant) -> int:
    """The vote stored, or changed when ``body.vote`` names one; its id."""
    if body.vote is not None:
        was = await run_in_threadpool(
            feedback.revise, body.vote, body.question, body.rating, body.comment
        )
        if was is None:
            raise UnknownVote(NO_VOTE)
        change = (body.vote, body.rating, body.question, body.chunk_ids, body.comment)
        await run_in_threadpool(assistant.revise_no, *change)
        return body.vote
    vote = await run_in_threadpool(
        feedback.add,
        body.rating,
        body.question,
        body.answer,
        body.chunk_ids,
        body.comment,
        body.kind,
    )
    if body.rating == "down":
        no = (body.question, body.chunk_ids, body.comment, vote)
        await run_in_threadpool(assistant.record_no, *no)
    return vote


@router.post(
    "/api/feedback", responses=errors(400, 403, 408, 413, 422, 429, 503, unavailable=UNSTORED)
)
async def api_feedback(
    body: FeedbackRequest, feedback: FeedbackDep, assistant: AssistantDep
) -> FeedbackSaved:
    """Store a thumbs up or down for an answer (with an optional comment), or change the vote
    ``vote``; a "No" also goes into the gap log."""
    return FeedbackSaved(vote=await store_vote(body, feedback, assistant))


@router.post("/feedback", response_class=HTMLResponse, responses=PAGE_INVALID)
async def feedback_form(
    request: Request,
    body: Annotated[FeedbackForm, Form()],
    feedback: FeedbackDep,
    assistant: AssistantDep,
) -> HTMLResponse:
    """The feedback buttons without JavaScript, the comment asked for after a "No", and a
    change of mind."""
    back = "/?" + urlencode({"q": body.question}) if body.question.strip() else "/"
    context: dict[str, object] = {"question": body.question, "kind": body.kind, "back": back}
    if body.vote is not None and not body.change:  # the comment for a vote stored already
        if not body.comment.strip():
            context["commented"] = False
        elif not await run_in_threadpool(
            feedback.set_comment, body.vote, body.question, body.comment
        ):
            raise UnknownVote(NO_VOTE)
        else:
            context["commented"] = True
            await run_in_threadpool(assistant.comment_no, body.vote, body.question, body.comment)
        return templates.TemplateResponse(request=request, name="thanks.html", context=context)
    context["vote"] = await store_vote(body, feedback, assistant)
    context["rating"] = body.rating
    context["ask_comment"] = body.rating == "down" and not body.comment.strip()
    return templates.TemplateResponse(request=request, name="thanks.html", context=context)
