"""What a request may send before the app sees it: which routes take a body and how much,
read within a deadline, and whether a form was sent from this server's own pages."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from markupsafe import escape
from starlette.datastructures import Headers
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Message, Receive, Scope

from ..config import Settings
from .rates import Kind

MAX_HEAD = 64 * 1024  # bytes of a request head: Node allows 16 KB, nginx 32 KB; cookies add up

KB = 1024
# Each cap holds the largest body the pages send, with room to spare: the chat page posts the
# whole conversation back (20 turns, each with its cited passages: 166 KB of JSON measured
# with PLW_TOP_K=20), and a form percent-encodes it (215 KB for the same turns).
ASK_CAP = 256 * KB
FEEDBACK_CAP = 128 * KB  # question 2,000 + answer 20,000 characters + 20 chunk ids
CHAT_FORM_CAP = 512 * KB
FEEDBACK_FORM_CAP = 256 * KB
ADMIN_FORM_CAP = 64 * KB  # sign-in, re-index, re-check: a token; archive: a group's row ids
MULTIPART_SLACK = 64 * KB  # an upload's form fields and part headers around the file

TOO_LARGE = "The request is too large: this page accepts at most {} KB."
TOO_SLOW = "The request took too long to arrive. Please send it again."
CROSS_SITE = "Refused: this form can only be sent from the pages of this server."


@dataclass(frozen=True)
class Rule:
    """How a route's body is bounded before the app reads it."""

    cap: int  # bytes
    question: bool = False  # counted against PLW_MAX_PENDING once its body is in
    same_origin: bool = False  # a form that changes something: refused cross-site
    rate: Kind | None = None  # the per-client limit checked before reading
    stream: bool = False  # passed on while it arrives (uploads) rather than buffered


def rule_for(scope: Scope, settings: Settings) -> Rule | None:
    """The rule for a request with a body, ``None`` for any other request."""
    if scope.get("method") != "POST":
        return None
    path = scope.get("path", "")
    if path in ("/api/ask", "/api/ask/stream"):
        return Rule(ASK_CAP, question=True)
    if path == "/":
        return Rule(CHAT_FORM_CAP, question=True, same_origin=True)
    if path == "/api/feedback":
        return Rule(FEEDBACK_CAP, same_origin=True, rate="feedback")
    if path == "/feedback":
        return Rule(FEEDBACK_FORM_CAP, same_origin=True, rate="feedback")
    if path == "/admin/upload":
        cap = settings.max_upload_mb * KB * KB + MULTIPART_SLACK
        return Rule(cap, same_origin=True, rate="admin_failure", stream=True)
    if path.startswith("/admin/"):  # sign-in and every other admin form
        return Rule(ADMIN_FORM_CAP, same_origin=True, rate="admin_failure")
    return None


def is_question(scope: Scope) -> bool:
    """Whether a request without a body asks a question (``GET /?q=…``)."""
    if scope.get("path") != "/" or scope.get("method") != "GET":
        return False
    return "q" in parse_qs(scope.get("query_string", b"").decode("latin-1"))


def cross_site(scope: Scope) -> bool:
    """Whether a browser says the request comes from another site's page. Requests that do
    not say (curl, scripts, tests) are not refused: only browsers carry other sites' forms."""
    headers = Headers(scope=scope)
    if headers.get("sec-fetch-site", "").lower() == "cross-site":
        return True
    origin = headers.get("origin")
    if origin is None:
        return False
    return urlsplit(origin).netloc.lower() != headers.get("host", "").lower()


def declared_length(scope: Scope) -> int | None:
    """The ``Content-Length`` the client announced, if any."""
    value = Headers(scope=scope).get("content-length")
    return int(value) if value is not None and value.strip().isdigit() else None


class BodyError(Exception):
    """A body over its cap (413) or slower than PLW_BODY_TIMEOUT (408)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def too_large(cap: int) -> BodyError:
    return BodyError(413, TOO_LARGE.format(cap // KB))


async def read_body(receive: Receive, cap: int, deadline: float) -> bytes | None:
    """The whole body, read before ``deadline`` (event loop time); ``None`` if the client
    went away. Raises ``BodyError`` as soon as it is too large or too late."""
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout_at(deadline):
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return None
                body: bytes = message.get("body", b"")
                size += len(body)
                if size > cap:
                    raise too_large(cap)
                chunks.append(body)
                if not message.get("more_body", False):
                    return b"".join(chunks)
    except TimeoutError:
        raise BodyError(408, TOO_SLOW) from None


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the app the body read already, then what the client sends."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


class CappedReceive:
    """A ``receive`` passing the body on as it arrives, raising ``BodyError`` when it grows
    over ``cap`` or is not complete by ``deadline``."""

    def __init__(self, receive: Receive, cap: int, deadline: float) -> None:
        self.receive = receive
        self.cap = cap
        self.deadline = deadline
        self.size = 0
        self.done = False

    async def __call__(self) -> Message:
        if self.done:  # the body is in: later calls only wait for a disconnect
            return await self.receive()
        try:
            async with asyncio.timeout_at(self.deadline):
                message = await self.receive()
        except TimeoutError:
            raise BodyError(408, TOO_SLOW) from None
        if message["type"] == "http.request":
            self.size += len(message.get("body", b""))
            if self.size > self.cap:
                raise too_large(self.cap)
            self.done = not message.get("more_body", False)
        return message


def reply(
    scope: Scope, status: int, detail: str, headers: dict[str, str] | None = None
) -> Response:
    """One sentence: JSON for the API, escaped text for pages (as the app's own errors)."""
    if str(scope.get("path", "")).startswith("/api/"):
        return JSONResponse({"detail": detail}, status, headers=headers)
    return HTMLResponse(str(escape(detail)), status, headers=headers)
