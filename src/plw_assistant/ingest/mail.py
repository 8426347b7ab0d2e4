"""Reading an e-mail (``.eml``) with the standard library: its subject is the note's title,
its date and sender the note's date and author, its plain-text body (or its HTML one, read
like a web page) the text. Attachments are listed at the end; those of a supported type are
indexed as notes of their own (see ``corpus``), read from :func:`attachments`.
"""

from __future__ import annotations

import contextlib
import email
import re
from email import policy
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from ..errors import CorpusError
from .formats import Converted, convert

MAX_ATTACHMENTS = 20


def read_eml(data: bytes) -> Converted:
    """The mail's body as text, with its subject, date and sender as metadata."""
    msg = _message(data)
    meta: dict[str, Any] = {}
    subject = " ".join(str(msg.get("subject", "")).split())
    if subject:
        meta["title"] = subject
    sender = getaddresses([str(msg.get("from", ""))])
    if sender and (sender[0][0] or sender[0][1]):
        meta["author"] = sender[0][0] or sender[0][1]
    with contextlib.suppress(TypeError, ValueError, IndexError):
        meta["date"] = parsedate_to_datetime(str(msg.get("date", ""))).date().isoformat()
    body = msg.get_body(preferencelist=("plain", "html"))
    text, markdown = "", False
    if body is not None and body.get_content_type() == "text/html":
        html = '<meta charset="utf-8">' + str(body.get_content())
        text, markdown = convert(".html", html.encode("utf-8", "replace")).text, True
    elif body is not None:
        text = str(body.get_content())
    names = [name for name, _ in _attachments(msg)]
    if names:
        text = text.rstrip() + "\n\nAttachments: " + ", ".join(names) + "\n"
    return Converted(re.sub(r"\r\n?", "\n", text), meta, markdown=markdown)


def attachments(data: bytes) -> list[tuple[str, bytes]]:
    """The mail's attached files (at most 20), each as its file name and bytes."""
    return [(name, _bytes(part)) for name, part in _attachments(_message(data))]


def _message(data: bytes) -> EmailMessage:
    msg = email.message_from_bytes(data, policy=policy.default)
    if not isinstance(msg, EmailMessage) or not (msg.keys() or msg.get_payload()):
        raise CorpusError("it is not a readable e-mail")
    return msg


def _attachments(msg: EmailMessage) -> list[tuple[str, EmailMessage]]:
    out: list[tuple[str, EmailMessage]] = []
    for part in msg.iter_attachments():
        name = (part.get_filename() or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
        name = re.sub(r"[\x00-\x1f\x7f]+", " ", name)[:120].strip(". ")
        if name and isinstance(part, EmailMessage) and len(out) < MAX_ATTACHMENTS:
            out.append((name, part))
    return out


def _bytes(part: EmailMessage) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""
