"""Composing a cited answer from retrieved passages (extractive; no LLM)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from ..domain import Answer, Chunk, Citation, Question
from ..search.retriever import Retrieval
from ..store.lexical import tokenize
from ..store.reader import Index
from ..text import LIST_MARKER, plain_text

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
# A question naming something the notes never mention needs at least this similarity.
STRONG_MATCH = 0.5


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


def compose(question: Question, retrieval: Retrieval, min_score: float) -> Answer:
    """Quote the sentences that answer the question, each followed by ``[n]``, ``n`` being its
    passage's place in ``citations``; every passage's quoted sentences become its highlights.
    Sentences already ``said`` (by the previous answer, when asked for more) are not repeated."""
    if not covers(retrieval, min_score):
        return Answer(question.text, NO_MATCH, [], abstained=True)
    assert retrieval.index is not None
    picked = _pick_sentences(question.text, retrieval, retrieval.index, retrieval.said)
    spans: dict[int, list[tuple[int, int]]] = {}
    parts = []
    for n, chunk, s, e in sorted(picked, key=lambda p: (p[0], p[2])):
        spans.setdefault(n, []).append((s, e))
        parts.append(f"{_readable(chunk, s, e)} [{n}]")
    citations = [Citation.of(n, h, spans.get(n, [])) for n, h in enumerate(retrieval.hits, start=1)]
    return Answer(question.text, " ".join(parts), citations)


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
    if s > 0 and LIST_MARKER.match(chunk.text, line_start):
        head = plain_text(chunk.text.split("\n", 1)[0]).rstrip(":")
        text = f"{head}: {text}"
    elif not text.endswith((".", "!", "?", "…")) and len(text.split()) < 8:
        text = f"{chunk.context}: {text}"
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?", "…")) else text + "."
