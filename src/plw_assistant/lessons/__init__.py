"""The lessons page's data: the key lessons (an article's wrap-up), each webinar with its
topics, then every other passage; or the same by webinar, general lessons under "All webinars".

Every passage is listed once: front matter lines (author, date) and a list's lead-in ("… can be
extracted:") are not lessons, and an overview's "PLW#3: …" item is the webinar's own entry, not
another lesson. The filter uses the search's words (stemmed, without stop words), British and
American spellings alike, corrects typos as the search does ("fundng"), and knows the webinars
by name ("PLW#5", "the third webinar").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from ..domain import DETAILS, Chunk
from ..search.analysis import Analyzer, Correction
from ..search.names import Session, Vocabulary
from ..store.reader import Index
from ..text import SECTION_SEP
from ..words import tokenize

ALL_WEBINARS = "All webinars"
# The heading an article gives its conclusions: "Wrap-up of the lessons learnt", "Key lessons".
_KEY_HEADING = re.compile(r"\blessons?\s+learn(?:t|ed)\b|\bkey\s+(?:lessons|messages)\b", re.I)
# Words that only say "a webinar" once the question names one ("PLW#5", "the third session").
_NAMING_WORDS = frozenset(
    tokenize(["plw webinar session meeting last latest final first second third fourth fifth"])[0]
)


@dataclass
class Group:
    """Passages under one title, by section ("" for none)."""

    title: str
    sections: dict[str, list[Chunk]] = field(default_factory=dict)
    document: str | None = None  # the note to open
    session: str | None = None  # "PLW#3", for a webinar's own entry
    overview: Chunk | None = None  # where an overview introduces the webinar

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.sections.values())

    def add(self, section: str, chunk: Chunk) -> None:
        self.sections.setdefault(section, []).append(chunk)


@dataclass
class Part:
    """One part of the page: "Key lessons", "Webinars", "Other notes" (or the webinars)."""

    key: str
    title: str
    groups: list[Group]

    @property
    def count(self) -> int:
        return sum(g.count for g in self.groups)

    @property
    def sources(self) -> list[tuple[str, str]]:
        """(id, title) of the notes its passages come from, in order."""
        seen: dict[str, str] = {}
        for group in self.groups:
            for chunks in group.sections.values():
                for chunk in chunks:
                    seen.setdefault(chunk.document, chunk.title)
        return list(seen.items())


def words(text: str) -> list[str]:
    """The search's words of ``text`` (``words.tokenize``: British and American spellings
    alike, stems, no stop words)."""
    return tokenize([text])[0]


@lru_cache(maxsize=10_000)
def _word_set(text: str) -> frozenset[str]:
    return frozenset(words(text))


@dataclass(frozen=True)
class Filter:
    """What a passage must hold: every word (as the search stems it), and, when the filter
    names webinars, one of their passages (their note's, or one that names them)."""

    text: str
    terms: frozenset[str] = frozenset()
    rows: frozenset[int] | None = None  # passages of the webinars named, if any
    sessions: frozenset[str] = frozenset()  # their ids
    plain: tuple[str, ...] = ()  # the filter's words as typed, when all are stop words
    corrections: tuple[Correction, ...] = ()  # typos corrected as the search corrects them

    @classmethod
    def of(
        cls,
        text: str,
        vocabulary: Vocabulary,
        analyzer: Analyzer | None = None,
        is_common_word: Callable[[str], bool] = lambda word: False,
    ) -> Filter:
        text = text.strip()
        reference = vocabulary.resolve(text) if text else None
        rows, named = None, frozenset[str]()
        analysis = analyzer.analyse(text, is_common_word) if analyzer and text else None
        corrections = analysis.corrections if analysis else ()
        terms = set(words(analysis.searched if analysis else text))
        if reference:
            rows = frozenset(r for s in reference.sessions for r in s.rows)
            named = frozenset(s.id for s in reference.sessions)
            terms -= _NAMING_WORDS
        plain = tuple(text.lower().split()) if not terms and rows is None else ()
        return cls(text, frozenset(terms), rows, named, plain, corrections)

    @property
    def meant(self) -> str:
        """The filter as matched, when typos were corrected ("fundng" → "funding")."""
        out = self.text
        for c in self.corrections:
            out = re.sub(rf"\b{re.escape(c.typed)}\b", c.meant, out, count=1)
        return out if self.corrections else ""

    @classmethod
    def of_index(
        cls, text: str, index: Index, is_common_word: Callable[[str], bool] = lambda word: False
    ) -> Filter:
        """The filter read as the search reads a question: typos corrected towards the notes'
        words (``is_common_word``: the model's vocabulary, whose words are left as typed)."""
        vocabulary = Vocabulary.of(index)
        analyzer = Analyzer.of(index, vocabulary.abbreviations)
        return cls.of(text, vocabulary, analyzer, is_common_word)

    def __bool__(self) -> bool:
        return bool(self.text)

    def matches(self, row: int, chunk: Chunk) -> bool:
        if not self.text:
            return True
        if self.rows is not None and row not in self.rows:
            return False
        haystack = f"{chunk.context} {chunk.text} {chunk.session or ''}"
        if self.plain:
            return all(w in haystack.lower() for w in self.plain)
        return self.terms <= _word_set(haystack)


def is_key_lesson(chunk: Chunk) -> bool:
    """Under a sub-heading of a "lessons learnt" heading (the wrap-up's key messages)."""
    parts = chunk.section.split(SECTION_SEP)
    return len(parts) > 1 and bool(_KEY_HEADING.search(parts[0]))


def lesson_parts(index: Index, by: str = "document", query: str = "") -> list[Part]:
    """The page's parts, only passages matching ``query``; empty parts left out."""
    return lessons(index, by, Filter.of_index(query, index))


def lessons(index: Index, by: str, wanted: Filter) -> list[Part]:
    """The page's parts, only passages ``wanted``; empty parts left out."""
    vocabulary = Vocabulary.of(index)
    sessions = {s.id.upper(): s for s in vocabulary.sessions if s.document}
    own_notes = {s.document: s for s in sessions.values()}
    naming = _overview_item(sessions)
    key: dict[tuple[str, str], Group] = {}
    others: dict[str, Group] = {}
    webinars = {s.id: Group(s.title, document=s.document, session=s.id) for s in sessions.values()}
    for row, chunk in enumerate(index.chunks):
        if chunk.section == DETAILS or chunk.lead_in:  # not lessons: author, date, lead-in
            continue
        session = own_notes.get(chunk.document)
        introduces = naming(chunk) if session is None else None
        if introduces is not None:
            webinars[introduces.id].overview = webinars[introduces.id].overview or chunk
            continue
        if not wanted.matches(row, chunk):
            continue
        if session is not None:
            webinars[session.id].add(chunk.section, chunk)
        elif is_key_lesson(chunk):
            heading = SECTION_SEP.join(chunk.section.split(SECTION_SEP)[1:])
            group = key.setdefault(
                (chunk.document, heading), Group(heading, document=chunk.document)
            )
            group.add("", chunk)
        else:
            others.setdefault(chunk.document, Group(chunk.title, document=chunk.document))
            others[chunk.document].add(chunk.section, chunk)
    shown = [g for g in webinars.values() if g.count or _names_webinar(wanted, g)]
    return _arrange(by, list(key.values()), shown, list(others.values()))


def _overview_item(sessions: dict[str, Session]) -> Callable[[Chunk], Session | None]:
    """Whether a passage is an overview's "PLW#3: …" item, and of which webinar."""
    pattern = re.compile(rf"^\W*({'|'.join(re.escape(s) for s in sessions)})(?!\d)\s*[:\-–]", re.I)

    def introduces(chunk: Chunk) -> Session | None:
        match = pattern.match(chunk.text) if sessions else None
        return sessions[match.group(1).upper()] if match else None

    return introduces


def _names_webinar(wanted: Filter, group: Group) -> bool:
    """A webinar without a matching passage is still shown when the filter names it."""
    if not wanted:
        return True
    if wanted.rows is not None and group.session not in wanted.sessions:
        return False
    return not wanted.plain and wanted.terms <= _word_set(f"{group.session} {group.title}")


def _arrange(by: str, key: list[Group], webinars: list[Group], others: list[Group]) -> list[Part]:
    if by == "webinar":
        general = Group(ALL_WEBINARS)
        for g in key:
            for chunks in g.sections.values():
                general.sections.setdefault(g.title, []).extend(chunks)
        for g in others:
            for section, chunks in g.sections.items():
                where = SECTION_SEP.join(p for p in (g.title, section) if p)
                general.sections.setdefault(where, []).extend(chunks)
        groups = ([general] if general.count else []) + webinars
        return [Part("webinar", "", groups)] if groups else []
    parts = [
        Part("key", "Key lessons", key),
        Part("webinars", "Webinars", webinars),
        Part("others", "Other notes", others),
    ]
    return [p for p in parts if p.groups]
