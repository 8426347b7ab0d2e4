"""A note as a page: its body as HTML with the cited passage marked, its front matter as a
line of details (author, date, webinar, kind).

Markdown notes go through ``note_markdown`` (raw HTML disabled); plain text (a .txt note, a
PDF's text) is escaped paragraph by paragraph, a PDF's pages each starting with their number,
and the passage, exact to the character, in ``<mark>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from markupsafe import Markup, escape

from ..domain import DETAILS, FRONT_MATTER, Chunk, Document
from ..text import trim
from .note_markdown import FIRST_MARK, SENTINELS, Span, render_markdown

_BLANK_LINES = re.compile(r"\n[ \t]*(?:\r?\n[ \t]*)+")
_DETAIL_FIELDS = {"author": "author", "date": "date", "published": "date"}


@dataclass(frozen=True)
class Detail:
    """One item of the line under the title: who wrote the note, when, which webinar."""

    key: str  # "author", "date", "session", "kind", or the key of a cited front matter line
    value: str
    cited: bool = False
    datetime: str | None = None  # for <time datetime=…> when the value is an ISO date


@dataclass(frozen=True)
class DocumentView:
    body: Markup
    details: list[Detail]
    marked: bool  # the cited passage is marked in the body (or in the details)


def document_view(doc: Document, chunk: Chunk | None) -> DocumentView:
    """The note ``doc`` ready for the page, with ``chunk`` (a passage of it) marked."""
    body_start = _body_start(doc.text)
    span = (chunk.start, chunk.end) if chunk is not None else None
    cited_detail = chunk.text if chunk is not None and chunk.section == DETAILS else None
    if span is not None and (cited_detail is not None or span[0] < body_start):
        span = None
    render = _render_cached if len(doc.text) <= _CACHE_MAX_CHARS else _render
    body, marked = render(doc.text, doc.markdown, doc.pages, doc.title, body_start, span)
    details = _details(doc, cited_detail)
    return DocumentView(Markup(body), details, marked or any(d.cited for d in details))


def _body_start(text: str) -> int:
    match = FRONT_MATTER.match(text)
    return match.end() if match else 0


def _details(doc: Document, cited: str | None) -> list[Detail]:
    key, _, rest = (cited or "").partition(":")
    cited_field = _DETAIL_FIELDS.get(key.strip().lower()) if cited else None
    out: list[Detail] = []
    if doc.author:
        out.append(Detail("author", doc.author, cited_field == "author"))
    if doc.date:
        out.append(Detail("date", _nice_date(doc.date), cited_field == "date", _iso(doc.date)))
    if doc.session:
        out.append(Detail("session", doc.session))
    if doc.kind:
        out.append(Detail("kind", doc.kind))
    if cited and not any(d.cited for d in out):  # e.g. "organiser: …", not shown otherwise
        out.append(Detail(key.strip().lower(), rest.strip(), True))
    return out


def _iso(value: str) -> str | None:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        return None


def _nice_date(value: str) -> str:
    iso = _iso(value)
    if iso is None:
        return value
    day = date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def _render(
    text: str,
    markdown: bool,
    pages: tuple[int, ...],
    title: str,
    body_start: int,
    span: Span | None,
) -> tuple[str, bool]:
    """The body as HTML and whether ``span`` is marked in it."""
    text = SENTINELS.sub("\ufffd", text)  # the note's own private-use characters, if any
    if span is not None:
        span = (max(span[0], body_start), min(span[1], len(text)))
        span = span if span[1] > span[0] else None
    if not markdown:
        return _render_plain(text, body_start, pages, span)
    return render_markdown(text[body_start:], title, _shift(span, -body_start))


# Notes do not change under an index: a page asked for again is not rendered again (only notes
# under a megabyte are kept, so the cache stays small).
_render_cached = lru_cache(maxsize=32)(_render)
_CACHE_MAX_CHARS = 1_000_000


def _shift(span: Span | None, by: int) -> Span | None:
    return (span[0] + by, span[1] + by) if span is not None else None


# Plain text (a .txt note, a PDF) --------------------------------------------------------------


def _render_plain(
    text: str, body_start: int, pages: tuple[int, ...], span: Span | None
) -> tuple[str, bool]:
    """Paragraphs of escaped text; a PDF's pages each start with their number."""
    starts = [max(p, body_start) for p in pages] or [body_start]
    out: list[str] = []
    marked = False
    for n, start in enumerate(starts, 1):
        end = starts[n] if n < len(starts) else len(text)
        if pages:
            out.append(f'<p class="page-number" id="page-{n}"><span>p. {n}</span></p>')
        for ps, pe in _paragraphs(text, start, end):
            html, now = _mark_plain(text, ps, pe, span, first=not marked)
            marked = marked or now
            out.append(f"<p>{html}</p>")
    return "".join(out), marked


def _paragraphs(text: str, start: int, end: int) -> list[Span]:
    out, pos = [], start
    for gap in [*_BLANK_LINES.finditer(text, start, end), None]:
        s, e = trim(text, pos, gap.start() if gap else end, strip_marker=False)
        if e > s:
            out.append((s, e))
        pos = gap.end() if gap else end
    return out


def _mark_plain(text: str, s: int, e: int, span: Span | None, first: bool) -> tuple[str, bool]:
    """Paragraph ``text[s:e]`` escaped, the part of it inside ``span`` in ``<mark>``."""
    if span is None or span[1] <= s or e <= span[0]:
        return str(escape(text[s:e])), False
    ms, me = max(s, span[0]), min(e, span[1])
    tag = FIRST_MARK if first else "<mark>"
    return (
        f"{escape(text[s:ms])}{tag}{escape(text[ms:me])}</mark>{escape(text[me:e])}",
        True,
    )
