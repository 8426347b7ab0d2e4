"""A Markdown note as safe HTML, with one passage (a span of its text) marked.

markdown-it renders with raw HTML disabled: ``<script>`` in a note shows as text and a
``javascript:`` link stays text. HTML comments are dropped (outside code), the note's own
``# Title`` too (the page shows it), and other level-1 headings become level 2.

The passage is marked exactly: two private-use characters go into the source at its start and
end, and the text between them in the rendered HTML is wrapped in ``<mark>``, one per run of
text so the tags nest (the first is ``<mark id="passage">``). When the characters would change
how the note parses (a passage that is a fenced block, a table or a quote), the blocks holding
the passage get ``class="cited"`` and the first ``id="passage"`` instead.

The whole note is rendered once (``render_blocks``, which says where each top-level block's
source and HTML are); a passage is then marked in the blocks holding it alone
(``mark_fragment``), with the note's references, and those blocks put in place.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

_OPEN, _CLOSE = "\ue000", "\ue001"
SENTINELS = re.compile(f"[{_OPEN}{_CLOSE}]")  # the note's own, if any, are replaced first
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TAG_SPLIT = re.compile(r"(<[^>]*>)")
_NEWLINE = re.compile(r"\r\n?|\n")
FIRST_MARK = '<mark id="passage">'
Span = tuple[int, int]
Block = tuple[int, int, int, int]  # source start, end; HTML start, end
Env = dict[str, Any]


def parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def render_blocks(body: str, title: str) -> tuple[str, list[Block], list[Span], Env]:
    """``body`` (a note without its front matter) as HTML, with where each top-level block's
    source and HTML are (``Block``), the comments cut from the source (spans of ``body``) and
    the references (``[label]: url``) a block may use."""
    md = parser()
    body, cuts = _without_comments(md, body)
    env: Env = {}
    tokens = _tidy_headings(md.parse(body, env), title)
    lines = [0] + [m.end() for m in _NEWLINE.finditer(body)] + [len(body)]
    out: list[str] = []
    blocks: list[Block] = []
    size, i = 0, 0
    while i < len(tokens):
        j, depth = i, int(tokens[i].nesting)
        while depth > 0:
            j += 1
            depth += tokens[j].nesting
        html = md.renderer.render(tokens[i : j + 1], md.options, env)
        line_map, last = tokens[i].map, len(lines) - 1
        prev = blocks[-1][1] if blocks else 0
        src = (
            (lines[min(line_map[0], last)], lines[min(line_map[1], last)])
            if line_map
            else (prev, prev)
        )
        blocks.append((src[0], src[1], size, size + len(html)))
        out.append(html)
        size += len(html)
        i = j + 1
    return "".join(out), blocks, cuts, {"references": env.get("references", {})}


def without_cuts(body: str, cuts: list[Span]) -> str:
    out, pos = [], 0
    for s, e in cuts:
        out.append(body[pos:s])
        pos = e
    out.append(body[pos:])
    return "".join(out)


def moved(p: int, cuts: list[Span]) -> int:
    """Where offset ``p`` of a body is once ``cuts`` are taken out of it."""
    return p - sum(min(e, p) - s for s, e in cuts if s < p)


def mark_fragment(source: str, span: Span, env: Env) -> tuple[str, bool]:
    """``source`` (whole top-level blocks of a note, comments already cut) as HTML with
    ``span`` of it marked; ``env`` holds the note's references."""
    md = parser()
    tokens = md.parse(source, copy.deepcopy(env))
    s, e = span
    with_marks = md.parse(
        source[:s] + _OPEN + source[s:e] + _CLOSE + source[e:], copy.deepcopy(env)
    )
    if _shape(with_marks) == _shape(tokens):
        html = md.renderer.render(_tidy_headings(with_marks, None), md.options, env)
        marked = _mark_between(html)
        if marked is not None:
            return marked, True
    tokens = _tidy_headings(tokens, None)
    found = _mark_blocks(tokens, _line_span(source, span))
    return md.renderer.render(tokens, md.options, env), found


def _without_comments(md: MarkdownIt, body: str) -> tuple[str, list[Span]]:
    """``body`` without its HTML comments (a comment alone on its lines takes them along),
    except in code, where it is what the note shows; and the spans cut."""
    if "<!--" not in body:
        return body, []
    lines = [0] + [m.end() for m in _NEWLINE.finditer(body)]
    code = [
        (lines[t.map[0]], lines[min(t.map[1], len(lines) - 1)])
        for t in md.parse(body)
        if t.type in {"fence", "code_block"} and t.map
    ]
    cuts: list[Span] = []
    for m in _COMMENT.finditer(body):
        line_start = body.rfind("\n", 0, m.start()) + 1
        if any(s <= m.start() < e for s, e in code) or body.count("`", line_start, m.start()) % 2:
            continue  # in a code block or a `code span`
        line_end = body.find("\n", m.end())
        line_end = len(body) if line_end < 0 else line_end + 1
        alone = not body[line_start : m.start()].strip() and not body[m.end() : line_end].strip()
        cuts.append((line_start, line_end) if alone else (m.start(), m.end()))
    return without_cuts(body, cuts), cuts


def _shape(tokens: list[Token]) -> list[tuple[str, int, int]]:
    shape: list[tuple[str, int, int]] = [(t.type, t.nesting, t.level) for t in tokens]
    for t in tokens:
        shape += [(c.type, c.nesting, c.level) for c in t.children or []]
    return shape


def _tidy_headings(tokens: list[Token], title: str | None) -> list[Token]:
    """Without the note's first ``# Title`` (the page shows it); other level-1 headings one
    level down, so the page has a single ``<h1>``."""
    first = next((i for i, t in enumerate(tokens) if t.level == 0), None)
    if (
        title is not None
        and first is not None
        and tokens[first].tag == "h1"
        and tokens[first].type == "heading_open"
    ):
        heading = SENTINELS.sub("", tokens[first + 1].content).strip()
        if heading.rstrip("#").strip() == title.strip():
            tokens = tokens[:first] + tokens[first + 3 :]
    for t in tokens:
        if t.type in {"heading_open", "heading_close"} and t.tag == "h1":
            t.tag = "h2"
    return tokens


def _mark_between(html: str) -> str | None:
    """``html`` with the text between the two marks wrapped in ``<mark>`` run by run, the
    first one ``id="passage"``; ``None`` if a mark went missing or into a tag."""
    a, b = html.find(_OPEN), html.find(_CLOSE)
    if a < 0 or b < a or html.count(_OPEN) != 1 or html.count(_CLOSE) != 1:
        return None
    if _in_tag(html, a) or _in_tag(html, b):
        return None
    pieces, first = [], True
    for piece in _TAG_SPLIT.split(html[a + 1 : b]):
        if piece.startswith("<") or not piece.strip():
            pieces.append(piece)
        else:
            pieces.append((FIRST_MARK if first else "<mark>") + f"{piece}</mark>")
            first = False
    return html[:a] + "".join(pieces) + html[b + 1 :]


def _in_tag(html: str, i: int) -> bool:
    return html.rfind("<", 0, i) > html.rfind(">", 0, i)


def _mark_blocks(tokens: list[Token], lines: Span) -> bool:
    """Give the blocks holding ``lines`` ``class="cited"``, the first ``id="passage"``: the
    outermost blocks inside those lines, else the innermost ones overlapping them."""
    stack: list[int] = []  # ids of the open blocks around a token
    inside: list[Token] = []
    overlapping: list[Token] = []
    for t in tokens:
        if t.nesting == -1:
            stack.pop()
            continue
        if t.map and t.type != "inline" and not t.hidden and _overlaps(t.map, lines):
            if lines[0] <= t.map[0] and t.map[1] <= lines[1]:
                if not {id(x) for x in inside} & set(stack):
                    inside.append(t)
            else:
                overlapping.append(t)
        if t.nesting == 1:
            stack.append(id(t))
    if not inside and overlapping:
        deepest = max(t.level for t in overlapping)
        inside = [t for t in overlapping if t.level == deepest]
    for n, t in enumerate(inside):
        t.attrSet("class", "cited")
        if n == 0:
            t.attrSet("id", "passage")
    return bool(inside)


def _line_span(body: str, span: Span) -> Span:
    """The lines (first, past-last) that characters ``span`` of ``body`` are on."""
    first = len(_NEWLINE.findall(body, 0, span[0]))
    return first, first + len(_NEWLINE.findall(body, span[0], span[1])) + 1


def _overlaps(block: list[int], lines: Span) -> bool:
    return block[0] < lines[1] and lines[0] < block[1]
