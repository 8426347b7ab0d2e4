"""Reading one note: decoding its bytes, its front matter or file properties, its title.

A note is data from anyone, so everything it says about itself is bounded: front matter is
read without YAML aliases and at most 64 KB long; its fields are bounded (see ``metadata``);
control and bidirectional characters become spaces, in the text and in every field.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from ..domain import FRONT_MATTER, Document
from ..errors import CorpusError
from ..text import clean_text
from .files import MARKDOWN_SUFFIXES, MAX_FILE_BYTES, TOO_LARGE
from .formats import CONVERTED, Converted
from .isolate import convert_isolated

MAX_FRONT_MATTER_CHARS = 64 * 1024
MAX_FIELD_CHARS = 500  # title, date, session, author, kind
MAX_LIST_ITEMS = 50  # tags, attendees
MAX_ITEM_CHARS = 100
ALIASES = "its front matter uses YAML aliases, which are not allowed"
_STRING_FIELDS = ("title", "date", "session", "author", "kind")
_LIST_FIELDS = ("tags", "attendees")


def parse_document(
    rel: str, data: bytes, convert: Callable[[str, bytes], Converted] | None = None
) -> Document:
    """Decode a note and read its front matter; raises ``CorpusError`` saying what is wrong.

    HTML, PDF and Word files go through ``convert`` (by default in a worker process of their
    own, with a time and memory limit: see ``isolate``)."""
    if len(data) > MAX_FILE_BYTES:
        raise CorpusError(TOO_LARGE)
    if not data.strip():
        raise CorpusError("it is empty")
    suffix = Path(rel).suffix.lower()
    converted = None
    if suffix in CONVERTED:
        converted = (convert or convert_isolated)(suffix, data)
        text, meta = clean_text(converted.text), metadata(converted.meta, strict=False)
        if not text.strip():
            raise CorpusError("it has no text to index")
    else:
        text = decode_text(data)
        if not text.strip():
            raise CorpusError("it is empty")
        meta = front_matter(text)
    stem = rel.rsplit(".", 1)[0]
    title = (
        meta["title"]
        or _first_h1(text)
        or Path(stem).name.replace("-", " ").replace("_", " ").strip().capitalize()
    )
    return Document(
        id=stem,
        path=rel,
        title=clean_text(title)[:MAX_FIELD_CHARS],
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        date=meta["date"],
        session=meta["session"],
        author=meta["author"],
        kind=meta["kind"],
        tags=meta["tags"],
        attendees=meta["attendees"],
        markdown=converted.markdown if converted else suffix in MARKDOWN_SUFFIXES,
        pages=converted.pages if converted else (),
        unit=converted.unit if converted else "",
        ocr=converted.ocr if converted else (),
        unread=converted.empty if converted else (),
    )


class NoAliasLoader(yaml.SafeLoader):
    """YAML's safe loader without aliases (``*name``): a few hundred bytes of nested aliases
    expand to gigabytes once the values are turned into text (a "billion laughs")."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            raise CorpusError(ALIASES)
        return super().compose_node(parent, index)


def front_matter(text: str) -> dict[str, Any]:
    """The fields of a note's front matter (``---`` lines at its top), see ``metadata``."""
    match = FRONT_MATTER.match(text)
    if not match:
        return metadata({}, strict=True)
    if len(match.group(2)) > MAX_FRONT_MATTER_CHARS:
        raise CorpusError(f"its front matter is longer than {MAX_FRONT_MATTER_CHARS // 1024} KB")
    try:
        loaded = yaml.load(match.group(2), Loader=NoAliasLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2} of the file)" if mark is not None else ""
        raise CorpusError(f"its front matter is not valid YAML{where}") from None
    except RecursionError:
        raise CorpusError("its front matter is nested too deeply") from None
    except (ValueError, OverflowError) as exc:  # e.g. a date like 2022-13-45
        why = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise CorpusError(f"its front matter has a value that is not valid ({why})") from None
    if loaded is not None and not isinstance(loaded, dict):
        raise CorpusError("its front matter must be 'key: value' lines")
    return metadata(loaded or {}, strict=True)


def metadata(raw: dict[Any, Any], strict: bool) -> dict[str, Any]:
    """The fields a ``Document`` keeps, as clean text: title, date, session, author and kind
    at most 500 characters; tags and attendees at most 50 items of 100 characters.

    Front matter (``strict``) is written by the note's author, who can fix it: a field over
    its bound fails the note, naming the field. File properties of HTML, PDF and Word files
    (a page's keywords, a title set by a tool) are rarely chosen or even seen by the author:
    they are cut to the bounds instead."""
    out: dict[str, Any] = {}
    for key in _STRING_FIELDS:
        value = _str(raw.get(key))
        if value is not None and len(value) > MAX_FIELD_CHARS:
            if strict:
                raise CorpusError(
                    f"its front matter field '{key}' is longer than {MAX_FIELD_CHARS} characters"
                )
            value = value[:MAX_FIELD_CHARS].rstrip()
        out[key] = value
    for key in _LIST_FIELDS:
        items = _list(raw.get(key))
        if strict and len(items) > MAX_LIST_ITEMS:
            raise CorpusError(
                f"its front matter field '{key}' has more than {MAX_LIST_ITEMS} items"
            )
        if strict and any(len(item) > MAX_ITEM_CHARS for item in items):
            raise CorpusError(
                f"its front matter field '{key}' has an item longer than "
                f"{MAX_ITEM_CHARS} characters"
            )
        out[key] = tuple(item[:MAX_ITEM_CHARS].rstrip() for item in items[:MAX_LIST_ITEMS])
    return out


def _list(value: Any) -> tuple[str, ...]:
    """A front matter list, or a comma-separated string, as a tuple of strings."""
    if isinstance(value, str):
        value = [v for v in re.split(r"\s*,\s*", value.strip()) if v]
    return tuple(clean_text(str(v)) for v in value) if isinstance(value, list | tuple) else ()


def decode_text(data: bytes) -> str:
    """Text of a note: UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252 when
    the bytes look like text. Control and bidi characters become spaces (``clean_text``: one
    character for one, so offsets do not move); binary data is refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            if b"\x00" in data:
                raise CorpusError(
                    f"it is not text (binary data; not UTF-8 at byte {exc.start})"
                ) from None
            text = data.decode("cp1252", errors="replace")
    return clean_text(text)


def _str(value: Any) -> str | None:
    return clean_text(str(value)).strip() or None if value is not None else None


def _first_h1(text: str) -> str | None:
    """The first ``# Heading``, without a closing ``#`` sequence. (Stripped in Python: the
    one-regex form backtracked for minutes on a heading followed by many spaces.)"""
    match = re.search(r"^# +(.+)$", text, re.M)
    return match.group(1).rstrip().rstrip("#").strip() or None if match else None
