"""The pages' forms, read once by FastAPI (``Annotated[Model, Form()]``) from the body the guard
has read already: the chat without JavaScript and the feedback buttons.

The chat form refuses nothing: the page answers with what it can use (a question too long is
said to be, an unknown mode is the default one, a history it cannot read is no history). A
feedback form it cannot use is one sentence, which the app's handler shows as a page."""

from __future__ import annotations

import json
from typing import Annotated, Any, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    Json,
    ModelWrapValidatorHandler,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ..config import MAX_K, Mode
from ..domain import Filters
from .schemas import MAX_HISTORY, MAX_HISTORY_CHARS, ChunkId, FeedbackRequest, HistoryTurn

BAD_FORM = "Feedback needs a rating of up or down, and fields within their length limits."
NO_VOTE = "The comment could not be saved: its vote is not there, or has a comment already."
MODES = get_args(Mode)
TURNS = TypeAdapter(list[HistoryTurn])


def _cut(limit: int) -> BeforeValidator:
    """Text kept to ``limit`` characters rather than refused: the page says what is wrong."""
    return BeforeValidator(lambda value: value[:limit] if isinstance(value, str) else value)


def _known_mode(value: Any) -> Any:
    return value if value in MODES else None


def _history(value: Any, _: ValidatorFunctionWrapHandler) -> list[HistoryTurn]:
    """The last ``MAX_HISTORY`` earlier turns; a history the page cannot read (garbled, too
    long, nested too deep) is none. Read by Python's JSON parser rather than pydantic's, which
    refuses a lone surrogate in an escape: the turns' own validators clean those out."""
    if not isinstance(value, str) or len(value) > MAX_HISTORY_CHARS:
        return []
    try:
        data = json.loads(value)
        return TURNS.validate_python(data[-MAX_HISTORY:] if isinstance(data, list) else data)
    except (ValueError, RecursionError):  # a ValidationError is a ValueError
        return []


class ChatForm(BaseModel):
    """``POST /``: a question, the search mode, filters and the conversation so far (JSON:
    the earlier answers as ``/api/ask`` returns them)."""

    q: Annotated[str, _cut(10_000)] = ""
    mode: Annotated[Mode | None, BeforeValidator(_known_mode)] = None
    history: Annotated[Json[list[HistoryTurn]], WrapValidator(_history)] = Field(
        default_factory=list
    )
    session: Annotated[str, _cut(500)] = ""
    document: Annotated[str, _cut(500)] = ""
    tag: Annotated[str, _cut(500)] = ""

    @property
    def filters(self) -> Filters:
        return Filters.of(self.session, self.document, self.tag)


def _ids(value: Any) -> Any:
    """The page sends the passages' ids in one field, separated by spaces."""
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list):
        return value
    return [part for v in values for part in (v.split() if isinstance(v, str) else [v])]


class FeedbackForm(FeedbackRequest):
    """``POST /feedback``: a vote; or, with ``vote`` (the row id of a vote stored already),
    the comment asked for after a "No" (sent without a rating), or with ``change`` its new
    rating."""

    chunk_ids: Annotated[list[ChunkId], BeforeValidator(_ids)] = Field(
        default_factory=list, max_length=MAX_K
    )
    change: bool = False  # with ``vote``: its new rating, not a comment

    @model_validator(mode="before")
    @classmethod
    def _comment_is_on_a_no(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("vote") and not data.get("rating"):
            return {**data, "rating": "down"}
        return data

    @model_validator(mode="wrap")
    @classmethod
    def _one_sentence(
        cls, data: Any, handler: ModelWrapValidatorHandler[FeedbackForm]
    ) -> FeedbackForm:
        """Whatever is wrong, the page says it in one sentence."""
        try:
            return handler(data)
        except ValidationError as exc:
            said = [e for e in exc.errors() if str(e["type"]).startswith("plw_")]
            if said:
                raise PydanticCustomError(said[0]["type"], said[0]["msg"]) from None
            raise PydanticCustomError("plw_form", BAD_FORM) from None
