"""Request bodies of the JSON API and the page forms, each turned into a core object."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from ..config import MAX_K
from ..domain import MAX_QUESTION_CHARS, Citation, Filters, Mode, Question, Turn, clean_question
from ..errors import QuestionError
from ..text import clean_text

BAD_K = f"k must be a whole number from 1 to {MAX_K}."
MAX_HISTORY = 20
NO_VOTE = "The vote to change is not there: vote again."
MAX_HISTORY_CHARS = 400_000  # 20 turns with 20 cited passages each fit (166,000 measured)
ChunkId = Annotated[str, Field(max_length=200)]


def _clean_text(value: Any) -> Any:
    """Text fields without lone surrogates, controls or bidi marks, before their length is
    checked (a lone surrogate would otherwise fail as "not a valid string")."""
    return clean_text(value) if isinstance(value, str) else value


class HistoryCitation(BaseModel):
    """A passage of an earlier turn as the page sends it back: the page's script sends its id
    and highlights (quoted when it has some); the plain form all of it, to show it again."""

    n: int | None = None
    chunk_id: str
    document: str | None = None
    title: str | None = None
    section: str | None = None
    text: str | None = None
    score: float | None = None
    highlights: list[tuple[int, int]] = Field(default_factory=list)
    page: int | None = None
    unit: Literal["", "slide"] = ""
    ocr: float | None = Field(None, ge=0, le=100)
    session: str | None = None
    date: str | None = None
    cited: bool = False

    @field_validator(
        "chunk_id", "document", "title", "section", "text", "session", "date", mode="before"
    )
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return _clean_text(value)

    def citation(self) -> Citation | None:
        """The passage shown again; ``None`` without the number, note and text to show."""
        if self.n is None or not self.document or not self.text:
            return None
        title, section = self.title or self.document, self.section or ""
        return Citation(
            self.n,
            self.chunk_id,
            self.document,
            title,
            section,
            self.text,
            self.score or 0.0,
            list(self.highlights),
            self.page,
            self.session or None,
            self.date or None,
            self.cited,
            unit=self.unit,
            ocr=self.ocr,
        )


def _readable(items: Any) -> Any:
    """Each passage on its own: one the page garbled is left out, not its whole turn."""
    if not isinstance(items, list):
        return items  # the list's own check says what is wrong
    kept = []
    for item in items:
        try:
            kept.append(HistoryCitation.model_validate(item))
        except ValidationError:
            continue
    return kept


class HistoryTurn(BaseModel):
    """An earlier turn as the page sends it back; only the question and cited ids are used."""

    question: str = Field(max_length=MAX_QUESTION_CHARS)
    answer: str = Field("", max_length=20_000)
    citations: Annotated[list[HistoryCitation], BeforeValidator(_readable)] = Field(
        default_factory=list, max_length=MAX_K
    )

    @field_validator("question", "answer", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return _clean_text(value)

    def turn(self) -> Turn:
        return Turn(
            self.question, self.answer, tuple(c.chunk_id for c in self.citations if c.highlights)
        )


class FilterRequest(BaseModel):
    session: str | None = Field(None, max_length=200)
    document: str | None = Field(None, max_length=500)
    tag: str | None = Field(None, max_length=200)

    def filters(self) -> Filters:
        return Filters.of(self.session, self.document, self.tag)


class FeedbackRequest(BaseModel):
    """A vote: ``kind`` ``answer`` on an answer shown, ``missing`` on an abstention that the
    lessons should have answered (sent with rating ``down``). With ``vote`` (the id a first
    vote on this answer was given back, with the same question) it changes that vote: its
    rating, its comment."""

    rating: Literal["up", "down"]
    kind: Literal["answer", "missing"] = "answer"
    question: str = Field(max_length=MAX_QUESTION_CHARS)
    answer: str = Field("", max_length=20_000)
    chunk_ids: list[ChunkId] = Field(default_factory=list, max_length=MAX_K)
    comment: str = Field("", max_length=2_000)
    vote: int | None = None

    @field_validator("question", "answer", "comment", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return _clean_text(value)

    @field_validator("vote")
    @classmethod
    def _vote(cls, value: int | None) -> int | None:
        if value is not None and not 0 < value < 2**62:
            raise PydanticCustomError("plw_vote", NO_VOTE)
        return value


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
