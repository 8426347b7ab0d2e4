"""Reading notes saved as HTML, PDF or Word into text the chunker understands.

HTML and Word keep their structure as Markdown (``#`` headings, ``-`` list items); PDF text is
plain, with the offset where each page starts so that a citation can give its page.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import CorpusError

CONVERTED = {".html", ".htm", ".pdf", ".docx"}


@dataclass
class Converted:
    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    markdown: bool = True
    pages: tuple[int, ...] = ()  # offset in ``text`` where each page starts (PDF)


def convert(suffix: str, data: bytes) -> Converted:
    """Text and metadata of an HTML, PDF or DOCX file; ``CorpusError`` says what is wrong."""
    if suffix in {".html", ".htm"}:
        return _html(data)
    if suffix == ".pdf":
        return _pdf(data)
    if suffix == ".docx":
        return _docx(data)
    raise CorpusError(f"unsupported type {suffix}")


_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCKS = {"p", "div", "section", "article", "blockquote", "pre", "td", "th", "dd", "dt"}


def _html(data: bytes) -> Converted:
    from bs4 import BeautifulSoup

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


def _pdf(data: bytes) -> Converted:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise CorpusError("it is an encrypted PDF; save a copy without a password")
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
        info: Any = reader.metadata or {}
    except CorpusError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise CorpusError(f"it is not a readable PDF ({exc.__class__.__name__})") from None
    if not any(pages):
        raise CorpusError("its PDF has no text layer (a scan?); run OCR on it first")
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
    return Converted(text, meta, markdown=False, pages=tuple(starts))


def _docx(data: bytes) -> Converted:
    import zipfile

    from docx import Document as Docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        doc = Docx(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise CorpusError(f"it is not a readable Word file ({exc.__class__.__name__})") from None
    props = doc.core_properties
    meta: dict[str, Any] = {}
    if props.title:
        meta["title"] = props.title
    if props.author:
        meta["author"] = props.author
    if props.created:
        meta["date"] = props.created.date().isoformat()
    if props.keywords:
        meta["tags"] = [t.strip() for t in re.split(r"[,;]", props.keywords) if t.strip()]
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
