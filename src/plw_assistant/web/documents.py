"""A note as a page: its body as HTML with the cited passage marked, its front matter as a
line of details (author, date, webinar, kind).

Markdown notes go through ``note_markdown`` (raw HTML disabled); plain text (a .txt note, a
PDF's text) is escaped paragraph by paragraph, a PDF's pages each starting with their number,
and the passage, exact to the character, in ``<mark>``. The body is rendered once per
generation (``page_cache``) and the passage marked on top of it (``rendered.mark``); a note
beyond the rendering budget is shown as plain text with a notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from markupsafe import Markup

from ..domain import DETAILS, FRONT_MATTER, Chunk, Document
from .page_cache import rendered
from .rendered import mark

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
    notice: str | None = None  # why the note is shown as plain text, when it is Markdown
    plain: bool = False  # the body is paragraphs of text


def document_view(doc: Document, chunk: Chunk | None, folder: Path | None = None) -> DocumentView:
    """The note ``doc`` ready for the page, with ``chunk`` (a passage of it) marked; its
    rendered body kept in ``folder`` (the generation's pages), else only in memory."""
    body_start = _body_start(doc.text)
    span = (chunk.start, chunk.end) if chunk is not None else None
    cited_detail = chunk.text if chunk is not None and chunk.section == DETAILS else None
    if span is not None and (cited_detail is not None or span[0] < body_start):
        span = None
    r = rendered(doc, body_start, folder)
    body, marked = mark(r, doc.text, body_start, span)
    details = _details(doc, cited_detail)
    cited = marked or any(d.cited for d in details)
    return DocumentView(Markup(body), details, cited, r.notice, r.kind != "markdown")


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
