"""Composing a cited answer from retrieved passages (extractive; no LLM): whole lessons, the
best-ranked first, stopping when the next one is clearly weaker; each followed by ``[n]``."""

from __future__ import annotations

import re

import numpy as np

from ..domain import Answer, Citation, Hit, Question
from ..search.names import Vocabulary
from ..search.retriever import Retrieval
from ..store.reader import Index
from . import structured
from .units import Unit, make_unit, words

NO_MATCH = (
    "No lesson in the notes covers this question. Try other words, or ask about the BLUES "
    "Peer Learning Webinars and what cluster partnerships learnt from them."
)
# The lead lesson is the best-ranked passage; another follows only if both its score and its
# similarity to the question are at least FOLLOW_SHARE of the lead's, the similarity at least
# FOLLOW_COSINE, and it is not a repeat (REDUNDANT-similar, or its words inside one quoted).
MAX_UNITS = 3
MAX_LIST = 8
FOLLOW_SHARE = 0.9
# A topic label ("Adaptation of the action plan") says less than a lesson: a lesson scoring at
# least LABEL_SHARE of the label's leads instead.
LABEL_SHARE = 0.8
FOLLOW_COSINE = 0.3
REDUNDANT = 0.9
# A question naming something the notes never mention needs at least this similarity.
STRONG_MATCH = 0.5
NO_DETAIL = "; the notes list it as a topic and record no detail on it."
NO_DETAILS = "; the notes list these as topics and record no detail on them."
# "What are the lessons for …", "key lessons …": the answer is a whole list.
_LIST_ASK = re.compile(
    r"\b(?:what\s+are|which\s+are|list|all|key|main)\b.*\b(?:lessons?|messages?|"
    r"recommendations?|takeaways?|points?)\b|\blessons?\s+(?:learnt|learned)\s+for\b",
    re.I,
)


_FULL_DATE = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December)\s+\d{4}\b|\b\d{4}-\d{2}-\d{2}\b"
)


def covers(retrieval: Retrieval, min_score: float) -> bool:
    """Whether anything retrieved is relevant enough to answer from (else: abstain).

    The best dense cosine is the evidence where there is one; a question with a rare word no
    passage contains ("Kubernetes") must match more strongly, since the model may match it on
    its common words alone ("cluster"); one naming a rare word the notes contain
    ("RECIPE4Mobility") is covered whatever its cosine. BM25 alone only knows whether any
    passage shares a word. A question naming a webinar is always in scope.
    """
    if retrieval.plan.kind in structured.ALWAYS_ANSWERED:
        return True
    if retrieval.plan.kind in ("author", "published") and retrieval.keyword_match:
        return True  # "who wrote the wrap-up?": a note's author line that shares a word
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
    """The answer to ``question``: structure-aware for questions about the webinars (what one
    covered, which one covered something, who wrote, when), else the best lessons quoted whole.
    Citations keep the rank order; those the answer quotes are marked ``cited``."""
    if not covers(retrieval, min_score):
        return Answer(question.text, NO_MATCH, [], abstained=True)
    assert retrieval.index is not None
    vocabulary = Vocabulary.of(retrieval.index)
    hits = list(retrieval.hits)
    built = structured.compose(retrieval, hits, vocabulary)
    if built is None:
        chosen = _lessons(question.text, retrieval, hits, vocabulary)
        built = structured.Built(chosen, first=False)
        if not chosen:  # everything relevant was quoted by the previous answer
            about = retrieval.plan.subject or "this"
            built = structured.Built(
                [],
                f"The notes hold nothing more on {about} than the previous answer quoted.",
                first=False,
            )
    return _answer(question.text, built, hits)


def _answer(question: str, built: structured.Built, hits: list[Hit]) -> Answer:
    chosen = built.units
    if built.first:  # a structured answer: its passages are the first citations, in its order
        order = list(dict.fromkeys([u.n for u in chosen] + list(range(1, len(hits) + 1))))
        renumber = {old: new for new, old in enumerate(order, start=1)}
        hits = [hits[old - 1] for old in order]
        chosen = [Unit(renumber[u.n], u.hit, u.spans, u.text, u.label) for u in chosen]
    chosen = _shorten_repeated_labels(chosen)
    if chosen and all(u.label for u in chosen) and built.note_labels:
        last = chosen[-1]
        chosen = [
            *chosen[:-1],
            Unit(
                last.n,
                last.hit,
                last.spans,
                last.text[:-1] + (NO_DETAIL if len(chosen) == 1 else NO_DETAILS),
                True,
            ),
        ]
    parts = [built.opening] if built.opening else []
    parts += [f"{u.text} [{u.n}]" for u in chosen]
    spans: dict[int, list[tuple[int, int]]] = {}
    for u in chosen:
        spans.setdefault(u.n, []).extend(s for s in u.spans if s not in spans.get(u.n, []))
    citations = [
        Citation.of(n, h, sorted(spans.get(n, [])), cited=n in spans)
        for n, h in enumerate(hits, start=1)
    ]
    return Answer(question, " ".join(parts), citations)


def _shorten_repeated_labels(units: list[Unit]) -> list[Unit]:
    """A webinar's title is given once: its next topics say "another topic of PLW#5"."""
    named: set[str] = set()
    out = []
    for u in units:
        session = u.hit.chunk.session
        if u.label and session and session in named:
            u = Unit(u.n, u.hit, u.spans, f"“{u.plain}” was another topic of {session}.", True)
        elif u.label and session:
            named.add(session)
        out.append(u)
    return out


def _lessons(
    question: str, retrieval: Retrieval, hits: list[Hit], vocabulary: Vocabulary
) -> list[Unit]:
    """The lead lesson and the few that are nearly as relevant, or a whole list when asked."""
    assert retrieval.index is not None
    index, plan = retrieval.index, retrieval.plan
    units = [
        u
        for n, hit in enumerate(hits, start=1)
        if hit.chunk.id not in plan.demote
        for u in [make_unit(n, hit, index, vocabulary, retrieval.query)]
        if not (plan.said and words(u.plain) in words(plan.said))
    ]
    if plan.subject:  # "and for SMEs?": only lessons on the new subject
        named = index.lexical.scores(plan.subject)
        units = [u for u in units if named[u.hit.row] > 0]
    if not units:
        return []
    if plan.expects == "date" and any(_FULL_DATE.search(u.plain) for u in units):
        # "When …?": a full date ("October 2020", 2022-04-19) answers, a bare year does not.
        units = [u for u in units if _FULL_DATE.search(u.plain)]
    lead = _lead(units)
    if _LIST_ASK.search(question) and "\n" not in lead.hit.chunk.text.strip():
        listed = structured.whole_list(lead, hits, index, vocabulary, retrieval.query)
        if len(listed) > 1:
            return listed[:MAX_LIST]
    units = [lead, *(u for u in units if u is not lead)]
    chosen = [lead]
    floor = _dense(index, lead, retrieval.query) * FOLLOW_SHARE
    for u in units[1:]:
        if len(chosen) == MAX_UNITS or u.hit.score < FOLLOW_SHARE * lead.hit.score:
            break
        close = _dense(index, u, retrieval.query) >= max(floor, FOLLOW_COSINE)
        if close and not any(_repeats(u, c, index) for c in chosen):
            chosen.append(u)
    return chosen


def _lead(units: list[Unit]) -> Unit:
    """The best-ranked lesson; a topic label leads only when no lesson is nearly as good."""
    first = units[0]
    if not first.label:
        return first
    return next(
        (u for u in units if not u.label and u.hit.score >= LABEL_SHARE * first.hit.score), first
    )


def _dense(index: Index, unit: Unit, query: np.ndarray | None) -> float:
    """The unit's similarity to the question (1 in bm25 mode, which has no vectors)."""
    if query is None:
        return 1.0
    known = unit.hit.dense
    return known if known is not None else index.dense_scores([unit.hit.row], query)[0]


def _repeats(a: Unit, b: Unit, index: Index) -> bool:
    """Same meaning (vectors) or the same words (one note repeating another)."""
    va, vb = index.vectors_of([a.hit.row, b.hit.row])
    return float(va @ vb) >= REDUNDANT or words(a.plain) in words(b.plain)
