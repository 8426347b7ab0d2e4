"""The notes' own names for their webinars: "PLW#3" from a note's front matter, its title, the
passages that name it. A question naming one in any usual form ("PLW 3", "plw3", "webinar 3",
"the third session", "3rd PLW", "the last webinar") is resolved to it, exactly."""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from ..domain import DETAILS, Chunk
from ..store.chunk_table import ChunkTable
from ..store.reader import Index
from ..words import tokenize
from .relative import at_the_ends, relative_steps

_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
}
KIND = r"(?:plw|peer[- ]learning[- ]webinar|webinar|session|meeting)s?"
# Words the question reader understands by themselves, whatever the notes say: a typo is
# corrected to one of them first ("fith webinar" is the fifth, not "faith").
READ_WORDS = (*_ORDINALS, "webinar", "webinars", "session", "sessions", "meeting", "meetings")
_NUMBERED = re.compile(rf"\b(?:{KIND})\s*(?:#|no\.?|number)?\s*(\d{{1,3}})\b", re.I)
# Ordinals misspelt as other English words, which no typo check corrects: before "webinar"
# they can only be the ordinal ("the forth webinar").
_MISSPELT = {"forth": 4}
_ORDINAL = re.compile(
    rf"\b({'|'.join([*_ORDINALS, *_MISSPELT])}|\d{{1,3}}(?:st|nd|rd|th))\s+(?:{KIND}|one)\b",
    re.I,
)
_LAST = re.compile(rf"\b(?:last|latest|final)\s+(?:{KIND})\b", re.I)
# A webinar named relative to the one the conversation is about: "the one before", "the next
# one", "the session after that", "the first one", "that one", "the other ones".
_ONE = rf"(?:one|{KIND})"

_RELATIVE = relative_steps(_ONE)
_FIRST_ONE = at_the_ends(_ONE)
# A webinar named as the one just before or after the one asked about ("what came after
# PLW#3?"); a question about what comes next reads it as a time instead (shorthand).
_BESIDE = re.compile(
    rf"\b(after|before)\s+((?:the\s+)?(?:plw\s*#?\s*\d{{1,2}}|\w+\s+{_ONE}))\b", re.I
)
_THAT_ONE = re.compile(rf"\b(?:that|this|same)\s+{_ONE}\b", re.I)
_OTHERS = re.compile(rf"\b(?:the\s+)?other(?:s|\s+(?:ones|{KIND}))\b", re.I)
_SESSION_ID = re.compile(r"^(.*?)(\d{1,3})$")
# Words of a webinar's title that say nothing about its subject.
_GENERIC = frozenset(tokenize(["plw webinar session peer learning cluster clusters"])[0])
# Which front matter lines answer "who wrote it?" and "when was it published?".
DETAIL_KEYS = {"author": ("author",), "published": ("date", "published")}
_DATE = re.compile(
    r"\b(?:19|20)\d{2}\b|\b(?:January|February|March|April|May|June|July|August|September"
    r"|October|November|December)\b"
)
_NUMBER = re.compile(
    r"(?<![#\w])\d+\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|thirteen|fourteen|fifteen|twenty)\b",
    re.I,
)
# A passage naming several things: four or more capitalised items separated by commas.
_NAMES = re.compile(r"(?:[A-Z][\w&-]*(?:\s[A-Z][\w&-]*)*(?:\s\([^)]*\))?,\s*){3,}[A-Z]")
# An e-mail address, also written to fool harvesters ("m.hache [at] aqua-valley.com").
_ADDRESS = re.compile(r"[\w.+-]+\s*(?:@|\[at\]|\(at\))\s*[\w-]+(?:\.[\w-]+)+")
_HOLDING = {"date": _DATE, "number": _NUMBER, "names": _NAMES, "address": _ADDRESS}
# "Peer learning webinars (PLW)": an abbreviation the notes define. A match can only start
# at a word's start (the look-behind only spares the engine trying every letter: same
# matches, 4x faster), and only in a text holding an "(ABBR)" at all.
_DEFINED = re.compile(r"((?<![\w-])(?:[\w-]+\s+){1,6})\(([A-Z][A-Z0-9]{1,7})\)")
_ABBREVIATION = re.compile(r"\([A-Z][A-Z0-9]{1,7}\)")
NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


@dataclass(frozen=True)
class Session:
    """One webinar the notes know: its id as written ("PLW#3"), number, title and rows."""

    id: str
    number: int
    title: str  # without the id, e.g. "Enlarge the sharing knowledge"
    document: str | None  # its own note, if it has one
    rows: tuple[int, ...]  # passages of its note and passages elsewhere that name it
    title_words: frozenset[str] = field(default=frozenset())

    @property
    def label(self) -> str:
        return f"{self.id} “{self.title}”" if self.title else self.id


@dataclass(frozen=True)
class Reference:
    """What a question names: webinars the notes know, and numbers that name none."""

    sessions: tuple[Session, ...] = ()
    unknown: tuple[int, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.sessions or self.unknown)


class Vocabulary:
    """The webinars of one index, built once per index from its documents and passages."""

    def __init__(self, index: Index, sessions: list[Session], details: dict[str, list[int]]):
        self.sessions = sorted(sessions, key=lambda s: s.number)
        self.by_number = {s.number: s for s in self.sessions}
        self.by_id = {s.id: s for s in self.sessions}
        self.details = details  # front matter key ("author", "date") → rows of those lines
        self.abbreviations: dict[str, str] = {}  # "PLW" → "Peer learning webinars"
        self._index = weakref.ref(index)
        self._holding: dict[str, np.ndarray] = {}

    @classmethod
    def of(cls, index: Index) -> Vocabulary:
        with _LOCK:
            known = _VOCABULARIES.get(index)
            if known is None:
                known = cls._build(index)
                _VOCABULARIES[index] = known
            return known

    @classmethod
    def _build(cls, index: Index) -> Vocabulary:
        """One pass over the passages: webinars and the passages naming them, front matter
        lines, abbreviations the notes define."""
        found: dict[str, tuple[int, str, str | None, str]] = {}  # upper-case id → …
        for doc in index.documents.values():
            match = _SESSION_ID.match(doc.session or "")
            if match:
                title = re.sub(rf"^\s*{re.escape(doc.session or '')}\s*[:\-–]?\s*", "", doc.title)
                sid = doc.session or ""
                found[sid.upper()] = (int(match.group(2)), title.strip(), doc.id, sid)
        naming = (
            re.compile("|".join(rf"(?<![\w#]){re.escape(sid)}(?!\d)" for sid in found), re.I)
            if found
            else None
        )
        rows: dict[str, list[int]] = {sid: [] for sid in found}
        # A cheap test first: with ids like "PLW#3", only passages with a "#" can name one.
        marker = "#" if found and all("#" in sid for sid in found) else ""
        details: dict[str, list[int]] = {}
        for row, chunk in _candidates(index, naming is not None, marker):
            named = {chunk.session.upper()} if chunk.session else set()
            if naming is not None and marker in chunk.text:
                named |= {m.group(0).upper() for m in naming.finditer(chunk.text)}
            for sid in named & rows.keys():
                rows[sid].append(row)
            if chunk.section == DETAILS:
                details.setdefault(chunk.text.split(":", 1)[0].strip().lower(), []).append(row)
        sessions = [
            Session(original, number, title, document, tuple(rows[sid]), _title_words(title))
            for sid, (number, title, document, original) in found.items()
        ]
        vocabulary = cls(index, sessions, details)
        for doc in index.documents.values():
            for m in _DEFINED.finditer(doc.text) if _ABBREVIATION.search(doc.text) else ():
                long, short = _long_form(m.group(1), m.group(2))
                if long:
                    vocabulary.abbreviations.setdefault(short, long)
        return vocabulary

    def holding(self, kind: str) -> np.ndarray:
        """Mask of the passages holding a "date", a "number", several "names" or an e-mail
        "address" (or every
        "content" passage): never a front matter line. Computed on first use."""
        with _LOCK:
            mask = self._holding.get(kind)
            if mask is None:
                index = self._index()
                assert index is not None
                mask = np.ones(index.size, dtype=bool)
                mask[[r for rows in self.details.values() for r in rows]] = False
                if kind != "content":
                    rx = _HOLDING[kind]
                    mask &= np.fromiter(
                        (bool(rx.search(t)) for t in passage_texts(index)), bool, index.size
                    )
                self._holding[kind] = mask
            return mask

    def detail_rows(self, kind: str) -> set[int]:
        """Rows of the front matter lines that answer ``kind`` ("author", "published")."""
        return {r for key in DETAIL_KEYS.get(kind, ()) for r in self.details.get(key, ())}

    def mask(self, sessions: tuple[Session, ...], size: int) -> np.ndarray:
        """Boolean mask of the rows that belong to or name any of ``sessions``."""
        mask = np.zeros(size, dtype=bool)
        for s in sessions:
            mask[list(s.rows)] = True
        return mask

    def resolve(self, question: str) -> Reference:
        """The webinars ``question`` names by number, ordinal or "last"; numbers naming none."""
        numbers = [int(m.group(1)) for m in _NUMBERED.finditer(question)]
        for m in _ORDINAL.finditer(question):
            word = m.group(1).lower()
            numbers.append(
                _ORDINALS.get(word) or _MISSPELT.get(word) or int(re.sub(r"\D", "", word))
            )
        if _LAST.search(question) and self.sessions:
            numbers.append(self.sessions[-1].number)
        for m in _BESIDE.finditer(question):  # "what came after PLW#3?": PLW#4
            named = self.resolve(m.group(2))
            step = 1 if m.group(1).lower() == "after" else -1
            for s in named.sessions:
                numbers = [n for n in numbers if n != s.number] + [s.number + step]
        numbers = list(dict.fromkeys(numbers))
        known = tuple(self.by_number[n] for n in numbers if n in self.by_number)
        return Reference(known, tuple(n for n in numbers if n not in self.by_number))

    def relative(self, question: str, previous: tuple[Session, ...]) -> Reference:
        """The webinars ``question`` names relative to ``previous`` (those the conversation
        was about): before/after, previous/next, the first/last one, that one, the others."""
        if not self.sessions:
            return Reference()
        if _OTHERS.search(question) and previous:
            return Reference(tuple(s for s in self.sessions if s not in previous))
        first_or_last = _FIRST_ONE.search(question)
        if first_or_last:
            word = first_or_last.group(1).lower()
            return Reference((self.sessions[0] if word == "first" else self.sessions[-1],))
        if not previous:
            return Reference()
        for step, pattern in _RELATIVE.items():  # before "that one": "what came after that one?"
            if pattern.search(question):
                number = (previous[0] if step < 0 else previous[-1]).number + step
                known = self.by_number.get(number)
                return Reference((known,)) if known else Reference(unknown=(number,))
        return Reference(previous) if _THAT_ONE.search(question) else Reference()

    def by_title(self, question: str) -> tuple[Session, ...]:
        """Webinars whose title the question names by its distinctive words ("the common
        note" for "Working on a common note"): at least two of them, or all if only one."""
        words = set(tokenize([question])[0])
        return tuple(
            s
            for s in self.sessions
            if s.title_words and len(words & s.title_words) >= min(2, len(s.title_words))
        )

    def count_words(self) -> str:
        n = len(self.sessions)
        return NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else str(n)


def _candidates(index: Index, naming: bool, marker: str) -> Iterable[tuple[int, Chunk]]:
    """``(row, chunk)`` of every passage that can name a webinar or be a front matter line,
    in row order: each one with a session, in the details section or, when webinars are
    named at all, with the ``marker`` in its text. An index read from disk finds them through
    its SQL indexes instead of reading every passage; one in memory yields them all."""
    chunks = index.chunks
    if not isinstance(chunks, ChunkTable):
        return enumerate(chunks)
    rows = set(chunks.rows_where("session IS NOT NULL"))
    rows.update(chunks.rows_where("section = ?", (DETAILS,)))
    if naming and marker == "#":  # the chunks_marked index's own condition: SQLite uses it
        rows.update(chunks.rows_where("instr(text, '#') > 0"))
    elif naming:  # another marker, or none ("": every passage)
        rows.update(chunks.rows_where("instr(text, ?) > 0", (marker,)))
    return chunks.read(sorted(rows))


def passage_texts(index: Index) -> Iterator[str]:
    """Every passage's text in row order (from disk: the text column alone)."""
    chunks = index.chunks
    if isinstance(chunks, ChunkTable):
        yield from chunks.values("text")
    else:
        yield from (c.text for c in chunks)


def _title_words(title: str) -> frozenset[str]:
    return frozenset(tokenize([title])[0]) - _GENERIC


def _long_form(words: str, short: str) -> tuple[str, str]:
    """The words before "(PLW)" whose initials spell it, or "" when they do not."""
    tail = words.split()[-len(short) :]
    initials = "".join(w[0] for w in tail).upper()
    return (" ".join(tail), short) if len(tail) == len(short) and initials == short else ("", short)


_VOCABULARIES: weakref.WeakKeyDictionary[Index, Vocabulary] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()
