"""Plain ASGI middleware: security headers on every response, and the guard that bounds what
a request may cost before the app sees it.

The guard refuses a state-changing form sent from another site (403) and a client over its
rate limit (429); reads the body of each route with a body up to its cap (413) within
PLW_BODY_TIMEOUT (408), so a slow or huge body never holds a slot; and only then counts a
question against PLW_MAX_PENDING (beyond it, 503 with Retry-After instead of a queue).

Written against ASGI directly rather than with ``@app.middleware("http")``: each of those
layers costs about a millisecond per request, which is a tenth of a whole answer here.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..config import Settings
from ..errors import StorageError
from .bounds import (
    CROSS_SITE,
    BodyError,
    CappedReceive,
    Rule,
    cross_site,
    declared_length,
    is_question,
    read_body,
    replay,
    reply,
    rule_for,
    too_large,
)
from .failures import crashed
from .rates import (
    TOO_MANY_FAILURES,
    TOO_MANY_QUESTIONS,
    TOO_MUCH_FEEDBACK,
    Kind,
    Rates,
    client_of,
)
from .session import session_of

log = logging.getLogger("plw_assistant")

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
CLOSE = {"Connection": "close"}  # the rest of a refused body is not worth reading

_RAW = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
_NAMES = {k for k, _ in _RAW}


class SecurityHeaders:
    """The headers above on every response, the guard's and the host check's included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = False

        async def with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                kept = [h for h in message.get("headers", ()) if h[0].lower() not in _NAMES]
                message["headers"] = kept + _RAW
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        except Exception as exc:
            # A bug: answered here, so its page has the headers above too (Starlette sends
            # a 500 from outside every middleware).
            if started:
                raise
            response = await crashed(Request(scope), exc)
            await response(scope, receive, with_headers)


class Guard:
    def __init__(self, app: ASGIApp, settings: Settings, rates: Rates) -> None:
        self.app = app
        self.settings = settings
        self.rates = rates
        self.pending = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rule = rule_for(scope, self.settings)
        if rule is None:
            if is_question(scope):
                await self._counted(scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return
        refused = await self._refused(scope, rule)
        if refused is not None:
            status, detail, headers = refused
            await reply(scope, status, detail, headers)(scope, receive, send)
            return
        deadline = asyncio.get_running_loop().time() + self.settings.body_timeout
        if rule.stream:
            await self._streamed(scope, CappedReceive(receive, rule.cap, deadline), send)
            return
        try:
            body = await read_body(receive, rule.cap, deadline)
        except BodyError as exc:
            await reply(scope, exc.status, exc.detail, CLOSE)(scope, receive, send)
            return
        if body is None:
            return  # the client went away: nobody to answer
        if rule.question:
            await self._counted(scope, replay(body, receive), send)
        else:
            await self.app(scope, replay(body, receive), send)

    async def _refused(self, scope: Scope, rule: Rule) -> tuple[int, str, dict[str, str]] | None:
        """Why to answer at once, without reading the body: status, sentence, headers."""
        if rule.same_origin and cross_site(scope):
            return 403, CROSS_SITE, {}
        if rule.rate is not None:
            # Counted in the app database (shared by every server): off the event loop.
            try:
                wait = await run_in_threadpool(self._wait, scope, rule.rate)
            except StorageError as exc:
                return 503, exc.detail, {"Retry-After": "5"}
            if wait is not None:
                sentence = TOO_MUCH_FEEDBACK if rule.rate == "feedback" else TOO_MANY_FAILURES
                return 429, sentence.format(wait), {"Retry-After": str(wait)}
        length = declared_length(scope)
        if length is not None and length > rule.cap:
            error = too_large(rule.cap)
            return error.status, error.detail, CLOSE
        return None

    def _wait(self, scope: Scope, rate: Kind) -> int | None:
        """Seconds to wait before ``rate`` allows this request (``None``: go on). A signed-in
        admin is never held back by the failures of others who share the address."""
        if rate == "feedback":
            return self.rates.hit("feedback", client_of(scope))
        if "app" in scope and session_of(Request(scope)) is not None:
            return None
        return self.rates.over("admin_failure", client_of(scope))

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run a question unless its client asked too many already (PLW_ASK_RATE) or
        PLW_MAX_PENDING are in progress."""
        try:
            wait = await run_in_threadpool(self.rates.hit, "ask", client_of(scope))
        except StorageError as exc:
            wait = None  # the counter's database failing must not stop the answers
            log.warning("%s", exc)
        if wait is not None:
            many = reply(scope, 429, TOO_MANY_QUESTIONS.format(wait), {"Retry-After": str(wait)})
            await many(scope, receive, send)
            return
        if self.pending >= self.max_pending:
            busy = reply(scope, 503, BUSY, {"Retry-After": "1"})
            await busy(scope, receive, send)
            return
        self.pending += 1  # one event loop: no lock needed
        try:
            await self.app(scope, receive, send)
        finally:
            self.pending -= 1

    @property
    def max_pending(self) -> int:
        return self.settings.max_pending

    async def _streamed(self, scope: Scope, receive: CappedReceive, send: Send) -> None:
        """An upload: the app reads it as it arrives; over the cap or too slow, it stops."""
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except BodyError as exc:
            if started:  # cannot happen: the app reads the whole form before answering
                log.warning("Upload cut short after its answer began: %s", exc.detail)
                return
            await reply(scope, exc.status, exc.detail, CLOSE)(scope, receive.receive, send)
