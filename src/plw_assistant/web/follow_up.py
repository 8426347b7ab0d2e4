"""The follow-up box's suggestion, drawn from what was just answered: another topic of the
webinar the answer quotes ("And what about “Setting up proposals”?"), else a question about
another lesson of the quoted list; nothing after a refusal (the box then says so plainly)."""

from __future__ import annotations

from collections.abc import Iterator

from ..domain import DETAILS, Answer, Chunk, Citation
from ..lessons import words
from ..lessons.questions import TOPIC_WORDS, questions
from ..search.names import Session, Vocabulary
from ..store.reader import Index

NEUTRAL = "Ask another question about the lessons"


def follow_up(answer: Answer | None, index: Index) -> str:
    """A question to ask next, or "" when the answer suggests none (a refusal, nothing
    quoted that belongs to a list or a webinar)."""
    if answer is None or answer.abstained:
        return ""
    cited = [c for c in answer.citations if c.cited]
    related = [c for c in answer.citations if not c.cited]
    asked = set(words(f"{answer.question} {answer.resolved}"))
    vocabulary = Vocabulary.of(index)
    ask_about = questions(index)
    quoted = {c.chunk_id for c in cited}
    quoted_texts = {c.text.strip() for c in cited}
    for chunk in _same_list(answer, index):  # the rest of a quoted list
        if chunk.id not in quoted and not set(words(chunk.plain)) <= asked:
            return ask_about(chunk)
    for citation in [*cited, *related]:  # the other topics of a webinar quoted or near
        topic = _other_topic(_session(citation, vocabulary), index, asked, quoted_texts)
        if topic:
            return f"And what about “{topic}”?"
    return ""


def _session(citation: Citation, vocabulary: Vocabulary) -> Session | None:
    """The webinar a passage belongs to, or that an overview's "PLW#3: …" item introduces."""
    first = citation.text.split("\n", 1)[0]
    named = vocabulary.resolve(first).sessions if ":" in first[:12] else ()
    wanted = citation.session or (named[0].id if len(named) == 1 else None)
    return next((s for s in vocabulary.sessions if s.id == wanted), None)


def _other_topic(known: Session | None, index: Index, asked: set[str], quoted: set[str]) -> str:
    """The next topic of a webinar after those the question names or the answer quotes."""
    if known is None or known.document is None:
        return ""
    topics = [
        c.plain
        for c in index.chunks_at(known.rows)
        if c.document == known.document
        and c.section != DETAILS
        and not c.lead_in
        and len(c.plain.split()) <= TOPIC_WORDS
    ]
    named = [i for i, t in enumerate(topics) if set(words(t)) <= asked or t in quoted]
    start = named[-1] + 1 if named else 0
    for topic in topics[start:] + topics[:start]:
        if not set(words(topic)) <= asked and topic not in quoted:
            return topic.rstrip(".")
    return ""


def _same_list(answer: Answer, index: Index) -> Iterator[Chunk]:
    """The lessons the answer offers (the rest of its lead's list), then its related passages
    from the lists it quotes (same note, same section)."""
    lists = {(c.document, c.section) for c in answer.citations if c.cited}
    related = [c for c in answer.citations if (c.document, c.section) in lists]
    for citation in [*answer.offered, *related]:
        chunk = index.chunk(citation.chunk_id)
        if chunk is not None and chunk.section != DETAILS and not chunk.lead_in:
            yield chunk
