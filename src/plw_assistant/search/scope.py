"""Which passages a plan searches (a webinar's, a note's author line, the dated ones) and
whether what it found clears the relevance bar of any answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..store.reader import Index
from ..words import tokenize
from .intent import Plan, wants_session_rows
from .names import DETAIL_KEYS, Vocabulary

if TYPE_CHECKING:
    from .retriever import Retrieval


def by_words(plan: Plan) -> bool:
    """Whether what the plan searches reads like no question, so a word shared with it is the
    evidence: a note's front matter line ("date: 2022-04-19": the note named by its words,
    "when was the wrap-up published?"), an e-mail address ("What's the contact person's
    e-mail?": "For more information contact …")."""
    return plan.kind in DETAIL_KEYS or plan.expects == "address"


def shares_words(retrieval: Retrieval) -> bool:
    """For a plan searched ``by_words``: whether the passages found share a word with the
    question: any word for a front matter line; for an address, a word of the passage's own
    of three letters or more ("contact"; a tokenizer splits "m.hache" into "m" and "hache",
    which "I'm" would match)."""
    if retrieval.plan.expects != "address":
        return retrieval.keyword_match
    asked = {w for w in tokenize([retrieval.plan.analysis.searched])[0] if len(w) > 2}
    return any(asked & set(tokenize([h.chunk.plain])[0]) for h in retrieval.hits)


def evidenced(retrieval: Retrieval, min_score: float) -> bool:
    """Whether the passages found clear the relevance bar of any answer: one of them is at
    least ``min_score`` similar to the question (BM25 alone: one shares a word)."""
    if retrieval.best_cosine is None or retrieval.plan.kind in DETAIL_KEYS:
        return retrieval.keyword_match
    if by_words(retrieval.plan) and shares_words(retrieval):
        return True
    return any(h.dense is not None and h.dense >= min_score for h in retrieval.hits)


def within_rows(plan: Plan, index: Index) -> np.ndarray | None:
    """The few rows a question is about: a list item it names, a webinar's passages, or a
    note's author line."""
    if plan.items:
        mask = np.zeros(index.size, dtype=bool)
        mask[[r for r in map(index.row, plan.items) if r is not None]] = True
        return mask
    vocabulary = Vocabulary.of(index)
    if wants_session_rows(plan) and vocabulary.sessions:
        return vocabulary.mask(plan.sessions or tuple(vocabulary.sessions), index.size)
    rows = vocabulary.detail_rows(plan.kind)
    if not rows:
        return None
    mask = np.zeros(index.size, dtype=bool)
    mask[list(rows)] = True
    return mask


def keep_rows(plan: Plan, index: Index) -> np.ndarray | None:
    """Rows a plain question may be answered from: not front matter lines, and for "when
    …?" or "how many …?" only passages holding a date or a number (when any does)."""
    if plan.kind != "general" and plan.kind not in DETAIL_KEYS:
        return None
    vocabulary = Vocabulary.of(index)
    if plan.kind == "general" and plan.expects and vocabulary.holding(plan.expects).any():
        return vocabulary.holding(plan.expects)
    return vocabulary.holding("content") if plan.kind == "general" and vocabulary.details else None
