"""Answers built from the notes' structure rather than by similarity alone: what a webinar
covered, which webinar covered something, the list of webinars, more of the same webinar, who
wrote a note and when it was published. Each line is still a quote of a cited passage."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..domain import DETAILS, Hit
from ..search.expects import front_matter_also
from ..search.intent import Plan
from ..search.items import is_list_item, list_of
from ..search.names import DETAIL_KEYS, Session, Vocabulary
from ..search.retriever import Retrieval
from ..store.reader import Index
from ..text import SECTION_SEP
from .units import CLOSE, RELATED, Unit, is_label, make_unit, words

ALWAYS_ANSWERED = frozenset({"overview", "list", "unknown", "more"})


@dataclass(frozen=True)
class Built:
    units: list[Unit]
    opening: str = ""  # a sentence about the notes themselves, before the quotes
    note_labels: bool = True  # say when the notes hold only a topic label
    topics: bool = False  # its units are webinars' titles and topics, however written
    certain: bool = False  # found by the notes' structure (a webinar named, an author line)
    more: list[Unit] = field(default_factory=list)  # the rest of the lead's list, offered
    closing: str = ""  # what the notes do not give of what was asked (a tool's name)


def compose(retrieval: Retrieval, hits: list[Hit], vocabulary: Vocabulary) -> Built | None:
    """The structured answer for the plan's kind, or ``None`` for a plain question."""
    assert retrieval.index is not None
    index, plan = retrieval.index, retrieval.plan
    cite = Citer(index, hits, vocabulary, retrieval.query)
    if plan.kind == "overview":
        units = [u for s in plan.sessions for u in _overview(s, cite)]
        return Built(units, topics=True, certain=True)
    if plan.kind == "list":
        units = [u for s in vocabulary.sessions for u in _overview(s, cite)]
        return Built(units, topics=True, certain=True)
    if plan.kind == "unknown":
        return _unknown(plan.unknown, vocabulary, cite)
    if plan.kind == "more":
        return _more(plan.sessions, plan.said, plan.demote, vocabulary, cite)
    if plan.kind == "which" and hits:  # a webinar's passage: its title and topics
        return _which(hits, vocabulary, retrieval, cite)
    if plan.kind in DETAIL_KEYS:
        rows = vocabulary.detail_rows(plan.kind)
        best = next((hit for hit in hits if hit.row in rows), None)
        if best is None:
            return None
        # "Who wrote it and when was it published?": the note's other line asked for too.
        also = [
            r
            for kind in front_matter_also(plan.analysis.searched or plan.query)
            for r in sorted(vocabulary.detail_rows(kind))
            if r != best.row and index.chunks[r].document == best.chunk.document
        ]
        return Built([cite.unit(r) for r in (best.row, *also[:1])], certain=True)
    return None


# A topic ranked at least TOPIC_SHARE as high as its webinar's line of topics answers "which
# webinar covered X?" in its place.
TOPIC_SHARE = 0.7
# A webinar's title at least RELATED similar to "which webinar was about X?" is related to X
# (as a passage labelled related), from CLOSE it names X (a close match). It is
# what was asked, not its topic, when TITLE_BY more similar: a short topic label ("Partner
# search") is less similar to any long question than a long title is.
TITLE_BY = 0.2


def _topic(hits: list[Hit], vocabulary: Vocabulary) -> Hit:
    """What answers "which webinar covered X?": the best-ranked passage, or, when that is a
    line giving a webinar's title and all its topics, the topic of that webinar that is X,
    if it ranks nearly as high: the same answer whatever the words of the question."""
    first = hits[0]
    session = next((s for s in vocabulary.sessions if first.row in s.rows), None)
    if session is None or is_label(first.chunk):
        return first
    return next(
        (
            h
            for h in hits[1:]
            if h.row in session.rows and is_label(h.chunk) and h.score >= TOPIC_SHARE * first.score
        ),
        first,
    )


def _which(hits: list[Hit], vocabulary: Vocabulary, retrieval: Retrieval, cite: Citer) -> Built:
    """The answer to "which webinar covered X?": the topic that is X; or, when X is what a
    webinar's title says rather than one of its topics ("… about preparing European
    projects?", and clearly more than its topic), that webinar's title and topics: one topic
    would not name what was asked. A title clearly similar to the question is as sure as a
    webinar named."""
    found = _topic(hits, vocabulary)
    alone = Built([cite.unit(found.row)], topics=True)
    session = next((s for s in vocabulary.sessions if found.row in s.rows), None)
    query, meaning = retrieval.query, retrieval.meaning
    if session is None or not session.title or not is_label(found.chunk):
        return alone
    if query is None or meaning is None:
        return alone
    title, topic = meaning([session.title, found.chunk.plain]) @ query
    if title < RELATED or title < topic + TITLE_BY:
        return alone  # the topic is what was asked, or the title is not clearly closer
    return Built(_overview(session, cite), topics=True, certain=bool(title >= CLOSE))


class Citer:
    """Units of given rows, adding a row to the citations when retrieval did not return it."""

    def __init__(
        self, index: Index, hits: list[Hit], vocabulary: Vocabulary, query: np.ndarray | None
    ) -> None:
        self.index, self.hits, self.vocabulary, self.query = index, hits, vocabulary, query

    def unit(self, row: int) -> Unit:
        for n, hit in enumerate(self.hits, start=1):
            if hit.row == row:
                return make_unit(n, hit, self.index, self.vocabulary, self.query)
        dense = None if self.query is None else self.index.dense_scores([row], self.query)[0]
        self.hits.append(Hit(self.index.chunks[row], 0.0, row, dense))
        return make_unit(len(self.hits), self.hits[-1], self.index, self.vocabulary, self.query)


def _overview(session: Session, cite: Citer) -> list[Unit]:
    """A webinar's title and topics in one line: the passage elsewhere that lists them
    (the article's "PLW#3: …" item), else each topic of its own note."""
    chunks = cite.index.chunks
    naming = [r for r in session.rows if chunks[r].session != session.id]
    if naming:
        return [cite.unit(naming[0])]
    own = [r for r in session.rows if chunks[r].section != DETAILS]
    return [cite.unit(r) for r in own[:8]]


def _unknown(numbers: tuple[int, ...], vocabulary: Vocabulary, cite: Citer) -> Built:
    asked = ", ".join(str(n) for n in numbers)
    if not vocabulary.sessions:
        return Built([], f"The notes hold no webinar numbered {asked}.")
    first, last = vocabulary.sessions[0], vocabulary.sessions[-1]
    if all(n < first.number for n in numbers):  # "the one before PLW#1"
        none = f"none before {first.id}"
    elif all(n == last.number + 1 for n in numbers):  # "the one after the last"
        none = f"none after {last.id}"
    else:
        none = f"none numbered {asked}"
    opening = (
        f"The notes cover {vocabulary.count_words()} webinars, {first.id}–{last.id}, and {none}:"
    )
    units = [u for s in vocabulary.sessions for u in _overview(s, cite)]
    return Built(units, opening, note_labels=False, topics=True, certain=True)


def _more(
    sessions: tuple[Session, ...],
    said: str,
    demote: frozenset[str],
    vocabulary: Vocabulary,
    cite: Citer,
) -> Built:
    """The rest of what the notes hold on the webinar the previous answer was about: its own
    note's passages not yet quoted (a summary elsewhere would repeat what was said)."""
    chunks = cite.index.chunks
    fresh: list[Unit] = []
    again: list[Unit] = []  # its own passages the previous answer quoted or said
    for s in sessions:
        for r in _own(s, cite.index):
            unit = cite.unit(r)
            said_already = chunks[r].id in demote or words(unit.plain) in words(said)
            (again if said_already else fresh).append(unit)
    names = ", ".join(s.label for s in sessions) or "this webinar"
    if fresh:
        return Built(fresh, certain=True)
    # Nothing new: what the notes hold on it, once more, so the reader sees that is all.
    opening = f"The notes hold nothing more on {names} than the previous answer quoted:"
    return Built(again[:8], opening, topics=True, certain=True)


def _own(session: Session, index: Index) -> list[int]:
    """Rows of a webinar's own note (else of the passages naming it), without front matter."""
    chunks = index.chunks
    own = [r for r in session.rows if chunks[r].session == session.id] or list(session.rows)
    return [r for r in own if chunks[r].section != DETAILS]


def whole_list(
    lead: Unit, hits: list[Hit], index: Index, vocabulary: Vocabulary, query: np.ndarray | None
) -> list[Unit]:
    """Every item of the list the lead lesson belongs to, in the note's order."""
    rows = list_of(index, lead.hit.row)
    return units_of(rows, hits, index, vocabulary, query) if rows else [lead]


def units_of(
    rows: list[int], hits: list[Hit], index: Index, vocabulary: Vocabulary, query: np.ndarray | None
) -> list[Unit]:
    """The units of ``rows``, numbered as retrieval ranked them (a row it did not return is
    added to ``hits``, so the answer cites it)."""
    cite = Citer(index, hits, vocabulary, query)
    return [cite.unit(r) for r in rows]


def in_list(unit: Unit, index: Index) -> bool:
    """Whether ``unit`` is a lesson in a list of lessons (not a topic, not a paragraph)."""
    return (
        not unit.label
        and "\n" not in unit.hit.chunk.text.strip()
        and is_list_item(index, unit.hit.row)
    )


def is_whole_list(units: list[Unit], index: Index) -> bool:
    """Whether ``units`` are every item of one list in the notes, in its order, and nothing
    else (a list asked for: "What are the main lessons for …?")."""
    rows = [u.hit.row for u in units]
    return len(rows) > 1 and rows == list_of(index, rows[0])


def list_opening(units: list[Unit], plan: Plan, index: Index) -> str:
    """What an answer quoting a list says first: its heading, when it quotes the rest of a
    list asked for ("any more tips like that?") or a whole list; and that the notes hold
    nothing more, when the previous answer quoted it all already."""
    if not units or not (len(plan.items) > 1 or is_whole_list(units, index)):
        return ""
    heading = heading_of(units[0].hit.chunk.section)
    if plan.said and all(words(u.plain) in words(plan.said) for u in units):
        return f"The notes list nothing more under “{heading}” than the previous answer quoted:"
    before = {c.section for i in plan.demote if (c := index.chunk(i)) is not None}
    if plan.said and len(before) == 1 and units[0].hit.chunk.section not in before:
        # The whole list the previous answer quoted, then "any other tips?": the one beside.
        done = heading_of(before.pop())
        return f"The notes list nothing more under “{done}”; under “{heading}” they list:"
    return f"Under “{heading}”, the notes list:"


def heading_of(section: str) -> str:
    """The heading a passage is under (the last of its section's path)."""
    return section.split(SECTION_SEP)[-1].strip()
