"""Composing a cited answer from retrieved passages (extractive; no LLM)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any

import numpy as np

from .config import MAX_QUESTION_CHARS
from .corpus import Chunk, plain_text
from .errors import QuestionError
from .index import Hit, Index
from .lexical import tokenize
from .retrieve import Retrieval

EMPTY = "The question is empty. Type a question about the lessons."
TOO_LONG = f"The question is too long. Keep it under {MAX_QUESTION_CHARS:,} characters."
NO_MATCH = (
    "No lesson in the notes covers this question. Try other words, or ask about the BLUES "
    "Peer Learning Webinars and what cluster partnerships learnt from them."
)
# The answer quotes at most MAX_SENTENCES sentences, each at least QUOTE_SHARE as relevant to
# the question as the best one, skipping any REDUNDANT-similar to one already quoted.
MAX_SENTENCES = 5
QUOTE_SHARE = 0.8
REDUNDANT = 0.9
PASSAGE_WEIGHT = 0.5
MARKER = re.compile(r"\[(\d{1,3})\]")
_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+", re.M)
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
    highlights: list[tuple[int, int]] = field(default_factory=list)  # spans within ``text``
    page: int | None = None  # page of a paged source (PDF)
    session: str | None = None
    date: str | None = None

    @classmethod
    def of(cls, n: int, hit: Hit, highlights: list[tuple[int, int]]) -> Citation:
        """Citation ``n`` of a retrieved passage, with the spans the answer quotes."""
        c = hit.chunk
        return cls(
            n,
            c.id,
            c.document,
            c.title,
            c.section,
            c.text,
            round(hit.score, 4),
            highlights,
            c.page,
            c.session,
            c.date,
        )


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    citations: list[Citation]
    abstained: bool = False
    generated: bool = False  # written by the LLM (then checked), not quoted
    flagged: list[str] = field(default_factory=list)  # generated sentences no passage supports
    notice: str = ""  # one line about how the answer was made, e.g. the LLM fallback

    def to_dict(self) -> dict[str, Any]:
        # Field by field rather than dataclasses.asdict, which deep-copies every value and
        # cost a tenth of a request.
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["citations"] = [
            {
                **{f.name: getattr(c, f.name) for f in fields(c)},
                "highlights": [list(h) for h in c.highlights],
            }
            for c in self.citations
        ]
        out["flagged"] = list(self.flagged)
        return out

    def to_markdown(self) -> str:
        """The answer with its citations as footnotes (quote, document, section)."""
        if self.abstained:
            return f"**{self.question}**\n\n{self.answer}\n"
        body = MARKER.sub(lambda m: f"[^{m.group(1)}]", self.answer)
        used = {int(n) for n in MARKER.findall(self.answer)}
        notes = []
        for c in self.citations:
            if c.n not in used:
                continue
            quote = " … ".join(c.text[s:e] for s, e in c.highlights) or c.text
            where = f"{c.title}, {c.section}" if c.section else c.title
            where += f", p. {c.page}" if c.page else ""
            notes.append(f"[^{c.n}]: “{' '.join(quote.split())}” — {where}")
        return f"**{self.question}**\n\n{body}\n\n" + "\n".join(notes) + "\n"


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


def compose(
    question: str, retrieval: Retrieval, min_score: float, index: Index, said: str = ""
) -> Answer:
    """Quote the sentences that answer the question, each followed by ``[n]``, ``n`` being its
    passage's place in ``citations``; every passage's quoted sentences become its highlights.
    Sentences already ``said`` (by the previous answer, when asked for more) are not repeated."""
    if not covers(retrieval, min_score):
        return Answer(question, NO_MATCH, [], abstained=True)
    picked = _pick_sentences(question, retrieval, index, said)
    spans: dict[int, list[tuple[int, int]]] = {}
    parts = []
    for n, chunk, s, e in sorted(picked, key=lambda p: (p[0], p[2])):
        spans.setdefault(n, []).append((s, e))
        parts.append(f"{_readable(chunk, s, e)} [{n}]")
    citations = [Citation.of(n, h, spans.get(n, [])) for n, h in enumerate(retrieval.hits, start=1)]
    return Answer(question, " ".join(parts), citations)


def _pick_sentences(
    question: str, retrieval: Retrieval, index: Index, said: str
) -> list[tuple[int, Chunk, int, int]]:
    """Greedy selection by relevance to the question, skipping near-repeats (MMR-like)."""
    candidates: list[tuple[float, int, Chunk, int, int, np.ndarray]] = []
    words = set(tokenize([question])[0])
    for n, hit in enumerate(retrieval.hits, start=1):
        vectors = index.sentence_vectors(hit.row)
        passage = 0.0
        if retrieval.query is not None:
            passage = float(index.vectors_of([hit.row])[0] @ retrieval.query)
        for (s, e), vec in zip(index.sentences.spans_of(hit.row), vectors, strict=True):
            if retrieval.query is not None:
                # Half the passage's own relevance: a lesson's sentences stay together.
                rel = PASSAGE_WEIGHT * passage + (1 - PASSAGE_WEIGHT) * float(vec @ retrieval.query)
            else:  # bm25 mode has no query vector: share of the question's words present
                rel = len(words & set(tokenize([hit.chunk.text[s:e]])[0])) / max(len(words), 1)
            sentence = hit.chunk.text[s:e]
            if sentence.endswith(":"):  # a list's lead-in says nothing alone
                continue
            if said and plain_text(sentence) in said:
                continue
            candidates.append((rel, n, hit.chunk, s, e, vec))
    if not candidates:
        return []
    candidates.sort(key=lambda c: (-c[0], c[1], c[3]))
    floor = candidates[0][0] * QUOTE_SHARE if candidates[0][0] > 0 else 0.0
    chosen: list[tuple[float, int, Chunk, int, int, np.ndarray]] = []
    for cand in candidates:
        if len(chosen) == MAX_SENTENCES or cand[0] < floor:
            break
        if not any(_redundant(cand, c) for c in chosen):
            chosen.append(cand)
    return [(n, chunk, s, e) for _, n, chunk, s, e, _ in chosen]


def _redundant(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    """Same meaning (vectors) or the same words (one note repeating another)."""
    if float(a[5] @ b[5]) >= REDUNDANT:
        return True
    wa, wb = _words(a[2].text[a[3] : a[4]]), _words(b[2].text[b[3] : b[4]])
    return bool(wa and wb) and len(wa & wb) / min(len(wa), len(wb)) >= 0.8


@lru_cache(maxsize=8192)
def _words(sentence: str) -> frozenset[str]:
    """A sentence's stemmed words (the same sentences come back question after question)."""
    return frozenset(tokenize([sentence])[0])


def _readable(chunk: Chunk, s: int, e: int) -> str:
    """A quoted span as a sentence: list items keep their lead line, fragments their heading."""
    text = plain_text(chunk.text[s:e])
    line_start = chunk.text.rfind("\n", 0, s) + 1
    if s > 0 and _ITEM.match(chunk.text, line_start):
        head = plain_text(chunk.text.split("\n", 1)[0]).rstrip(":")
        text = f"{head}: {text}"
    elif not text.endswith((".", "!", "?", "…")) and len(text.split()) < 8:
        text = f"{chunk.context}: {text}"
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?", "…")) else text + "."
