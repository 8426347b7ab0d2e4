"""Composing a cited answer from retrieved passages (extractive; no LLM): whole lessons, the
best-ranked first, stopping when the next one is clearly weaker; each followed by ``[n]``."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..domain import Answer, Citation, Hit, Question
from ..search.intent import SERIES_WORDS
from ..search.names import Vocabulary
from ..search.parts import asking_clause
from ..search.retriever import Retrieval
from ..words import tokenize
from . import parts, structured
from .choice import lessons
from .confidence import confidence, match_label
from .coverage import covers, near_scope, not_mentioned, unknown_subject, unmentioned
from .dates import asks_dated_past, spans_dates
from .facts import NOT_SAID, Asked, asked_for, asks_what_was_said, defined
from .listed import only_listed, unnamed
from .planned import planned_in, planned_only
from .said import nothing_more_said
from .units import Unit, is_overview, make_unit

NO_MATCH = (
    "No lesson in the notes covers this question. Try other words, or ask about the BLUES "
    "Peer Learning Webinars and what cluster partnerships learnt from them."
)
NO_DETAIL = "; the notes list it as a topic and record no detail on it."
NO_DETAILS = "; the notes list these as topics and record no detail on them."


def compose(question: Question, retrieval: Retrieval, min_score: float) -> Answer:
    """The answer to ``question``: structure-aware for questions about the webinars (what one
    covered, which one covered something, who wrote, when), else the best lessons quoted whole;
    "the notes do not give …" when it asks for a fact (a budget, a count, a date) that none of
    them states. Citations are numbered as the answer cites them, related passages after."""
    analysis = retrieval.plan.analysis
    searched = analysis.searched if analysis.corrected else ""
    if not covers(retrieval, min_score) or unknown_subject(retrieval):
        outside = not near_scope(retrieval)
        return Answer(
            question.text, NO_MATCH, [], abstained=True, searched=searched, outside=outside
        )
    return replace(_compose(question, retrieval, min_score), searched=searched)


def _compose(question: Question, retrieval: Retrieval, min_score: float) -> Answer:
    assert retrieval.index is not None
    vocabulary = Vocabulary.of(retrieval.index)
    hits = list(retrieval.hits)
    analysis = retrieval.plan.analysis
    # What is asked, without the situation told before it ("… which software we use. Was
    # there a session on IT tools?").
    plan = retrieval.plan
    before = plan.asked[: -len(analysis.searched)] if plan.continues else ""
    asks_in = analysis.ask or asking_clause(analysis.searched or question.text)
    asked = asked_for(asks_in, analysis.same, before)
    asked = asked or defined(retrieval.plan.form)
    built = _built(question.text, retrieval, hits, vocabulary, min_score, asked)
    asked = asked or planned_only(asks_in, analysis.same, [u.plain for u in built.units])
    asks = analysis.ask or analysis.searched
    name = only_listed(retrieval, asks) if asked is None else None
    kind = unnamed(retrieval, asks) if asked is None and name is None else None
    if kind is not None and built.units:  # "Which consultancies …?": a list of partnerships
        closest = max(built.units, key=lambda u: u.hit.dense or 0.0)
        missing = f"The notes do not name any {kind}."
        return _not_given(question.text, missing, closest, hits, len(retrieval.hits))
    if name is not None and built.units:  # "What did CLAMTEX present?": only in a list
        missing = f"The notes name {name} only in a list; they say nothing else about it."
        listing = [u for u in _units(retrieval, hits, vocabulary) if name in u.plain]
        closest = (listing or built.units)[0]
        return _not_given(question.text, missing, closest, hits, len(retrieval.hits))
    if asked is not None and built.units and not any(asked.holds(u.plain) for u in built.units):
        others = _units(retrieval, hits, vocabulary)
        stating = parts.stating_text(asked.holds, retrieval, hits, vocabulary)
        if stating is not None:  # "When did it run, and whom do I contact?": one part's fact
            return _answer(
                question.text, parts.quoting(built, stating, 0), hits, len(retrieval.hits)
            )
        # What the notes hold on the thing asked about is a topic ("IT tool"): quote it and
        # say the detail is missing; otherwise the closest passage, and "not in the notes".
        topic = next(
            (
                u
                for u in [*built.units, *others]
                if (u.label or is_overview(u, vocabulary))
                and asked.kind != "outcome"  # a webinar's topic tells no outcome
                and (asked.mentioned_in(u.plain) or retrieval.plan.kind == "which")
            ),
            None,
        )
        bounded = _bounded(question.text, asked, asks, retrieval, vocabulary) if not topic else None
        if bounded is not None:  # "When was PLW#3?": only the series is dated
            return bounded
        if topic is None:
            closest = _closest(asked, built.units, others)
            return _not_given(question.text, asked.missing, closest, hits, len(retrieval.hits))
        built = structured.Built([topic], topics=True, closing=asked.missing)
    built = parts.with_facts(built, retrieval, hits, vocabulary)  # "which ones …, and …?"
    if built.units and built.topics and not built.closing:  # "What exactly did the PO say?"
        said = NOT_SAID if asks_what_was_said(asks) else ""
        built = replace(built, closing=unmentioned(retrieval, asks) or said)
    elif built.units and (never := not_mentioned(retrieval, asks)):  # "… about GDPR?"
        closest = max(built.units, key=lambda u: u.hit.dense or 0.0)
        return _not_given(question.text, never, closest, hits, len(retrieval.hits))
    return _answer(question.text, built, hits, len(retrieval.hits))


def _built(
    question: str,
    retrieval: Retrieval,
    hits: list[Hit],
    vocabulary: Vocabulary,
    min_score: float,
    asked: Asked | None,
) -> structured.Built:
    """What the notes' structure answers, else the best lessons; the other part of a question
    asking two kinds of thing ("which webinar …, and what is the main lesson about …?")
    answered after it, from its own search."""
    built = structured.compose(retrieval, hits, vocabulary)
    if built is None:
        return _general(question, retrieval, hits, vocabulary, min_score, asked)
    beside = retrieval.beside
    if beside is None:
        return built
    text = beside.plan.analysis.searched
    if beside.plan.kind == "which":  # "which webinar …, and which one …?": each part's topic
        other = _built(text, beside, list(beside.hits), vocabulary, min_score, None)
    else:
        other = _general(text, beside, list(beside.hits), vocabulary, min_score, None)
    shown = {u.hit.row for u in built.units}
    added = [u for u in other.units if u.hit.row not in shown]
    return replace(built, units=[*built.units, *added], topics=built.topics and other.topics)


def _bounded(
    question: str, asked: Asked, asks: str, retrieval: Retrieval, vocabulary: Vocabulary
) -> Answer | None:
    """For the date of one webinar, which the notes do not give, the passage giving the span
    of dates the series ran in, if one does: it bounds that date."""
    index = retrieval.index
    assert index is not None
    about_webinars = bool(retrieval.plan.sessions) or bool(set(tokenize([asks])[0]) & SERIES_WORDS)
    if asked.kind != "date" or not about_webinars or not asks_dated_past(asks):
        return None
    rows = [int(r) for r in np.flatnonzero(vocabulary.holding("date"))]
    series = [
        (r, chunk)
        for r, chunk in zip(rows, index.chunks_at(rows), strict=True)
        if spans_dates(chunk.plain) and set(tokenize([chunk.plain])[0]) & SERIES_WORDS
    ]
    if not series:
        return None
    hits = list(retrieval.hits)
    hit = Hit(series[0][1], 0.0, series[0][0], None)
    bounds = make_unit(1, hit, index, vocabulary, retrieval.query)
    one = retrieval.plan.sessions[0].id if len(retrieval.plan.sessions) == 1 else None
    missing = f"The notes do not give the date of {one}." if one else asked.missing
    built = structured.Built([bounds], f"{missing} They date only the series as a whole:")
    answer = _answer(question, built, hits, len(hits))
    return replace(answer, abstained=True, missing=missing, confidence=None)


def _units(retrieval: Retrieval, hits: list[Hit], vocabulary: Vocabulary) -> list[Unit]:
    assert retrieval.index is not None
    return [
        make_unit(n, h, retrieval.index, vocabulary, retrieval.query)
        for n, h in enumerate(hits, start=1)
    ]


def _general(
    question: str,
    retrieval: Retrieval,
    hits: list[Hit],
    vocabulary: Vocabulary,
    min_score: float,
    asked: Asked | None,
) -> structured.Built:
    """The lessons answering a plain question (``asked``: the fact it asks for, if any), or
    what to say when the previous answer already quoted every relevant one."""
    chosen, listed = lessons(question, retrieval, hits, vocabulary, asked)
    if chosen:
        # All it quotes is webinars' titles and topics ("PLW#2: … : Discussion with the PO"):
        # it says the notes record no more.
        topics = all(u.label or is_overview(u, vocabulary) for u in chosen)
        # The rest of a list asked for, found by the notes' structure, named (or the one beside).
        listed_rest = len(retrieval.plan.items) > 1
        assert retrieval.index is not None
        opening = structured.list_opening(chosen, retrieval.plan, retrieval.index)
        return structured.Built(chosen, opening, more=listed, topics=topics, certain=listed_rest)
    return nothing_more_said(retrieval, hits, vocabulary, min_score)


def _closest(asked: Asked, units: list[Unit], others: list[Unit]) -> Unit:
    """The passage shown when the notes lack the fact asked for: the closest in meaning, not one
    sharing a word ("costs"); for how something planned turned out, the one planning it."""
    closest = max([*units, *others], key=lambda u: u.hit.dense or 0.0)
    planning = (u for u in units if asked.kind == "outcome" and planned_in(asked, u))
    return next(planning, closest)


def _not_given(
    question: str, missing: str, closest: Unit, hits: list[Hit], retrieved: int
) -> Answer:
    """The notes do not state the fact asked for: say so, with the closest passage."""
    built = structured.Built([closest], f"{missing} The closest passage in the notes:")
    answer = _answer(question, built, hits, retrieved)
    return replace(answer, abstained=True, missing=missing, confidence=None)


def _answer(question: str, built: structured.Built, hits: list[Hit], retrieved: int) -> Answer:
    """The answer text and its citations: the passages it quotes, numbered in the order it
    quotes them, then the other passages retrieved (the first ``retrieved`` of ``hits``), in
    rank order; the rest of the lead's list, when offered, numbered after them."""
    chosen = _shorten_repeated_labels(built.units)
    if chosen and all(u.label or built.topics for u in chosen) and built.note_labels:
        last = chosen[-1]
        note = NO_DETAIL if len(chosen) == 1 and last.label else NO_DETAILS
        chosen = [*chosen[:-1], replace(last, text=last.text[:-1] + note)]
    cited_rows = list(dict.fromkeys(u.hit.row for u in chosen))
    rest = [h.row for h in hits[:retrieved] if h.row not in cited_rows]
    offered = [u.hit.row for u in built.more if u.hit.row not in cited_rows]
    order = list(dict.fromkeys([*cited_rows, *rest, *offered]))
    number = {row: n for n, row in enumerate(order, start=1)}
    by_row = {h.row: h for h in hits} | {u.hit.row: u.hit for u in [*chosen, *built.more]}
    parts = [built.opening] if built.opening else []
    parts += [f"{u.text} [{number[u.hit.row]}]" for u in chosen]
    spans: dict[int, list[tuple[int, int]]] = {}
    for u in chosen:
        spans.setdefault(u.hit.row, []).extend(
            s for s in u.spans if s not in spans.get(u.hit.row, [])
        )

    def citation(row: int) -> Citation:
        c = Citation.of(number[row], by_row[row], sorted(spans.get(row, [])), row in spans)
        # What the notes' structure found (the webinar named, the note's author line) is what
        # was asked for, however few words it shares with the question.
        found = built.certain and row in spans
        return replace(c, match="close" if found else match_label(by_row[row].dense))

    return Answer(
        question,
        " ".join(parts),
        [citation(row) for row in order if row not in offered or row in rest],
        confidence=None if built.closing else confidence(built, chosen, hits),  # not all given
        missing=built.closing,
        more=_more_sentence(built.more) if built.more else "",
        offered=[citation(row) for row in offered],
    )


def _more_sentence(more: list[Unit]) -> str:
    n, heading = len(more), structured.heading_of(more[0].hit.chunk.section)
    return f"The notes list {n} more {'lesson' if n == 1 else 'lessons'} under “{heading}”."


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
