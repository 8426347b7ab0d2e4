"""The nouns every layer shares: notes and passages, a question, what retrieval found, an answer."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace
from typing import Literal

from .errors import QuestionError
from .text import SECTION_SEP, clean_text, plain_text

# How a question is searched (a setting's default, or the request's own choice).
Mode = Literal["hybrid", "dense", "bm25"]
MODES: tuple[Mode, ...] = ("hybrid", "dense", "bm25")
MAX_QUESTION_CHARS = 2000
EMPTY = "The question is empty. Type a question about the lessons."
TOO_LONG = f"The question is too long. Keep it under {MAX_QUESTION_CHARS:,} characters."
MARKER = re.compile(r"\[(\d{1,3})\]")
# The section of the passages made from front matter lines people ask about ("who wrote
# it?", "when was it published?"), quoted and cited like any other passage.
DETAILS = "Document details"
# A note's YAML front matter, between "---" lines at its very start.
FRONT_MATTER = re.compile(
    r"\A(\ufeff?)---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S | re.M
)


@dataclass(frozen=True)
class Document:
    """One note file; spans of its chunks index into ``text`` (the whole file)."""

    id: str
    path: str
    title: str
    text: str
    sha256: str
    date: str | None = None
    session: str | None = None
    author: str | None = None
    kind: str | None = None
    tags: tuple[str, ...] = ()
    attendees: tuple[str, ...] = ()
    markdown: bool = True  # chunked by its Markdown structure, else by paragraphs
    pages: tuple[int, ...] = ()  # where each page (a PDF's) or slide (a deck's) starts in ``text``
    unit: str = ""  # what a page is called in a citation: "" a page ("p. 3"), "slide"
    # Per page, the mean OCR confidence (0-100) of a page read from a scan; -1: a text layer.
    ocr: tuple[float, ...] = ()
    unread: tuple[int, ...] = ()  # pages without a text layer where OCR found nothing

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding ``offset``, for paged documents."""
        return bisect.bisect_right(self.pages, offset) if self.pages else None

    def ocr_at(self, page: int | None) -> float | None:
        """The OCR confidence of ``page`` (1-based; an image, without pages, is one), ``None``
        unless it was read from a scan."""
        page = 1 if page is None and not self.pages else page
        if page is None or not 0 < page <= len(self.ocr) or self.ocr[page - 1] < 0:
            return None
        return self.ocr[page - 1]


# Below this mean OCR confidence (0-100) a passage read from a scan never leads an answer.
LOW_OCR = 60.0


def place(page: int | None, unit: str = "", ocr: float | None = None) -> str:
    """Where a passage is in its source, as a citation says it: "p. 3", "slide 4",
    "p. 1, read from a scan (confidence 91%)"; "" for a note without pages."""
    where = (f"{unit} {page}" if unit else f"p. {page}") if page else ""
    if ocr is not None:
        where += (", " if where else "") + f"read from a scan (confidence {ocr:.0f}%)"
    return where


@dataclass(frozen=True)
class Chunk:
    """One citable passage: ``text`` is exactly ``document.text[start:end]``."""

    id: str
    document: str
    title: str
    section: str
    text: str
    start: int
    end: int
    session: str | None = None
    date: str | None = None
    tags: tuple[str, ...] = ()
    page: int | None = None
    unit: str = ""  # "" a page, "slide" (see ``Document.unit``)
    ocr: float | None = None  # OCR confidence (0-100) when read from a scan

    @property
    def place(self) -> str:
        return place(self.page, self.unit, self.ocr)

    @property
    def plain(self) -> str:
        """The passage as one readable line, without Markdown markers."""
        return plain_text(self.text)

    @property
    def lead_in(self) -> bool:
        """A sentence introducing a list ("… can be extracted:"): not a lesson itself."""
        return self.text.rstrip().endswith(":")

    @property
    def embedding_text(self) -> str:
        """What gets embedded: the document title and heading path give the passage context."""
        return f"{self.context}: {self.plain}"

    @property
    def context(self) -> str:
        """Document title and heading path, e.g. ``Title › Section › Subsection``."""
        return SECTION_SEP.join(p for p in (self.title, self.section) if p)


@dataclass(frozen=True)
class Term:
    """One glossary entry: a term and the words that mean the same (an abbreviation and its
    expansion, or synonyms); in a question, any of its forms stands for all of them."""

    term: str
    means: tuple[str, ...]

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.term, *self.means)


@dataclass(frozen=True)
class Glossary:
    """The notes' abbreviations and synonyms, kept beside the notes (``corpus/glossary.yaml``)."""

    terms: tuple[Term, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.terms)


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to one webinar (``session``), one ``document`` or one ``tag``."""

    session: str | None = None
    document: str | None = None
    tag: str | None = None

    @classmethod
    def of(cls, session: str | None, document: str | None, tag: str | None) -> Filters:
        """Filters from a form or query string, where an empty value means no filter."""
        return cls(session or None, document or None, tag or None)

    @property
    def empty(self) -> bool:
        return not (self.session or self.document or self.tag)


@dataclass(frozen=True)
class Turn:
    """One earlier exchange, as the page or the CLI sends it back."""

    question: str
    answer: str = ""
    cited: tuple[str, ...] = field(default_factory=tuple)  # chunk ids quoted in the answer


def clean_question(text: str) -> str:
    """The question without unsafe characters (lone surrogates, controls, bidi marks) and
    surrounding space; ``QuestionError`` if empty or too long."""
    text = clean_text(text).strip()
    if not text:
        raise QuestionError(EMPTY)
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(TOO_LONG)
    return text


@dataclass(frozen=True)
class Question:
    """One request, built once at the edge (web or CLI) and passed down whole.

    ``k`` and ``mode`` left ``None`` take the configured defaults (``Assistant`` fills them)."""

    text: str
    k: int | None = None
    mode: Mode | None = None
    history: tuple[Turn, ...] = ()
    filters: Filters = field(default_factory=Filters)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", clean_question(self.text))
        history = tuple(
            Turn(clean_text(t.question), clean_text(t.answer), t.cited) for t in self.history
        )
        object.__setattr__(self, "history", history)

    def with_defaults(self, k: int, mode: Mode) -> Question:
        return replace(self, k=self.k or k, mode=self.mode or mode)


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float
    row: int  # position in the index, for the chunk's stored vectors
    dense: float | None = None  # its similarity to the question (None: not computed)
    keyword: float | None = None  # its BM25 score for the question (None: not computed)


@dataclass(frozen=True)
class Citation:
    n: int
    chunk_id: str
    document: str
    title: str
    section: str
    text: str
    score: float
    highlights: list[tuple[int, int]] = field(default_factory=list)  # spans within ``text``
    page: int | None = None  # page of a paged source (PDF)
    session: str | None = None
    date: str | None = None
    cited: bool = False  # the answer quotes it (else it is a related passage)
    similarity: float | None = None  # its meaning's similarity to the question (cosine)
    match: str | None = None  # "close", "related" or "loose": the similarity, in words
    unit: str = ""  # "" a page, "slide" (see ``Document.unit``)
    ocr: float | None = None  # OCR confidence (0-100) when read from a scan

    @property
    def place(self) -> str:
        """ "p. 3", "slide 4", "read from a scan (confidence 91%)": see ``place``."""
        return place(self.page, self.unit, self.ocr)

    @classmethod
    def of(
        cls, n: int, hit: Hit, highlights: list[tuple[int, int]], cited: bool = False
    ) -> Citation:
        """Citation ``n`` of a retrieved passage, with the spans the answer quotes."""
        c = hit.chunk
        return cls(
            n,
            c.id,
            c.document,
            c.title,
            c.section,
            c.text,
            round(hit.score, 4),
            highlights,
            c.page,
            c.session,
            c.date,
            cited,
            None if hit.dense is None else round(hit.dense, 4),
            unit=c.unit,
            ocr=c.ocr,
        )


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    citations: list[Citation]
    abstained: bool = False
    generated: bool = False  # written by the LLM (then checked), not quoted
    flagged: list[str] = field(default_factory=list)  # generated sentences no passage supports
    notice: str = ""  # one line about how the answer was made, e.g. the LLM fallback
    language: str | None = None  # set when declined because the question is in this language
    confidence: str | None = None  # "strong", "good" or "partial": how well the lead matches
    missing: str = ""  # "The notes do not give …": the fact asked for that no passage states
    more: str = ""  # "The notes list 3 more lessons under …": those are ``offered``
    offered: list[Citation] = field(default_factory=list)  # the rest of the lead's list
    searched: str = ""  # the question as searched, when typos were corrected
    resolved: str = ""  # a follow-up as a question of its own ("What else was said in PLW#1?")
    outside: bool = False  # refused as clearly outside the notes: no passage is near it
    elsewhere: Citation | None = None  # filters left out what answers: the best passage then

    def to_markdown(self) -> str:
        """The answer with its citations as footnotes (quote, document, section)."""
        if self.abstained:
            return f"**{self.question}**\n\n{self.answer}\n"
        body = MARKER.sub(lambda m: f"[^{m.group(1)}]", self.answer)
        used = {int(n) for n in MARKER.findall(self.answer)}
        notes = []
        for c in self.citations:
            if c.n not in used:
                continue
            quote = " … ".join(c.text[s:e] for s, e in c.highlights) or c.text
            where = f"{c.title}, {c.section}" if c.section else c.title
            where += f", {c.place}" if c.place else ""
            notes.append(f"[^{c.n}]: “{' '.join(quote.split())}” — {where}")
        return f"**{self.question}**\n\n{body}\n\n" + "\n".join(notes) + "\n"
