"""The unit an answer quotes: a whole lesson (a list item or a short paragraph of one to three
sentences), rendered as a readable sentence that names where it comes from when it would not
make sense alone (a topic label, a front matter field)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..domain import DETAILS, Chunk, Hit
from ..search.names import Vocabulary
from ..store.reader import Index
from ..text import plain_text, sentence_spans

# A passage's similarity to the question in words: "close" from CLOSE, "related" from
# RELATED, else "loose" (what a citation is labelled, and the bar for quoting a passage found
# by the notes' structure rather than by rank).
CLOSE = 0.55
RELATED = 0.4
# A passage longer than this is quoted in part: its best sentence and the one after it.
WHOLE_SENTENCES = 3
WHOLE_CHARS = 600
_END = (".", "!", "?", "…")
_LABEL_WORDS = 8


@dataclass(frozen=True)
class Unit:
    """One quoted lesson: passage ``n`` of the citations, the spans of it quoted, its text."""

    n: int
    hit: Hit
    spans: tuple[tuple[int, int], ...]
    text: str
    label: bool  # a topic label only (no sentence of its own)

    @property
    def plain(self) -> str:
        return " ".join(plain_text(self.hit.chunk.text[s:e]) for s, e in self.spans)


def is_label(chunk: Chunk) -> bool:
    """A webinar topic ("IT tool"): a short list item of a webinar's note or of a Topics
    section, with no sentence of its own (a lesson such as "Be flexible" is not one)."""
    plain = plain_text(chunk.text)
    return (
        chunk.section != DETAILS
        and (chunk.session is not None or "topic" in chunk.section.lower())
        and "\n" not in chunk.text.strip()
        and not plain.endswith(_END)
        and len(plain.split()) <= _LABEL_WORDS
    )


def is_overview(unit: Unit, vocabulary: Vocabulary) -> bool:
    """A passage giving a webinar's title and topics ("PLW#1: Knowing each other: …")."""
    text = unit.hit.chunk.text.lstrip(" -*")
    return any(text.startswith(f"{s.id}:") for s in vocabulary.sessions)


def session_label(chunk: Chunk, vocabulary: Vocabulary) -> str | None:
    """'PLW#5 “Title”' for a passage of a webinar's own note."""
    session = vocabulary.by_id.get(chunk.session or "")
    return session.label if session is not None else None


def sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith(_END) else text + "."


def render(chunk: Chunk, spans: tuple[tuple[int, int], ...], vocabulary: Vocabulary) -> str:
    """The quoted spans of ``chunk`` as one readable sentence (or a few)."""
    whole = spans == tuple(sentence_spans(chunk.text))
    text = (
        plain_text(chunk.text) if whole else " ".join(plain_text(chunk.text[s:e]) for s, e in spans)
    )
    if chunk.section == DETAILS:
        return sentence(f"{chunk.title} — {text}")
    if is_label(chunk):
        where = session_label(chunk, vocabulary)
        if where:
            return f"“{text}” was a topic of {where}."
        return sentence(f"{chunk.context}: {text}")
    return sentence(reading_case(text, vocabulary))


def reading_case(text: str, vocabulary: Vocabulary) -> str:
    """``text`` with a webinar's title written in capitals ("PLW#3: ENLARGE THE SHARING
    KNOWLEDGE") as its own note writes it ("PLW#3: Enlarge the sharing knowledge")."""
    for session in vocabulary.sessions:
        if not session.title:
            continue
        words, shouted = _shouted(session.title)
        match = shouted.search(text) if words else None
        if match is not None:
            parts = re.split(r"(\w+)", match.group(0))
            parts[1::2] = words
            text = text[: match.start()] + "".join(parts) + text[match.end() :]
    return text


@lru_cache(maxsize=1024)
def _shouted(title: str) -> tuple[tuple[str, ...], re.Pattern[str]]:
    """A title's words, and the pattern of the title in capitals: word by word, whatever the
    punctuation between ("AS A CLUSTER HOW TO …" has no comma where the title has one), so
    that what replaces it is still the passage's own text but for the letters' case."""
    words = tuple(re.findall(r"\w+", title))
    return words, re.compile(r"\W{1,3}".join(re.escape(w.upper()) for w in words))


def quoted_spans(index: Index, hit: Hit, query: np.ndarray | None) -> tuple[tuple[int, int], ...]:
    """The whole passage when it is one lesson (a list item with its sub-items, or a short
    paragraph); of a long paragraph, its best sentence and the next one."""
    spans = index.sentences.spans_of(hit.row)
    text = hit.chunk.text
    short = len(spans) <= WHOLE_SENTENCES and len(text) <= WHOLE_CHARS
    if short or "\n" in text.strip() or query is None:
        return tuple(spans)
    best = int(np.argmax(index.sentence_vectors(hit.row) @ query))
    return tuple(spans[best : best + 2])


def make_unit(
    n: int, hit: Hit, index: Index, vocabulary: Vocabulary, query: np.ndarray | None
) -> Unit:
    spans = quoted_spans(index, hit, query)
    return Unit(n, hit, spans, render(hit.chunk, spans, vocabulary), is_label(hit.chunk))


def words(text: str) -> str:
    """Lower-case text without punctuation, for "is this already said?" checks."""
    return " ".join(re.findall(r"\w+", text.lower()))
