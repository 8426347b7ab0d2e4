"""Which passages a plan searches (a webinar's, a note's author line, the dated ones) and
whether what it found clears the relevance bar of any answer."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from ..store.reader import Index
from ..words import tokenize
from .expects import expects_of
from .forms import LATER, holds
from .intent import SERIES_WORDS, Plan, wants_session_rows
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
        # "who wrote the article?": one note has an author line, and it can only be that one.
        return retrieval.keyword_match or _the_only_one(retrieval)
    asked = {w for w in tokenize([retrieval.plan.analysis.searched])[0] if len(w) > 2}
    return any(asked & set(tokenize([h.chunk.plain])[0]) for h in retrieval.hits)


def evidenced(retrieval: Retrieval, min_score: float) -> bool:
    """Whether the passages found clear the relevance bar of any answer: one of them is at
    least ``min_score`` similar to the question (BM25 alone: one shares a word)."""
    if retrieval.plan.kind in DETAIL_KEYS:
        return shares_words(retrieval)
    if retrieval.best_cosine is None:
        return retrieval.keyword_match
    if asks_date(retrieval.plan) and dated_series(retrieval):
        return True
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


# A note named by what it is, not by its title ("who wrote the article?").
_A_NOTE = re.compile(
    r"\b(?:the|this|that)\s+(?:article|wrap-?up|report|document|paper|summary|text|piece|note)\b",
    re.I,
)


def _the_only_one(retrieval: Retrieval) -> bool:
    """Whether the question names a note by what it is and only one note has the front matter
    line asked for: "the article" can then only be that one."""
    index = retrieval.index
    if index is None or _A_NOTE.search(retrieval.plan.analysis.searched) is None:
        return False
    rows = Vocabulary.of(index).detail_rows(retrieval.plan.kind)
    return len({c.document for c in index.chunks_at(sorted(rows))}) == 1


def asks_date(plan: Plan) -> bool:
    """Whether the question, or a part of one asking two things, asks when ("When did the
    series run, and is there going to be another one?")."""
    return plan.expects == "date" or any(expects_of(part) == "date" for part in plan.parts)


def series_asked(plan: Plan, words: frozenset[str] = SERIES_WORDS) -> frozenset[str]:
    """The words of the question naming the series itself ("webinars", "session", "PLW"),
    with the question a follow-up continues ("were the webinars a success? → what next?")."""
    return frozenset(tokenize([plan.asked or plan.analysis.searched])[0]) & words


# The series named as events ("a sixth session?"), not "learn" of "peer learning".
EVENTS = frozenset(tokenize(["plw plws webinar webinars session sessions series"])[0])


def continued_series(retrieval: Retrieval) -> bool:
    """Whether "will there be a sixth session?" found a passage saying what comes after the
    series it asks about ("an extra PLW in 2022"), as ``dated_series`` does for its dates."""
    form = retrieval.plan.form
    if form is None or form.kind != "future":
        return False
    asked = series_asked(retrieval.plan, EVENTS)
    return bool(asked) and any(
        holds(LATER, h.chunk.plain) and set(tokenize([h.chunk.plain])[0]) & SERIES_WORDS
        for h in retrieval.hits
    )


def dated_series(retrieval: Retrieval) -> bool:
    """Whether "when did the series start?" found a dated passage naming the series it asks
    about ("a series of 5 PLW"): words too few and too plain for the model to match."""
    asked = series_asked(retrieval.plan)
    return bool(asked) and any(asked & set(tokenize([h.chunk.plain])[0]) for h in retrieval.hits)
