"""Request bodies of the JSON API and the page forms, each turned into a core object."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from ..config import MAX_K
from ..domain import MAX_QUESTION_CHARS, Filters, Mode, Question, Turn, clean_question
from ..errors import QuestionError
from ..text import clean_text

BAD_K = f"k must be a whole number from 1 to {MAX_K}."
MAX_HISTORY = 20
MAX_HISTORY_CHARS = 400_000  # 20 turns with 20 cited passages each fit (166,000 measured)
ChunkId = Annotated[str, Field(max_length=200)]


def _clean_text(value: Any) -> Any:
    """Text fields without lone surrogates, controls or bidi marks, before their length is
    checked (a lone surrogate would otherwise fail as "not a valid string")."""
    return clean_text(value) if isinstance(value, str) else value


class HistoryTurn(BaseModel):
    """An earlier turn as the page sends it back; only the question and cited ids are used."""

    question: str = Field(max_length=MAX_QUESTION_CHARS)
    answer: str = Field("", max_length=20_000)
    citations: list[dict[str, Any]] = Field(default_factory=list, max_length=MAX_K)

    @field_validator("question", "answer", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return _clean_text(value)

    def turn(self) -> Turn:
        cited = [c.get("chunk_id") for c in self.citations if c.get("highlights")]
        return Turn(self.question, self.answer, tuple(str(c) for c in cited if c))


class FilterRequest(BaseModel):
    session: str | None = Field(None, max_length=200)
    document: str | None = Field(None, max_length=500)
    tag: str | None = Field(None, max_length=200)

    def filters(self) -> Filters:
        return Filters.of(self.session, self.document, self.tag)


class FeedbackRequest(BaseModel):
    """A vote: ``kind`` ``answer`` on an answer shown, ``missing`` on an abstention that the
    lessons should have answered (sent with rating ``down``)."""

    rating: Literal["up", "down"]
    kind: Literal["answer", "missing"] = "answer"
    question: str = Field(max_length=MAX_QUESTION_CHARS)
    answer: str = Field("", max_length=20_000)
    chunk_ids: list[ChunkId] = Field(default_factory=list, max_length=MAX_K)
    comment: str = Field("", max_length=2_000)

    @field_validator("question", "answer", "comment", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return _clean_text(value)


class AskRequest(BaseModel):
    question: str
    k: int | None = None
    mode: Mode | None = None
    filters: FilterRequest = Field(default_factory=FilterRequest)
    history: list[HistoryTurn] = Field(default_factory=list, max_length=MAX_HISTORY)

    @field_validator("question")
    @classmethod
    def _question(cls, value: str) -> str:
        try:
            return clean_question(value)
        except QuestionError as exc:
            raise PydanticCustomError("plw_question", str(exc)) from None

    @field_validator("k")
    @classmethod
    def _k(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= MAX_K:
            raise PydanticCustomError("plw_k", BAD_K)
        return value

    def to_question(self) -> Question:
        history = tuple(t.turn() for t in self.history)
        return Question(self.question, self.k, self.mode, history, self.filters.filters())


def parse_history(raw: str | None) -> list[HistoryTurn]:
    """Earlier turns posted back by the page's form; anything malformed (too long, nested
    too deep to parse) is dropped."""
    if raw is None or len(raw) > MAX_HISTORY_CHARS:
        return []
    try:
        data = json.loads(raw)
        return [HistoryTurn.model_validate(t) for t in data[-MAX_HISTORY:]]
    except (ValueError, TypeError, KeyError, ValidationError, RecursionError):
        return []
