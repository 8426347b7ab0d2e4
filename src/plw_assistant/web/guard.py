"""Plain ASGI middleware for every response: security headers, and a bound on questions in
progress (beyond it, 503 with Retry-After instead of an ever-growing queue).

Written against ASGI directly rather than with ``@app.middleware("http")``: each of those
layers costs about a millisecond per request, which is a tenth of a whole answer here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

BUSY = "The assistant is answering many questions at once. Please ask again in a moment."
# No inline script or style anywhere: corpus text and questions can never run as code.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


_RAW = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
_NAMES = {k for k, _ in _RAW}


def is_question(scope: Scope) -> bool:
    """Whether a request asks a question (the work the bound is about)."""
    path = scope.get("path", "")
    if path.startswith("/api/ask"):
        return True
    if path != "/":
        return False
    query = scope.get("query_string", b"").decode("latin-1")
    return scope.get("method") == "POST" or "q" in parse_qs(query)


class Guard:
    def __init__(self, app: ASGIApp, max_pending: int) -> None:
        self.app = app
        self.max_pending = max_pending
        self.pending = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [h for h in message.get("headers", ()) if h[0].lower() not in _NAMES]
                message["headers"] = kept + _RAW
            await send(message)

        if not is_question(scope):
            await self.app(scope, receive, with_headers)
            return
        if self.pending >= self.max_pending:
            busy: Any = JSONResponse({"detail": BUSY}, 503, headers={"Retry-After": "1"})
            await busy(scope, receive, with_headers)
            return
        self.pending += 1  # one event loop: no lock needed
        try:
            await self.app(scope, receive, with_headers)
        finally:
            self.pending -= 1
