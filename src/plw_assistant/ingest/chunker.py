"""Cutting a document into structure-aware passages (see corpus/README.md)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from ..domain import DETAILS, FRONT_MATTER, Chunk, Document
from ..text import SECTION_SEP, SENTENCE_END, trim
from .ocr import ocr_langs

# 3: text and fields cleaned of control and bidi characters, fields bounded (ingest.parse)
CHUNKER_VERSION = 3
# Front matter fields people ask about ("who wrote it?", "when was it published?"): each such
# line becomes a passage of its own (section DETAILS), quoted and cited like any other.
_DETAIL_KEYS = ("author", "date", "published", "organiser", "organizer", "contact", "attendees")
_DETAIL_LINE = re.compile(rf"^(?:{'|'.join(_DETAIL_KEYS)})[ \t]*:[ \t]*\S.*$", re.M | re.I)
_HEADING_NUMBER = re.compile(r"^\d+(?:\.\d+)*\s*[/.)]\s*")
_BLANK_LINES = re.compile(r"\n[ \t]*(?:\r?\n[ \t]*)+")


def chunker_settings(max_chars: int) -> dict[str, int | str]:
    """Everything that shapes the chunks, the OCR languages too; a change means every file
    must be read and chunked again."""
    return {"version": CHUNKER_VERSION, "max_chars": max_chars, "ocr_langs": ocr_langs()}


def _body_start(text: str) -> int:
    match = FRONT_MATTER.match(text)
    return match.end() if match else (1 if text.startswith("\ufeff") else 0)


def _details(text: str) -> list[tuple[str, int, int]]:
    """The front matter lines worth a passage (author, date, …), as exact spans of ``text``."""
    match = FRONT_MATTER.match(text)
    if not match:
        return []
    return [
        (DETAILS, *trim(text, m.start(), m.end(), strip_marker=False))
        for m in _DETAIL_LINE.finditer(text, match.start(2), match.end(2))
    ]


def chunk_document(doc: Document, max_chars: int = 1000) -> list[Chunk]:
    """Cut a document into passages that follow its structure (see corpus/README.md)."""
    start = _body_start(doc.text)
    if doc.markdown:
        spans = list(_markdown_blocks(doc.text, start))
    else:
        spans = [("", s, e) for s, e in _text_paragraphs(doc.text, start)]
    spans = _details(doc.text) + spans
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for section, s, e in spans:
        for ps, pe in _split_long(doc.text, s, e, max_chars):
            text = doc.text[ps:pe]
            key = hashlib.sha1(f"{section}\0{text}".encode()).hexdigest()[:12]
            seen[key] = seen.get(key, 0) + 1
            suffix = f"-{seen[key]}" if seen[key] > 1 else ""
            chunks.append(
                Chunk(
                    id=f"{doc.id}#{key}{suffix}",
                    document=doc.id,
                    title=doc.title,
                    section=section,
                    text=text,
                    start=ps,
                    end=pe,
                    session=doc.session,
                    date=doc.date,
                    tags=doc.tags,
                    page=doc.page_at(ps),
                    unit=doc.unit,
                    ocr=doc.ocr_at(doc.page_at(ps)),
                )
            )
    return chunks


def _markdown_blocks(text: str, body_start: int) -> Iterator[tuple[str, int, int]]:
    # Imported here: `plw index` with nothing changed reads chunker_settings, never Markdown.
    from markdown_it import MarkdownIt

    body = text[body_start:]
    line_starts = [0]
    for line in body.splitlines(keepends=True):
        line_starts.append(line_starts[-1] + len(line))
    tokens = MarkdownIt("commonmark").enable("table").parse(body)
    headings: list[tuple[int, str]] = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.level == 0:
            level = int(tok.tag[1:])
            if level > 1:
                while headings and headings[-1][0] >= level:
                    headings.pop()
                headings.append((level, _clean_heading(tokens[i + 1].content)))
            continue
        top_block = tok.level == 0 and tok.type in {
            "paragraph_open",
            "fence",
            "code_block",
            "blockquote_open",
            "table_open",
        }
        if not (top_block or (tok.type == "list_item_open" and tok.level == 1)) or not tok.map:
            continue
        first, last = tok.map
        s = body_start + line_starts[first]
        e = body_start + line_starts[min(last, len(line_starts) - 1)]
        s, e = trim(text, s, e, strip_marker=tok.type == "list_item_open")
        if e > s:
            yield SECTION_SEP.join(h for _, h in headings), s, e


def _clean_heading(heading: str) -> str:
    return _HEADING_NUMBER.sub("", heading.strip()).rstrip(":").strip()


def _text_paragraphs(text: str, body_start: int) -> Iterator[tuple[int, int]]:
    pos = body_start
    for gap in [*_BLANK_LINES.finditer(text, body_start), None]:
        end = gap.start() if gap else len(text)
        s, e = trim(text, pos, end, strip_marker=False)
        if e > s:
            yield s, e
        if gap:
            pos = gap.end()


def _split_long(text: str, s: int, e: int, max_chars: int) -> Iterator[tuple[int, int]]:
    """Split a long span between sentences; a "sentence" over twice ``max_chars`` (a very
    long line without full stops) is cut between words, or hard when it has no spaces."""
    for ps, pe in _split_sentences(text, s, e, max_chars):
        while pe - ps > 2 * max_chars:
            cut = text.rfind(" ", ps + max_chars // 2, ps + max_chars)
            cut = cut if cut > ps else ps + max_chars
            piece = trim(text, ps, cut, strip_marker=False)
            if piece[1] > piece[0]:
                yield piece
            ps = trim(text, cut, pe, strip_marker=False)[0]
        if pe > ps:
            yield ps, pe


def _split_sentences(text: str, s: int, e: int, max_chars: int) -> Iterator[tuple[int, int]]:
    """Split a span longer than ``max_chars`` between sentences (never inside one)."""
    if e - s <= max_chars:
        yield s, e
        return
    piece_start = s
    last_cut = None
    for match in SENTENCE_END.finditer(text, s, e):
        cut = match.start() + len(match.group(0).rstrip())
        if cut - piece_start > max_chars and last_cut is not None:
            yield trim(text, piece_start, last_cut[0], strip_marker=False)
            piece_start = last_cut[1]
        last_cut = (cut, match.end())
    if last_cut is not None and e - piece_start > max_chars and last_cut[1] > piece_start:
        yield trim(text, piece_start, last_cut[0], strip_marker=False)
        piece_start = last_cut[1]
    yield trim(text, piece_start, e, strip_marker=False)
