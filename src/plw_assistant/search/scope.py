"""Which passages a plan searches (a webinar's, a note's author line, the dated ones) and
whether what it found clears the relevance bar of any answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..store.reader import Index
from .intent import Plan, wants_session_rows
from .names import DETAIL_KEYS, Vocabulary

if TYPE_CHECKING:
    from .retriever import Retrieval


def evidenced(retrieval: Retrieval, min_score: float) -> bool:
    """Whether the passages found clear the relevance bar of any answer: one of them is at
    least ``min_score`` similar to the question (BM25 alone: one shares a word)."""
    if retrieval.best_cosine is None or retrieval.plan.kind in DETAIL_KEYS:
        # A note's front matter line ("date: 2022-04-19") reads like no question: the note
        # named by its words ("when was the wrap-up published?") is the evidence.
        return retrieval.keyword_match
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
