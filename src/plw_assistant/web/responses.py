"""What the JSON API answers, one model per shape: an answer (``/api/ask``, ``plw ask --json``),
the stream's events, a vote saved, the health check, and every error's one sentence.

Each is built from the core object it describes and forbids other fields, so the JSON, the
OpenAPI document and the code cannot drift apart (``tests/web/test_openapi.py``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from ..domain import Answer


class Out(BaseModel):
    # Read from the core's dataclasses; a field no model names is an error, not a leak. Every
    # field is always sent, so the schema marks even those with a default as required.
    model_config = ConfigDict(
        extra="forbid", from_attributes=True, json_schema_serialization_defaults_required=True
    )


class CitationOut(Out):
    """A retrieved passage: ``text`` exactly as in its note, ``highlights`` the spans of it
    the answer quotes (then ``cited``)."""

    n: int
    chunk_id: str
    document: str
    title: str
    section: str
    text: str
    score: float
    highlights: list[tuple[int, int]]
    page: int | None
    unit: str  # what ``page`` counts: "" pages, "slide" slides
    ocr: float | None  # OCR confidence (0-100) of a passage read from a scan
    place: str  # as the page shows it: "p. 3", "slide 4", "read from a scan (confidence 91%)"
    session: str | None
    date: str | None
    cited: bool
    similarity: float | None
    match: Literal["close", "related", "loose"] | None


class AnswerOut(Out):
    """An answer with every passage it cites or retrieved (the public JSON, README)."""

    question: str
    answer: str
    citations: list[CitationOut]
    abstained: bool
    generated: bool
    flagged: list[str]
    notice: str
    language: str | None
    confidence: Literal["strong", "good", "partial"] | None
    missing: str
    more: str
    offered: list[CitationOut]
    searched: str
    resolved: str
    elsewhere: CitationOut | None  # the filters left out what answers: the best passage then

    @classmethod
    def of(cls, answer: Answer) -> AnswerOut:
        return cls.model_validate(answer, from_attributes=True)


class StreamToken(Out):
    """Event ``token``: generated text as it arrives."""

    text: str


class StreamAnswer(AnswerOut):
    """Event ``answer``: the checked answer, and ``html``, the page's rendering of it."""

    html: str


class ErrorDetail(Out):
    """Every error of the JSON API (and the stream's ``error`` event): one sentence."""

    detail: str


class FeedbackSaved(Out):
    """``vote``: the vote's id, to change it (its rating, its comment) with the same
    question."""

    status: Literal["saved"] = "saved"
    vote: int


class Health(Out):
    """The index served: its model, size and build time (ISO 8601)."""

    status: Literal["ok"] = "ok"
    model: str
    documents: int
    chunks: int
    built_at: str


class HealthError(Out):
    """No index can be served: why, in one sentence."""

    status: Literal["error"] = "error"
    detail: str
