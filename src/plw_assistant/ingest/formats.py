"""Reading notes saved as HTML, PDF or Word into text the chunker understands (slide decks,
e-mails and images: ``slides``, ``mail`` and ``ocr``, dispatched from here).

HTML and Word keep their structure as Markdown (``#`` headings, ``-`` list items); PDF text is
plain, with the offset where each page starts so that a citation can give its page.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import CorpusError

CONVERTED = {".html", ".htm", ".pdf", ".docx", ".pptx", ".eml", ".png", ".jpg", ".jpeg"}
MAX_TEXT_CHARS = 10 * 1024 * 1024
MAX_HTML_DEPTH = 256  # html.parser and the walk below slow down with the square of the depth
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024  # a Word file's parts, uncompressed, all together
MAX_ZIP_RATIO = 100  # uncompressed size / file size, checked from 1 MB uncompressed on
MAX_ZIP_ENTRIES = 10_000
TOO_MUCH_MEMORY = "reading it needs more memory than allowed"
NO_PDF_TEXT = "its PDF has no text: no text layer, and OCR found none in its pages"
_KINDS = {".html": "web page", ".htm": "web page", ".pdf": "PDF", ".docx": "Word file"}
_KINDS |= {".pptx": "slide deck", ".eml": "e-mail", ".png": "image", ".jpg": "image"}
_KINDS |= {".jpeg": "image"}


@dataclass
class Converted:
    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    markdown: bool = True
    pages: tuple[int, ...] = ()  # offset in ``text`` where each page (slide) starts
    unit: str = ""  # what a page is called: "" a page, "slide"
    ocr: tuple[float, ...] = ()  # per page, its OCR confidence (-1: a text layer)
    empty: tuple[int, ...] = ()  # pages without a text layer where OCR found nothing


def convert(suffix: str, data: bytes) -> Converted:
    """Text and metadata of an HTML, PDF or DOCX file; ``CorpusError`` says what is wrong.

    Any exception of a parser becomes a ``CorpusError`` naming its class. Meant to run in a
    worker process with a time and memory limit (see ``isolate``)."""
    readers: dict[str, Callable[[bytes], Converted]] = {
        ".html": _html,
        ".htm": _html,
        ".pdf": _pdf,
        ".docx": _docx,
        ".pptx": _pptx,
        ".eml": _eml,
        ".png": _image,
        ".jpg": _image,
        ".jpeg": _image,
    }
    if suffix not in readers:
        raise CorpusError(f"unsupported type {suffix}")
    try:
        converted = readers[suffix](data)
    except CorpusError:
        raise
    except MemoryError:
        raise CorpusError(TOO_MUCH_MEMORY) from None
    except RecursionError:
        raise CorpusError(f"its {_KINDS[suffix]} structure is nested too deeply") from None
    except Exception as exc:  # a parser's own error: this file is unreadable, not the build
        raise CorpusError(f"it is not a readable {_KINDS[suffix]} ({type(exc).__name__})") from None
    if len(converted.text) > MAX_TEXT_CHARS:
        raise CorpusError(
            f"its text is longer than {MAX_TEXT_CHARS // (1024 * 1024)} million characters"
        )
    return converted


_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCKS = {"p", "div", "section", "article", "blockquote", "pre", "td", "th", "dd", "dt"}


def _html(data: bytes) -> Converted:
    from bs4 import BeautifulSoup

    if html_depth(data) > MAX_HTML_DEPTH:
        raise CorpusError(f"its HTML is nested too deeply (more than {MAX_HTML_DEPTH} levels)")
    soup = BeautifulSoup(data, "html.parser")  # decodes using the page's declared charset
    for tag in soup(["script", "style", "noscript", "template", "svg", "iframe", "nav", "footer"]):
        tag.decompose()
    meta: dict[str, Any] = {}
    if soup.title and soup.title.get_text(strip=True):
        meta["title"] = soup.title.get_text(" ", strip=True)
    for m in soup.find_all("meta"):
        name = str(m.get("name") or m.get("property") or "").lower()
        content = str(m.get("content") or "").strip()
        if not content:
            continue
        if name in {"author", "date", "session", "attendees"}:
            meta[name] = content
        elif name in {"keywords", "tags"}:
            meta["tags"] = [t.strip() for t in content.split(",") if t.strip()]
        elif name in {"og:title", "dc.title"} and "title" not in meta:
            meta["title"] = content
    lines: list[str] = []
    body = soup.body or soup
    for el in body.find_all(True):
        text = " ".join(el.get_text(" ", strip=True).split())
        if not text or el.find_parent("li") is not None:
            continue  # a list item's text includes everything inside it
        if el.name in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            lines += ["", "#" * int(el.name[1]) + " " + text, ""]
        elif el.name == "li":
            lines.append("- " + text)
        elif el.name in _BLOCKS and el.find(list(_BLOCKS | _HEADINGS | {"ul", "ol"})) is None:
            lines += ["", text, ""]  # only innermost blocks, so no text is taken twice
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
    return Converted(text, meta)


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
_VOID |= {"source", "track", "wbr", "basefont", "frame", "keygen"}
_TAG = re.compile(
    rb"<!--(?:.*?-->|.*)"  # a comment (to the end if it is never closed)
    rb"|<(script|style)\b(?:.*?</\1\s*>|.*)"  # raw text, not tags
    rb"|<(/?)([A-Za-z][^\s/<>]*)[^<>]*?(/?)>",
    re.S | re.I,
)


def html_depth(data: bytes) -> int:
    """How deep the tags of an HTML page nest, the way html.parser builds the tree (an end
    tag closes everything opened after its start tag; nothing else closes implicitly), in
    one linear scan: enough to refuse a hostile page before parsing it."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: scan it as UTF-8
        data = data.decode("utf-16", errors="replace").encode()
    stack: list[bytes] = []
    count: dict[bytes, int] = {}
    deepest = 0
    for match in _TAG.finditer(data):
        name = (match.group(3) or b"").lower()
        if not name or name in _VOID or match.group(4):
            continue
        if not match.group(2):
            stack.append(name)
            count[name] = count.get(name, 0) + 1
            deepest = max(deepest, len(stack))
        elif count.get(name):
            while True:
                top = stack.pop()
                count[top] -= 1
                if top == name:
                    break
    return deepest


def _pdf(data: bytes) -> Converted:
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise CorpusError("it is an encrypted PDF; save a copy without a password")
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
        info: Any = reader.metadata or {}
        confidences, empty = [-1.0] * len(pages), list[int]()
        if not all(pages):  # scanned pages: read by OCR from their images
            from .ocr import scanned_pages

            pages, confidences, empty = scanned_pages(reader, pages)
    except LimitReachedError:
        raise CorpusError("its PDF holds a compressed stream that expands too much") from None
    if not any(pages):
        raise CorpusError(NO_PDF_TEXT)
    text, starts = "", []
    for page in pages:
        starts.append(len(text))
        text += page + "\n\n"
    meta: dict[str, Any] = {}
    if info.get("/Title"):
        meta["title"] = str(info["/Title"])
    if info.get("/Author"):
        meta["author"] = str(info["/Author"])
    created = str(info.get("/CreationDate") or "")
    if re.match(r"D:\d{8}", created):
        meta["date"] = f"{created[2:6]}-{created[6:8]}-{created[8:10]}"
    ocr = tuple(confidences) if any(c >= 0 for c in confidences) else ()
    return Converted(text, meta, markdown=False, pages=tuple(starts), ocr=ocr, empty=tuple(empty))


def check_zip(data: bytes) -> None:
    """Refuse a zip file (a Word file is one) that would expand too much: its parts, as its
    table of contents declares them (reading never yields more), over 100 MB together or
    over 100 times the file's size. Python's zipfile stops each part at its declared size."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = archive.infolist()
    if len(parts) > MAX_ZIP_ENTRIES:
        raise CorpusError(f"it is a compressed file with too many parts ({len(parts):,})")
    total = sum(part.file_size for part in parts)
    ratio_applies = total > 1024 * 1024
    if total > MAX_UNZIPPED_BYTES or (ratio_applies and total > MAX_ZIP_RATIO * len(data)):
        size = f"{total / (1024 * 1024):,.0f} MB"
        raise CorpusError(f"it is a compressed file that expands too much ({size})")


def office_properties(props: Any) -> dict[str, Any]:
    """Title, author, date and tags from an Office file's core properties (Word, PowerPoint)."""
    meta: dict[str, Any] = {}
    if props.title:
        meta["title"] = props.title
    if props.author:
        meta["author"] = props.author
    if props.created:
        meta["date"] = props.created.date().isoformat()
    if props.keywords:
        meta["tags"] = [t.strip() for t in re.split(r"[,;]", props.keywords) if t.strip()]
    return meta


def _docx(data: bytes) -> Converted:
    from docx import Document as Docx

    check_zip(data)
    doc = Docx(io.BytesIO(data))
    meta = office_properties(doc.core_properties)
    lines: list[str] = []
    for para in doc.paragraphs:
        text = " ".join(para.text.split())
        if not text:
            continue
        style = (para.style.name if para.style is not None else "") or ""
        level = re.match(r"Heading (\d)", style)
        if style == "Title":
            lines += ["", "# " + text, ""]
        elif level:
            lines += ["", "#" * min(int(level.group(1)) + 1, 6) + " " + text, ""]
        elif "List" in style:
            lines.append("- " + text)
        else:
            lines += ["", text, ""]
    for table in doc.tables:
        for row in table.rows:
            cells = [" ".join(c.text.split()) for c in row.cells]
            if any(cells):
                lines += ["", " | ".join(cells), ""]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
    return Converted(text, meta)


def _pptx(data: bytes) -> Converted:
    from .slides import read_pptx

    return read_pptx(data)


def _eml(data: bytes) -> Converted:
    from .mail import read_eml

    return read_eml(data)


def _image(data: bytes) -> Converted:
    from .ocr import read_image

    return read_image(data)
