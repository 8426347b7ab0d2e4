"""A note's body rendered once, and its cited passage marked on top.

``prepare`` is the expensive part (a whole note as HTML); it is kept per generation
(``page_cache``) and remembers where each top-level block's source and HTML are. ``mark`` then
renders again only the blocks holding the passage and puts them in place of the kept ones, so
a view of a large note costs the blocks of its passage, not the note.

A note beyond the budget (nesting depth, headings, list items, size of the HTML) is not
formatted: its paragraphs are escaped text, with :data:`NOTICE` above them.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field

from markupsafe import escape

from ..text import trim
from .note_markdown import (
    FIRST_MARK,
    SENTINELS,
    Block,
    Env,
    Span,
    mark_fragment,
    moved,
    render_blocks,
    without_cuts,
)

NOTICE = "This note is too large to show formatted; it is shown as plain text."
MAX_HEADINGS = 5_000
MAX_LIST_ITEMS = 20_000
MAX_DEPTH = 12  # quotes inside quotes, lists inside lists
MAX_OUTPUT = 24_000_000  # characters of HTML
# Blocks of more characters than this are not rendered again to mark a passage exactly: the
# first block holding it is marked as a whole (class "cited").
MAX_FRAGMENT = 200_000

_HEADING = re.compile(r"^ {0,3}(?:#{1,6}(?:[ \t]|$)|(?:=+|-+)[ \t]*$)", re.M)
_ITEM = re.compile(r"^([ \t>]*)(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)", re.M)
_QUOTE = re.compile(r"^[ \t]*>[ \t>]*", re.M)
_BLANK_LINES = re.compile(r"\n[ \t]*(?:\r?\n[ \t]*)+")
_OPENING_TAG = re.compile(r"<\w+")
_CITED = ' class="cited" id="passage"'


@dataclass
class Rendered:
    kind: str  # "markdown"; "plain" (a .txt note, a PDF); "too-large" (Markdown as plain text)
    html: str
    blocks: list[Block]  # in the body's source (Markdown: without comments), in order
    cuts: list[Span] = field(default_factory=list)  # comments cut from a Markdown body
    env: Env = field(default_factory=dict)  # a Markdown note's references

    @property
    def notice(self) -> str | None:
        return NOTICE if self.kind == "too-large" else None

    def dumps(self) -> bytes:
        meta = {"kind": self.kind, "blocks": self.blocks, "cuts": self.cuts, "env": self.env}
        return json.dumps(meta).encode() + b"\n" + self.html.encode()

    @classmethod
    def loads(cls, data: bytes) -> Rendered:
        head, _, html = data.partition(b"\n")
        meta = json.loads(head)
        blocks = [(a, b, c, d) for a, b, c, d in meta["blocks"]]
        cuts = [(a, b) for a, b in meta["cuts"]]
        return cls(meta["kind"], html.decode(), blocks, cuts, meta["env"])


def prepare(
    text: str, markdown: bool, pages: tuple[int, ...], title: str, body_start: int
) -> Rendered:
    """The body of a note (``text`` from ``body_start``) as HTML, within the budget."""
    text = SENTINELS.sub("\ufffd", text)  # the note's own private-use characters, if any
    if not markdown:
        return _plain(text, body_start, pages, "plain")
    body = text[body_start:]
    if within_budget(body):
        html, blocks, cuts, env = render_blocks(body, title)
        if len(html) <= MAX_OUTPUT:
            return Rendered("markdown", html, blocks, cuts, env)
    return too_large(text, body_start)


def too_large(text: str, body_start: int) -> Rendered:
    """A Markdown note shown as plain text (beyond the budget, or its rendering failed)."""
    return _plain(SENTINELS.sub("\ufffd", text), body_start, (), "too-large")


def within_budget(body: str) -> bool:
    """Whether formatting ``body`` stays within the budget, counted before parsing it."""
    if len(_HEADING.findall(body)) > MAX_HEADINGS:
        return False
    depth = 0
    for items, m in enumerate(_ITEM.finditer(body), 1):
        prefix = m.group(1)
        depth = max(depth, prefix.count(">") + len(prefix.replace(">", "").expandtabs(4)) // 2)
        if items > MAX_LIST_ITEMS or depth > MAX_DEPTH:
            return False
    return all(m.group().count(">") <= MAX_DEPTH for m in _QUOTE.finditer(body))


def mark(r: Rendered, text: str, body_start: int, span: Span | None) -> tuple[str, bool]:
    """The kept HTML with ``span`` (of ``text``, the whole note) marked, and whether it is."""
    if span is not None:
        span = (max(span[0], body_start), min(span[1], len(text)))
    if span is None or span[1] <= span[0]:
        return r.html, False
    if r.kind != "markdown":
        return _mark_paragraphs(r, text, span)
    body = text[body_start:]
    source = without_cuts(body, r.cuts) if r.cuts else body
    s, e = moved(span[0] - body_start, r.cuts), moved(span[1] - body_start, r.cuts)
    first, last = _overlapping(r.blocks, s, e)
    if first > last:
        return r.html, False
    fs, fe, hs, he = r.blocks[first][0], r.blocks[last][1], r.blocks[first][2], r.blocks[last][3]
    if fe - fs > MAX_FRAGMENT:
        return _cite_block(r.html, hs), True
    fragment = SENTINELS.sub("\ufffd", source[fs:fe])
    html, found = mark_fragment(fragment, (max(s, fs) - fs, min(e, fe) - fs), r.env)
    return r.html[:hs] + html + r.html[he:], found


def _overlapping(blocks: list[Block], s: int, e: int) -> tuple[int, int]:
    """The first and last of ``blocks`` overlapping characters ``s``–``e`` (first > last:
    none)."""
    first = bisect.bisect_right(blocks, s, key=lambda b: b[1])
    last = bisect.bisect_left(blocks, e, key=lambda b: b[0]) - 1
    return first, last


def _cite_block(html: str, at: int) -> str:
    tag = _OPENING_TAG.match(html, at)
    if tag is None:
        return html
    return html[: tag.end()] + _CITED + html[tag.end() :]


# Plain text (a .txt note, a PDF, a note too large to format) ----------------------------------


def _plain(text: str, body_start: int, pages: tuple[int, ...], kind: str) -> Rendered:
    """Paragraphs of escaped text; a PDF's pages each start with their number."""
    starts = [max(p, body_start) for p in pages] or [body_start]
    out: list[str] = []
    blocks: list[Block] = []
    size = 0
    for n, start in enumerate(starts, 1):
        end = starts[n] if n < len(starts) else len(text)
        if pages:
            out.append(f'<p class="page-number" id="page-{n}"><span>p. {n}</span></p>')
            size += len(out[-1])
        for ps, pe in _paragraphs(text, start, end):
            out.append(f"<p>{escape(text[ps:pe])}</p>")
            blocks.append((ps, pe, size, size + len(out[-1])))
            size += len(out[-1])
    return Rendered(kind, "".join(out), blocks)


def _paragraphs(text: str, start: int, end: int) -> list[Span]:
    out, pos = [], start
    for gap in [*_BLANK_LINES.finditer(text, start, end), None]:
        s, e = trim(text, pos, gap.start() if gap else end, strip_marker=False)
        if e > s:
            out.append((s, e))
        pos = gap.end() if gap else end
    return out


def _mark_paragraphs(r: Rendered, text: str, span: Span) -> tuple[str, bool]:
    first, last = _overlapping(r.blocks, *span)
    out, pos = [], 0
    for n in range(first, last + 1):
        ps, pe, hs, he = r.blocks[n]
        ms, me = max(ps, span[0]), min(pe, span[1])
        tag = FIRST_MARK if n == first else "<mark>"
        paragraph = SENTINELS.sub("\ufffd", text[ps:pe])
        a, b = ms - ps, me - ps
        inner = (
            f"{escape(paragraph[:a])}{tag}{escape(paragraph[a:b])}</mark>{escape(paragraph[b:])}"
        )
        out += [r.html[pos:hs], f"<p>{inner}</p>"]
        pos = he
    out.append(r.html[pos:])
    return "".join(out), first <= last
