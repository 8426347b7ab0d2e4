"""Loading notes from the corpus folder and cutting them into structure-aware chunks."""

from __future__ import annotations

import bisect
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt

from .errors import CorpusError
from .formats import CONVERTED, convert

CHUNKER_VERSION = 1
MARKDOWN_SUFFIXES = {".md", ".markdown"}
TEXT_SUFFIXES = {".txt"}
SUFFIXES = MARKDOWN_SUFFIXES | TEXT_SUFFIXES | CONVERTED
MAX_FILE_BYTES = 10 * 1024 * 1024
SECTION_SEP = " › "

_FRONT_MATTER = re.compile(
    r"\A(\ufeff?)---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S | re.M
)
_LIST_MARKER = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+", re.M)
_HEADING_NUMBER = re.compile(r"^\d+(?:\.\d+)*\s*[/.)]\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])")
_BLANK_LINES = re.compile(r"\n[ \t]*(?:\r?\n[ \t]*)+")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")


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
    pages: tuple[int, ...] = ()  # where each page starts in ``text`` (PDF)

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding ``offset``, for paged documents."""
        return bisect.bisect_right(self.pages, offset) if self.pages else None


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

    @property
    def plain(self) -> str:
        """The passage as one readable line, without Markdown markers."""
        return plain_text(self.text)

    @property
    def embedding_text(self) -> str:
        """What gets embedded: the document title and heading path give the passage context."""
        return f"{self.context}: {self.plain}"

    @property
    def context(self) -> str:
        """Document title and heading path, e.g. ``Title › Section › Subsection``."""
        return SECTION_SEP.join(p for p in (self.title, self.section) if p)


@dataclass(frozen=True)
class FileStatus:
    """What ``plw index`` did with one file: new, changed, unchanged, removed, skipped, failed."""

    path: str
    status: str
    reason: str = ""


@dataclass
class Corpus:
    documents: list[Document]
    files: list[FileStatus] = field(default_factory=list)
    fingerprint: str = ""

    @property
    def failed(self) -> list[FileStatus]:
        return [f for f in self.files if f.status == "failed"]


def plain_text(text: str) -> str:
    """Join a Markdown passage into one line: sub-items become a ``;``-separated list."""
    head: list[str] = []
    items: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if _LIST_MARKER.match(raw) and (head or items):
            items.append(_LIST_MARKER.sub("", raw).strip())
        elif items:
            items[-1] += " " + line
        else:
            head.append(line)
    out = " ".join(head)
    if items:
        out = f"{out.rstrip(':')}: {'; '.join(items)}" if out else "; ".join(items)
    out = _LINK.sub(r"\1", out)
    return out.replace("**", "").replace("__", "")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences (and list sub-items) of a passage, relative to ``text``."""
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        start, end = _trim(text, line.start(), line.end(), strip_marker=True)
        for cut in _SENTENCE_END.finditer(text, start, end):
            stop = cut.start() + len(cut.group(0).rstrip())
            if stop > start:
                spans.append((start, stop))
            start = cut.end()
        if end > start:
            spans.append((start, end))
    return spans


def chunker_settings(max_chars: int) -> dict[str, int]:
    """Everything that shapes the chunks; a change means every file must be chunked again."""
    return {"version": CHUNKER_VERSION, "max_chars": max_chars}


def load_corpus(
    corpus_dir: Path,
    max_chars: int = 1000,
    previous: dict[str, tuple[Document, list[Chunk]]] | None = None,
) -> tuple[Corpus, list[Chunk]]:
    """Read every note under ``corpus_dir``; bad files are reported, never fatal.

    ``previous`` maps file paths to the document and chunks of the last build: a file whose
    bytes did not change is taken from there, not parsed again.
    """
    if not corpus_dir.is_dir():
        raise CorpusError(
            f"Corpus folder {corpus_dir} does not exist. Create it or set PLW_CORPUS_DIR "
            "to the folder of your notes."
        )
    previous = previous or {}
    corpus = Corpus(documents=[])
    chunks: list[Chunk] = []
    digest = hashlib.sha256(json.dumps(chunker_settings(max_chars)).encode())
    for path in _note_files(corpus_dir):
        rel = path.relative_to(corpus_dir).as_posix()
        if path.suffix.lower() not in SUFFIXES:
            kind = path.suffix or "(no extension)"
            corpus.files.append(FileStatus(rel, "skipped", f"unsupported type {kind}"))
            continue
        try:
            data = path.read_bytes()
            sha = hashlib.sha256(data).hexdigest()
            digest.update(f"\0{rel}\0{sha}".encode())
            before = previous.get(rel)
            if before is not None and before[0].sha256 == sha:
                doc, doc_chunks, status = before[0], before[1], "unchanged"
            else:
                doc = parse_document(rel, data)
                doc_chunks = chunk_document(doc, max_chars)
                status = "changed" if before is not None else "new"
            if not doc_chunks:
                raise CorpusError("it has no text to index")
        except (CorpusError, OSError) as exc:
            corpus.files.append(FileStatus(rel, "failed", _reason(exc)))
            continue
        corpus.files.append(FileStatus(rel, status))
        corpus.documents.append(doc)
        chunks.extend(doc_chunks)
    present = {f.path for f in corpus.files}
    corpus.files += [FileStatus(p, "removed") for p in sorted(previous) if p not in present]
    corpus.fingerprint = digest.hexdigest()
    return corpus, chunks


def _reason(exc: Exception) -> str:
    return exc.strerror or str(exc) if isinstance(exc, OSError) else str(exc)


def _note_files(corpus_dir: Path) -> Iterator[Path]:
    """Every file under the corpus folder but hidden ones and README.md (instructions)."""
    for path in sorted(corpus_dir.rglob("*")):
        rel_parts = path.relative_to(corpus_dir).parts
        if any(part.startswith(".") for part in rel_parts) or path.name.lower() == "readme.md":
            continue
        if path.is_file():
            yield path


def parse_document(rel: str, data: bytes) -> Document:
    """Decode a note and read its front matter; raises ``CorpusError`` saying what is wrong."""
    if len(data) > MAX_FILE_BYTES:
        raise CorpusError(f"it is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        raise CorpusError("it is empty")
    suffix = Path(rel).suffix.lower()
    meta: dict[str, Any] = {}
    converted = None
    if suffix in CONVERTED:
        converted = convert(suffix, data)
        text, meta = converted.text, dict(converted.meta)
        if not text.strip():
            raise CorpusError("it has no text to index")
    else:
        text = decode_text(data)
    if not text.strip():
        raise CorpusError("it is empty")
    match = _FRONT_MATTER.match(text) if converted is None else None
    if match:
        try:
            loaded = yaml.safe_load(match.group(2))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 2} of the file)" if mark is not None else ""
            raise CorpusError(f"its front matter is not valid YAML{where}") from None
        if loaded is not None and not isinstance(loaded, dict):
            raise CorpusError("its front matter must be 'key: value' lines")
        meta = loaded or {}
    stem = rel.rsplit(".", 1)[0]
    title = (
        _str(meta.get("title"))
        or _first_h1(text)
        or Path(stem).name.replace("-", " ").replace("_", " ").strip().capitalize()
    )
    return Document(
        id=stem,
        path=rel,
        title=title,
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        date=_str(meta.get("date")),
        session=_str(meta.get("session")),
        author=_str(meta.get("author")),
        kind=_str(meta.get("kind")),
        tags=_list(meta.get("tags")),
        attendees=_list(meta.get("attendees")),
        markdown=converted.markdown if converted else suffix in MARKDOWN_SUFFIXES,
        pages=converted.pages if converted else (),
    )


def _list(value: Any) -> tuple[str, ...]:
    """A front matter list, or a comma-separated string, as a tuple of strings."""
    if isinstance(value, str):
        value = [v for v in re.split(r"\s*,\s*", value.strip()) if v]
    return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_text(data: bytes) -> str:
    """Text of a note: UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252 when
    the bytes look like text. Control characters become spaces; binary data is refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            if b"\x00" in data:
                raise CorpusError(
                    f"it is not text (binary data; not UTF-8 at byte {exc.start})"
                ) from None
            text = data.decode("cp1252", errors="replace")
    return _CONTROL.sub(" ", text)


def _str(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


def _first_h1(text: str) -> str | None:
    match = re.search(r"^# +(.+?)\s*#*\s*$", text, re.M)
    return match.group(1).strip() if match else None


def _body_start(text: str) -> int:
    match = _FRONT_MATTER.match(text)
    return match.end() if match else (1 if text.startswith("\ufeff") else 0)


def chunk_document(doc: Document, max_chars: int = 1000) -> list[Chunk]:
    """Cut a document into passages that follow its structure (see corpus/README.md)."""
    start = _body_start(doc.text)
    if doc.markdown:
        spans = list(_markdown_blocks(doc.text, start))
    else:
        spans = [("", s, e) for s, e in _text_paragraphs(doc.text, start)]
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
                )
            )
    return chunks


def _markdown_blocks(text: str, body_start: int) -> Iterator[tuple[str, int, int]]:
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
        s, e = _trim(text, s, e, strip_marker=tok.type == "list_item_open")
        if e > s:
            yield SECTION_SEP.join(h for _, h in headings), s, e


def _clean_heading(heading: str) -> str:
    return _HEADING_NUMBER.sub("", heading.strip()).rstrip(":").strip()


def _trim(text: str, s: int, e: int, strip_marker: bool) -> tuple[int, int]:
    while e > s and text[e - 1].isspace():
        e -= 1
    if strip_marker:
        marker = _LIST_MARKER.match(text, s, e)
        if marker:
            s = marker.end()
    while s < e and text[s].isspace():
        s += 1
    return s, e


def _text_paragraphs(text: str, body_start: int) -> Iterator[tuple[int, int]]:
    pos = body_start
    for gap in [*_BLANK_LINES.finditer(text, body_start), None]:
        end = gap.start() if gap else len(text)
        s, e = _trim(text, pos, end, strip_marker=False)
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
            piece = _trim(text, ps, cut, strip_marker=False)
            if piece[1] > piece[0]:
                yield piece
            ps = _trim(text, cut, pe, strip_marker=False)[0]
        if pe > ps:
            yield ps, pe


def _split_sentences(text: str, s: int, e: int, max_chars: int) -> Iterator[tuple[int, int]]:
    """Split a span longer than ``max_chars`` between sentences (never inside one)."""
    if e - s <= max_chars:
        yield s, e
        return
    piece_start = s
    last_cut = None
    for match in _SENTENCE_END.finditer(text, s, e):
        cut = match.start() + len(match.group(0).rstrip())
        if cut - piece_start > max_chars and last_cut is not None:
            yield _trim(text, piece_start, last_cut[0], strip_marker=False)
            piece_start = last_cut[1]
        last_cut = (cut, match.end())
    if last_cut is not None and e - piece_start > max_chars and last_cut[1] > piece_start:
        yield _trim(text, piece_start, last_cut[0], strip_marker=False)
        piece_start = last_cut[1]
    yield _trim(text, piece_start, e, strip_marker=False)


UPLOADS = "uploads"


def save_note(corpus_dir: Path, filename: str, data: bytes) -> str:
    """Store an uploaded note under ``corpus/uploads/`` with a safe name and return its path
    relative to the corpus. Never overwrites another file: a new name gets ``-2``, ``-3``…"""
    base = Path(filename.replace("\\", "/")).name  # drop any folders, including ../
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    if suffix not in SUFFIXES:
        raise CorpusError(
            f"unsupported type {suffix or '(no extension)'}; upload " + ", ".join(sorted(SUFFIXES))
        )
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip(".-_")[:80] or "note"
    folder = corpus_dir / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    target, n = folder / f"{stem}{suffix}", 1
    while target.exists():
        if target.read_bytes() == data:
            return target.relative_to(corpus_dir).as_posix()  # the same note again
        n += 1
        target = folder / f"{stem}-{n}{suffix}"
    tmp = folder / f".{target.name}.part"
    tmp.write_bytes(data)
    tmp.replace(target)
    return target.relative_to(corpus_dir).as_posix()
