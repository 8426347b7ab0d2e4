"""Composing a cited answer from retrieved passages (extractive; no LLM)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from .config import MAX_QUESTION_CHARS
from .errors import QuestionError
from .index import Hit

EMPTY = "The question is empty. Type a question about the lessons."
TOO_LONG = f"The question is too long. Keep it under {MAX_QUESTION_CHARS:,} characters."
NO_MATCH = "No passage in the notes matches this question."
# Passages scoring below this share of the best one are shown as sources but not quoted.
QUOTE_SHARE = 0.8
MAX_QUOTED = 3


@dataclass(frozen=True)
class Citation:
    n: int
    chunk_id: str
    document: str
    title: str
    section: str
    text: str
    score: float


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    citations: list[Citation]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def clean_question(question: str) -> str:
    """The question stripped of surrounding space; ``QuestionError`` if empty or too long."""
    question = question.strip()
    if not question:
        raise QuestionError(EMPTY)
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(TOO_LONG)
    return question


def compose(question: str, hits: Sequence[Hit]) -> Answer:
    """Quote the best passages, each marked ``[n]`` with ``n`` its place in ``citations``."""
    citations = [
        Citation(
            n,
            h.chunk.id,
            h.chunk.document,
            h.chunk.title,
            h.chunk.section,
            h.chunk.text,
            round(h.score, 4),
        )
        for n, h in enumerate(hits, start=1)
    ]
    if not hits:
        return Answer(question, NO_MATCH, [])
    best = hits[0].score
    quoted = [
        (n, h) for n, h in enumerate(hits, start=1) if n == 1 or h.score >= QUOTE_SHARE * best
    ][:MAX_QUOTED]
    lead = "The most relevant lesson" if len(quoted) == 1 else "The most relevant lessons"
    lines = [f"{lead} from the notes:"]
    lines += [f"- {_sentence(h.chunk.plain)} [{n}]" for n, h in quoted]
    return Answer(question, "\n".join(lines), citations)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?", "…")) else text + "."
