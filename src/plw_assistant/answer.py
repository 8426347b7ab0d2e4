"""Composing a cited answer from retrieved passages (extractive; no LLM)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .config import MAX_QUESTION_CHARS
from .errors import QuestionError
from .retrieve import Retrieval

EMPTY = "The question is empty. Type a question about the lessons."
TOO_LONG = f"The question is too long. Keep it under {MAX_QUESTION_CHARS:,} characters."
NO_MATCH = (
    "No lesson in the notes covers this question. Try other words, or ask about the BLUES "
    "Peer Learning Webinars and what cluster partnerships learnt from them."
)
# Passages scoring below this share of the best one are shown as sources but not quoted.
QUOTE_SHARE = 0.8
MAX_QUOTED = 3
# A question naming something the notes never mention needs at least this similarity.
STRONG_MATCH = 0.5


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
    abstained: bool = False

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


def covers(retrieval: Retrieval, min_score: float) -> bool:
    """Whether anything retrieved is relevant enough to answer from (else: abstain).

    The best dense cosine is the evidence where there is one; a question with a rare word no
    passage contains ("Kubernetes") must match more strongly, since the model may match it on
    its common words alone ("cluster"); one naming a rare word the notes contain
    ("RECIPE4Mobility") is covered whatever its cosine. BM25 alone only knows whether any
    passage shares a word.
    """
    if not retrieval.hits:
        return False
    if retrieval.best_cosine is None:
        return retrieval.keyword_match
    if retrieval.named_terms:
        return True
    if retrieval.unknown_terms and retrieval.best_cosine < STRONG_MATCH:
        return False
    return retrieval.best_cosine >= min_score


def compose(question: str, retrieval: Retrieval, min_score: float) -> Answer:
    """Quote the best passages, each marked ``[n]`` with ``n`` its place in ``citations``."""
    if not covers(retrieval, min_score):
        return Answer(question, NO_MATCH, [], abstained=True)
    hits = retrieval.hits
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
