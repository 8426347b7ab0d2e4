"""Reading one note: decoding its bytes, its front matter or file properties, its title."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import yaml

from ..domain import Document
from ..errors import CorpusError
from .formats import CONVERTED, convert

MARKDOWN_SUFFIXES = {".md", ".markdown"}
TEXT_SUFFIXES = {".txt"}
SUFFIXES = MARKDOWN_SUFFIXES | TEXT_SUFFIXES | CONVERTED
MAX_FILE_BYTES = 10 * 1024 * 1024

FRONT_MATTER = re.compile(
    r"\A(\ufeff?)---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S | re.M
)


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
    match = FRONT_MATTER.match(text) if converted is None else None
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
