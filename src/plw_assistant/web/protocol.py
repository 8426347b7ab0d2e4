"""Bounds on a request's head (request line and headers) for uvicorn's httptools parser.

uvicorn's options bound neither the size of a head nor the time it may take when it parses
with httptools (its default when httptools is installed, as here): ``h11_max_incomplete_event
_size`` applies to the h11 parser only, ``timeout_keep_alive`` starts only after a response,
and ``limit_concurrency`` counts slow connections too, answering the real requests 503. So
this subclass (passed as ``uvicorn.Config(http=...)``, uvicorn's own extension point) adds
both: a head over ``max_head`` bytes is answered 431, one not complete ``head_timeout``
seconds after the connection opened or the previous response ended is answered 408 (an idle
connection is just closed). Both close the connection. The body is the guard's business.
"""

from __future__ import annotations

import asyncio
from asyncio import TimerHandle

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

MAX_HEAD = 64 * 1024  # bytes: Node allows 16 KB, nginx 32 KB; localhost cookies add up


class BoundedHttpTools(HttpToolsProtocol):
    max_head = MAX_HEAD
    head_timeout = 10.0

    def connection_made(  # type: ignore[override]
        self, transport: asyncio.Transport
    ) -> None:
        super().connection_made(transport)
        self._in_head = True  # between requests or reading a head: counting its bytes
        self._head_size = 0
        self._events = 0  # heads and messages completed, to tell what a chunk was
        self._head_timer: TimerHandle | None = None
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        events = self._events
        super().data_received(data)
        # Counted only when the whole chunk was head (nothing completed while parsing it):
        # at most one chunk of a head goes uncounted, and no body is ever counted.
        if self._in_head and self._events == events and not self.transport.is_closing():
            self._head_size += len(data)
            if self._head_size > self.max_head:
                self._refuse(431, "Request header fields too large.")

    def on_headers_complete(self) -> None:
        self._in_head, self._events = False, self._events + 1
        self._disarm()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        # What comes next is the next head.
        self._in_head, self._head_size, self._events = True, 0, self._events + 1

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self._idle():
            self._arm()

    def _idle(self) -> bool:
        """No request is being answered or waiting to be (only then may a head time out)."""
        return (self.cycle is None or self.cycle.response_complete) and not self.pipeline

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(self.head_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _too_slow(self) -> None:
        self._head_timer = None
        if not self._idle() or self.transport.is_closing():
            return  # a request is being answered: its head came in time
        if not self._in_head or self._head_size == 0:
            self.transport.close()  # nothing sent, or a body nobody reads: no one to tell
        else:
            self._refuse(408, "The request headers took too long to arrive.")

    def _refuse(self, status: int, message: str) -> None:
        """Answer ``status`` with one sentence and close (unless a response is under way)."""
        self._disarm()
        if self._idle():
            body = message.encode()
            self.transport.write(
                STATUS_LINE[status]
                + b"content-type: text/plain; charset=utf-8\r\n"
                + b"content-length: %d\r\nconnection: close\r\n\r\n" % len(body)
                + body
            )
        self.transport.close()


def bounded_http(max_head: int, head_timeout: float) -> type[BoundedHttpTools]:
    """The protocol class with these bounds, for ``uvicorn.Config(http=...)``."""
    return type(
        "BoundedHttpTools",
        (BoundedHttpTools,),
        {"max_head": max_head, "head_timeout": head_timeout},
    )
